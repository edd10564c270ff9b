"""Clients at risk: scored on the signals that precede a loss, explained, and kept short.

Today is 15 June 2026 (the `today` fixture); the default period is the 12 months before."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from dashboard import queries
from dashboard.services import default_filters
from feedback.models import Client, FeeChange, SaveAttempt
from tests.dashboard.conftest import at
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    OfficeFactory,
    ServiceLineFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(today, pat, alice):
    """Two controllable losses on Tax in Boston under Pat (service level, fees), one loss
    outside our control on Payroll; twenty active Boston clients of Pat, on Audit, with no
    signal at all."""
    boston = OfficeFactory(name="Boston")
    tax, payroll = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Payroll")
    audit = ServiceLineFactory(name="Audit & assurance")
    for name, line, reason in [
        ("lost-1", tax, loss_reason("Service level")),
        ("lost-2", tax, loss_reason("Fees:")),
        ("lost-3", payroll, loss_reason("Client sold")),
    ]:
        ExitInterviewFactory(
            client=ClientFactory(
                name=name,
                service_lines=[line],
                office=boston,
                relationship_partner=pat,
                account_manager=alice,
                status=Client.Status.LOST,
                lost_on=dt.date(2026, 3, 1),
            ),
            held_on=dt.date(2026, 3, 8),
            client_primary_reason=reason,
        )
    quiet = [
        ClientFactory(
            name=f"quiet-{i:02d}",
            service_lines=[audit],
            office=boston,
            relationship_partner=pat,
            account_manager=alice,
            annual_fees=10000 + i,
        )
        for i in range(20)
    ]
    return {"tax": tax, "audit": audit, "boston": boston, "quiet": quiet}


def _respond(client, day: str, rating: int, reason=None):
    response = FeedbackResponseFactory(
        request__client=client, client=client, rating=rating, reason=reason
    )
    type(response).objects.filter(pk=response.pk).update(submitted_at=at(day))
    return response


def _overdue(client, n: int, due: str = "2026-05-01"):
    for _ in range(n):
        action = ActionFactory(client=client, due_on=dt.date.fromisoformat(due))
        Action.objects.filter(pk=action.pk).update(created_at=at("2026-04-01"))


def _save_attempt(client, opened: str, status=SaveAttempt.Status.OPEN, closed: str | None = None):
    return SaveAttempt.objects.create(
        client=client,
        trigger=SaveAttempt.Trigger.LOW_RATING,
        status=status,
        opened_at=at(opened),
        first_contact_due_on=dt.date.fromisoformat(opened) + dt.timedelta(days=2),
        closed_at=at(closed) if closed else None,
        client_status_before=Client.Status.ACTIVE,
    )


def _panel(today):
    return queries.at_risk(default_filters(today))


def test_the_at_risk_score_does_not_flag_clients_for_sharing_an_office_and_partner_with_losses(
    book, today
):
    assert _panel(today)["rows"] == []
    assert _panel(today)["clients"] == 0


def test_the_at_risk_score_does_not_flag_a_client_on_its_service_line_alone(book, today):
    ClientFactory(name="tax-only", service_lines=[book["tax"]])
    assert _panel(today)["rows"] == []


def test_the_at_risk_score_flags_at_most_a_tenth_of_the_active_clients_most_signals_first(
    book, today
):
    quiet = book["quiet"]
    for client in quiet[:6]:
        _save_attempt(client, "2026-06-01")
    _respond(quiet[0], "2026-05-01", 2)  # more signals than the others
    panel = _panel(today)
    assert (panel["active"], panel["cap"], panel["clients"]) == (20, 2, 2)
    # Then the larger fees first among equal points.
    assert [row["label"] for row in panel["rows"]] == ["quiet-00", "quiet-05"]


def test_the_at_risk_score_says_in_words_why_a_client_is_flagged(book, today):
    client = ClientFactory(name="Troubled", service_lines=[book["tax"]], annual_fees=90000)
    _respond(client, "2025-03-01", 9)
    _respond(client, "2026-02-01", 5)
    _respond(client, "2026-04-01", 3, reason=loss_reason("Fees:"))
    _overdue(client, 3)
    row = _panel(today)["rows"][0]
    assert row["label"] == "Troubled"
    assert row["why"] == [
        "feedback rating 4.0/10 in the last 6 months",
        "rating down from 9.0 to 4.0",
        "raised “Fees and billing” in feedback, the reason of 1 recent controllable loss",
        "3 overdue actions on the client",
        "Tax, like 2 recent controllable losses",
    ]
    assert row["points"] == 2 + 1 + 2 + 2 + 1


def test_the_at_risk_score_names_an_open_save_attempt_and_a_client_marked_at_risk(book, today):
    saving, marked = book["quiet"][:2]
    _save_attempt(saving, "2026-06-01")
    Client.objects.filter(pk=marked.pk).update(status=Client.Status.AT_RISK)
    ClientFactory.create_batch(10)  # a larger book, so both fit under the cap
    why = {row["label"]: row["why"] for row in _panel(today)["rows"]}
    assert why == {saving.name: ["save attempt open"], marked.name: ["marked at risk"]}


def test_the_at_risk_score_ignores_feedback_about_causes_of_no_recent_controllable_loss(
    book, today
):
    client = book["quiet"][0]
    _respond(client, "2026-04-01", 8, reason=loss_reason("not reachable"))
    _overdue(client, 1)
    assert _panel(today)["rows"] == []


def test_the_at_risk_score_scores_a_past_day_with_what_was_known_that_day(book, today):
    """As of 1 April 2026 a save attempt closed later was open, feedback sent later was not
    there yet, and a client lost later was still a client."""
    day = dt.date(2026, 4, 1)
    f = queries.Filters(start=dt.date(2025, 4, 2), end=day, today=day)
    later_lost, saved_later, rated_later = book["quiet"][:3]
    Client.objects.filter(pk=later_lost.pk).update(
        status=Client.Status.LOST, lost_on=dt.date(2026, 5, 1)
    )
    _save_attempt(later_lost, "2026-03-01", SaveAttempt.Status.LOST, closed="2026-05-01")
    _save_attempt(saved_later, "2026-03-15", SaveAttempt.Status.SAVED, closed="2026-04-20")
    _respond(rated_later, "2026-05-01", 0)
    _respond(rated_later, "2026-05-02", 0)
    ClientFactory.create_batch(5, client_since=dt.date(2026, 5, 1))  # not clients yet
    clients, reference = queries.at_risk_clients(f)
    assert reference.active == 20
    assert set(clients) == {later_lost, saved_later}
    assert list(queries.at_risk_clients(default_filters(today))[0]) == []


def test_the_at_risk_score_keeps_the_firm_wide_flags_when_a_segment_is_chosen(book, today):
    quiet = book["quiet"]
    _save_attempt(quiet[0], "2026-06-01")
    _save_attempt(quiet[1], "2026-06-01")
    quiet[1].service_lines.set([book["tax"]])
    firm = default_filters(today)
    audit = queries.Filters(**{**firm.__dict__, "service_line_id": book["audit"].pk})
    assert [row["label"] for row in queries.at_risk(firm)["rows"]] == ["quiet-01", "quiet-00"]
    assert [row["label"] for row in queries.at_risk(audit)["rows"]] == ["quiet-00"]


def test_the_drill_down_lists_the_flagged_clients_with_why(client, book, today, pat):
    _save_attempt(book["quiet"][3], "2026-06-01")
    client.force_login(pat)
    response = client.get(reverse("dashboard:at_risk"))
    assert [c.name for c in response.context["page"]] == ["quiet-03"]
    assert "save attempt open" in response.content.decode()


def test_flagged_clients_of_the_bench_firm_lose_more_often_later():
    """Score the bench firm as it stood a year ago; the clients flagged then must have been
    lost in the following year far more often than the clients not flagged, and so must the
    clients flagged partly for a fee change."""
    call_command("seed_bench", interviews=1500, batch=500, stdout=None)
    today = dt.date.today()
    cutoff = today - dt.timedelta(days=365)
    f = queries.Filters(start=cutoff - dt.timedelta(days=364), end=cutoff, today=cutoff)
    clients, reference = queries.at_risk_clients(f)
    flagged = {client.pk for client in clients}
    population = set(Client.objects.filter(queries.active_on(cutoff)).values_list("pk", flat=True))
    lost_later = set(
        Client.objects.filter(
            pk__in=population, lost_on__gt=cutoff, lost_on__lte=today
        ).values_list("pk", flat=True)
    )
    unflagged = population - flagged
    flagged_rate = len(flagged & lost_later) / len(flagged)
    unflagged_rate = len(unflagged & lost_later) / len(unflagged)
    assert flagged <= population
    assert 0 < len(flagged) <= 0.1 * len(population) + 1
    assert flagged_rate >= 2 * unflagged_rate, (flagged_rate, unflagged_rate)
    # Fee changes are among the reasons, and the clients flagged partly for them lose as often.
    for_fees = {c.pk for c in clients if any(why.startswith("fees ") for why in c.risk_why)}
    fee_rate = len(for_fees & lost_later) / len(for_fees)
    assert fee_rate >= 2 * unflagged_rate, (fee_rate, unflagged_rate)


def test_the_at_risk_score_runs_the_same_queries_however_many_clients_are_flagged(
    book, today, django_assert_num_queries
):
    f = default_filters(today)
    _save_attempt(book["quiet"][0], "2026-06-01")
    with django_assert_num_queries(4):  # active count, categories, lines, the candidates
        assert len(queries.at_risk(f)["rows"]) == 1
    for client in book["quiet"][1:]:
        _save_attempt(client, "2026-06-01")
        _respond(client, "2026-05-01", 2, reason=loss_reason("Fees:"))
        _overdue(client, 3)
    ClientFactory.create_batch(100)
    with django_assert_num_queries(4):
        assert len(queries.at_risk(f)["rows"]) == 12  # a tenth of 120 active clients


def test_the_csv_export_says_why(client, book, today, pat):
    _save_attempt(book["quiet"][3], "2026-06-01")
    client.force_login(pat)
    response = client.get(reverse("dashboard:export", kwargs={"panel": "at_risk"}))
    body = response.content.decode()
    assert "Why flagged" in body and "quiet-03" in body and "save attempt open" in body


def test_the_at_risk_score_still_flags_a_client_in_trouble_when_nothing_was_lost(today):
    troubled = ClientFactory(name="Troubled")
    ClientFactory.create_batch(9)
    _save_attempt(troubled, "2026-06-01")
    _respond(troubled, "2026-05-01", 2, reason=loss_reason("Fees:"))
    rows = _panel(today)["rows"]
    assert [(row["label"], row["why"]) for row in rows] == [
        ("Troubled", ["save attempt open", "feedback rating 2.0/10 in the last 6 months"])
    ]


def _fees(client, day: str, previous: int, new: int):
    FeeChange.objects.create(
        client=client, previous=previous, new=new, changed_on=dt.date.fromisoformat(day)
    )


def _why(today, name: str) -> list[str] | None:
    return {row["label"]: row["why"] for row in _panel(today)["rows"]}.get(name)


def test_the_at_risk_score_names_a_fee_rise_of_15_percent_in_the_last_12_months(book, today):
    client = book["quiet"][0]
    _respond(client, "2026-05-01", 5)
    _fees(client, "2026-03-10", 10000, 11500)
    assert _why(today, client.name) == [
        "feedback rating 5.0/10 in the last 6 months",
        "fees up 15% since March 2026",
    ]
    assert _panel(today)["rows"][0]["points"] == 2 + 1


def test_the_at_risk_score_does_not_count_a_smaller_rise_or_one_more_than_12_months_ago(
    book, today
):
    smaller, older = book["quiet"][:2]
    for client in (smaller, older):
        _respond(client, "2026-05-01", 5)
    _fees(smaller, "2026-03-10", 10000, 11499)
    _fees(older, "2025-06-15", 10000, 20000)
    assert _panel(today)["rows"] == []


def test_the_at_risk_score_names_a_fee_cut_of_a_quarter(book, today):
    cut, smaller = book["quiet"][:2]
    for client in (cut, smaller):
        _respond(client, "2026-05-01", 5)
    _fees(cut, "2025-12-01", 40000, 30000)
    _fees(smaller, "2025-12-01", 40000, 30001)
    assert _why(today, cut.name) == [
        "feedback rating 5.0/10 in the last 6 months",
        "fees down 25% since December 2025",
    ]
    assert _why(today, smaller.name) is None


def test_a_fee_rise_with_weaker_signals_makes_a_client_a_candidate(book, today):
    """One overdue action, a service line like recent losses and a fee rise: three points,
    although none of the strong signals is there."""
    client = ClientFactory(name="Creeping", service_lines=[book["tax"]])
    _overdue(client, 1)
    _fees(client, "2025-09-01", 10000, 10800)
    _fees(client, "2026-02-01", 10800, 11700)
    assert _why(today, "Creeping") == [
        "fees up 17% since September 2025",
        "1 overdue action on the client",
        "Tax, like 2 recent controllable losses",
    ]


def test_the_at_risk_score_scores_the_fees_as_they_stand_at_the_end_of_the_year(book, today):
    """A rise taken back within the year leaves the fees where they were; setting fees on a
    client that had none is no rise."""
    taken_back, first_set = book["quiet"][:2]
    for client in (taken_back, first_set):
        _respond(client, "2026-05-01", 5)
    _fees(taken_back, "2026-01-10", 10000, 13000)
    _fees(taken_back, "2026-02-10", 13000, 10000)
    _fees(first_set, "2026-01-10", 0, 13000)
    assert _panel(today)["rows"] == []


def test_the_at_risk_score_scores_fees_as_they_stood_on_a_past_day(book, today):
    day = dt.date(2026, 4, 1)
    f = queries.Filters(start=dt.date(2025, 4, 2), end=day, today=day)
    rose_later, rose_before = book["quiet"][:2]
    for client in (rose_later, rose_before):
        _respond(client, "2026-03-01", 5)
    _fees(rose_later, "2026-05-01", 10000, 20000)
    _fees(rose_before, "2026-03-01", 10000, 12000)
    _fees(rose_before, "2026-05-01", 12000, 10000)  # taken back after that day
    clients, _ = queries.at_risk_clients(f)
    assert [(c.name, c.risk_why[-1]) for c in clients] == [
        (rose_before.name, "fees up 20% since March 2026")
    ]


def test_fee_changes_add_no_query(book, today, django_assert_num_queries):
    f = default_filters(today)
    for client in book["quiet"][:5]:
        _respond(client, "2026-05-01", 5)
        _fees(client, "2026-03-10", 10000, 13000)
        _fees(client, "2026-04-10", 13000, 14000)
    with django_assert_num_queries(4):
        assert len(queries.at_risk(f)["rows"]) == 2
