"""The save attempt pages: the list, recording the first contact, closing as saved
or lost, and who may see them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from feedback import services
from feedback.models import Client, ExitInterview, SaveAttempt
from privacy import services as privacy
from tests.factories import (
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    UserFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db

LIST = reverse("feedback:save_list")


def _attempt(client, *, days_ago=0, due_in=2, **fields):
    attempt = SaveAttempt.objects.create(
        client=client,
        owner=fields.pop("owner", client.account_manager),
        trigger=SaveAttempt.Trigger.LOW_RATING,
        first_contact_due_on=timezone.localdate() + dt.timedelta(days=due_in),
        client_status_before=Client.Status.ACTIVE,
        **fields,
    )
    SaveAttempt.objects.filter(pk=attempt.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    Client.objects.filter(pk=client.pk).update(status=Client.Status.AT_RISK)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def attempt_a(client_a):
    attempt = _attempt(client_a, days_ago=3)
    FeedbackResponseFactory(
        request__client=client_a, rating=3, do_better="Nobody called back", save_attempt=attempt
    )
    return attempt


@pytest.fixture
def attempt_b(client_b):
    return _attempt(client_b)


def _detail(attempt):
    return reverse("feedback:save_detail", args=[attempt.pk])


def _contact(client, attempt, **data):
    data = {"contacted_on": timezone.localdate().isoformat(), "note": "Called the CFO.", **data}
    return client.post(reverse("feedback:save_contact", args=[attempt.pk]), data)


def _close(client, attempt, **data):
    data = {"outcome": "saved", "note": "Agreed a named senior contact.", **data}
    return client.post(reverse("feedback:save_close", args=[attempt.pk]), data)


# Who sees what --------------------------------------------------------------------------------


def test_account_managers_list_their_own_open_attempts(client, alice, attempt_a, attempt_b):
    client.force_login(alice)
    assert list(client.get(LIST).context["page"]) == [attempt_a]


def test_partners_list_every_open_attempt(client, pat, attempt_a, attempt_b):
    client.force_login(pat)
    assert set(client.get(LIST).context["page"]) == {attempt_a, attempt_b}


@pytest.mark.parametrize("persona", ["fran", "sam"])
def test_others_get_404_on_the_list(client, request, persona, attempt_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 404


def test_the_owner_sees_it_after_the_client_moved_to_another_manager(
    client, sam, bob, client_a, attempt_a
):
    SaveAttempt.objects.filter(pk=attempt_a.pk).update(owner=sam)
    Client.objects.filter(pk=client_a.pk).update(account_manager=bob)
    client.force_login(sam)
    assert list(client.get(LIST).context["page"]) == [attempt_a]
    assert client.get(_detail(attempt_a)).status_code == 200
    client.force_login(bob)
    assert client.get(_detail(attempt_a)).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_others_get_404_on_the_attempt(client, request, persona, attempt_a):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_detail(attempt_a)).status_code == 404
    assert _contact(client, attempt_a).status_code == 404
    assert _close(client, attempt_a).status_code == 404
    attempt_a.refresh_from_db()
    assert attempt_a.first_contact_on is None and attempt_a.status == "open"


def test_overdue_first_contact_shows_on_the_list(client, pat, client_a, client_b):
    late = _attempt(client_a, days_ago=5, due_in=-1)
    on_time = _attempt(client_b, days_ago=1, due_in=1)
    client.force_login(pat)
    response = client.get(LIST)
    assert list(response.context["page"]) == [late, on_time]  # earliest due first
    body = response.content.decode()
    assert body.count("first contact overdue") == 1
    assert body.count("awaiting first contact") == 1
    assert late.first_contact_overdue and not on_time.first_contact_overdue


def test_a_contacted_attempt_is_not_overdue(client_a):
    late = _attempt(client_a, due_in=-3, first_contact_on=timezone.localdate())
    assert not late.first_contact_overdue


def test_closed_attempts_have_their_own_tab(client, pat, attempt_a, attempt_b):
    SaveAttempt.objects.filter(pk=attempt_b.pk).update(
        status=SaveAttempt.Status.LOST, closed_at=timezone.now()
    )
    client.force_login(pat)
    assert list(client.get(LIST).context["page"]) == [attempt_a]
    assert [a.pk for a in client.get(LIST, {"show": "closed"}).context["page"]] == [attempt_b.pk]


def test_the_list_uses_constant_queries(client, pat, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            made = ClientFactory(account_manager=UserFactory(roles=[Role.ACCOUNT_MANAGER]))
            attempt = _attempt(made)
            FeedbackResponseFactory(request__client=made, rating=2, save_attempt=attempt)

    client.force_login(pat)
    add(3)
    client.get(LIST)
    with CaptureQueriesContext(connection) as three:
        client.get(LIST)
    add(20)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"]) == 23


def test_the_detail_page_uses_constant_queries(client, alice, client_a, attempt_a):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as one:
        client.get(_detail(attempt_a))
    for _ in range(5):
        FeedbackResponseFactory(request__client=client_a, rating=1, save_attempt=attempt_a)
    with CaptureQueriesContext(connection) as six:
        response = client.get(_detail(attempt_a))
    assert response.content.decode().count("rating 1/10") == 5
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_client_page_shows_the_attempt_and_the_at_risk_status(client, alice, attempt_a):
    client.force_login(alice)
    body = client.get(attempt_a.client.get_absolute_url()).content.decode()
    assert "At risk" in body
    assert _detail(attempt_a) in body


def test_facilitators_see_the_client_but_not_its_save_attempt(client, fran, attempt_a):
    client.force_login(fran)
    body = client.get(attempt_a.client.get_absolute_url()).content.decode()
    assert _detail(attempt_a) not in body


# First contact --------------------------------------------------------------------------------


def test_the_owner_records_the_first_contact(client, alice, attempt_a):
    client.force_login(alice)
    response = _contact(client, attempt_a, note="Called Dana; she wants a named contact.")
    assert response["Location"] == _detail(attempt_a)
    attempt_a.refresh_from_db()
    assert attempt_a.first_contact_on == timezone.localdate()
    assert attempt_a.first_contact_note == "Called Dana; she wants a named contact."
    assert AuditEvent.objects.filter(
        object_type="feedback.saveattempt", object_id=str(attempt_a.pk), actor=alice
    ).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": ""}, "note", "Write down what was said"),
        ({"contacted_on": "2999-01-01"}, "contacted_on", "in the future"),
        ({"contacted_on": "not a date"}, "contacted_on", "Enter a valid date"),
        ({"note": "x" * 4001}, "note", "at most 4000 characters"),
    ],
)
def test_a_bad_first_contact_is_refused_next_to_the_field(
    client, alice, attempt_a, data, field, message
):
    client.force_login(alice)
    response = _contact(client, attempt_a, **data)
    assert response.status_code == 400
    assert message in response.context["contact_form"].errors[field][0]
    attempt_a.refresh_from_db()
    assert attempt_a.first_contact_on is None


def test_a_contact_before_the_attempt_opened_is_refused_and_the_note_kept(client, alice, attempt_a):
    client.force_login(alice)
    before = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = _contact(client, attempt_a, contacted_on=before, note="Typed with care.")
    assert response.status_code == 400
    assert "pick that day or later" in response.context["contact_form"].errors["contacted_on"][0]
    assert "Typed with care." in response.content.decode()


# Closing --------------------------------------------------------------------------------------


def test_a_save_attempt_cannot_close_before_the_first_contact(client, alice, attempt_a):
    client.force_login(alice)
    response = _close(client, attempt_a)
    assert response.status_code == 400
    assert "Record the first contact" in response.content.decode()
    attempt_a.refresh_from_db()
    assert attempt_a.status == "open"


@pytest.fixture
def contacted(attempt_a):
    attempt_a.first_contact_on = timezone.localdate()
    attempt_a.first_contact_note = "Called the CFO."
    attempt_a.save()
    return attempt_a


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": ""}, "note", "what decided it"),
        ({"outcome": ""}, "outcome", "Choose saved or lost"),
        ({"outcome": "open"}, "outcome", "Select a valid choice"),
    ],
)
def test_a_bad_close_is_refused_next_to_the_field(client, alice, contacted, data, field, message):
    client.force_login(alice)
    response = _close(client, contacted, **data)
    assert response.status_code == 400
    assert message in response.context["close_form"].errors[field][0]
    contacted.refresh_from_db()
    assert contacted.status == "open"


def test_saved_gives_the_client_back_and_offers_a_client_save_review(
    client, alice, pat, client_a, contacted
):
    client.force_login(alice)
    response = _close(client, contacted, note="Agreed a named senior contact.")
    assert response["Location"] == _detail(contacted)
    contacted.refresh_from_db()
    assert (contacted.status, contacted.closed_by) == ("saved", alice)
    assert contacted.outcome_note == "Agreed a named senior contact."
    client_a.refresh_from_db()
    assert client_a.status == Client.Status.ACTIVE
    # alice may not plan reviews, so she is told who can; a partner gets the link.
    assert "ask a facilitator or partner" in client.get(_detail(contacted)).content.decode()
    client.force_login(pat)
    link = f"{reverse('retrospectives:review_new')}?kind=client_save&amp;client={client_a.pk}"
    assert link in client.get(_detail(contacted)).content.decode()


def test_the_review_form_starts_with_the_kind_and_client(client, pat, client_a):
    client.force_login(pat)
    url = reverse("retrospectives:review_new")
    form = client.get(url, {"kind": "client_save", "client": client_a.pk}).context["form"]
    assert form["kind"].value() == "client_save"
    assert [str(pk) for pk in form["clients"].value()] == [str(client_a.pk)]
    odd = client.get(url, {"kind": "<b>", "client": "abc"})
    assert odd.status_code == 200 and odd.context["form"]["kind"].value() != "<b>"


def test_saved_gives_a_won_back_client_its_status_back(client, alice, client_a, contacted):
    SaveAttempt.objects.filter(pk=contacted.pk).update(client_status_before="won_back")
    contacted.refresh_from_db()
    client.force_login(alice)
    _close(client, contacted)
    client_a.refresh_from_db()
    assert client_a.status == Client.Status.WON_BACK


def test_lost_goes_to_the_exit_interview_and_finalising_it_marks_the_client_lost(
    client, alice, client_a, contacted
):
    client.force_login(alice)
    response = _close(client, contacted, outcome="lost", note="They signed elsewhere.")
    assert response["Location"] == reverse("feedback:interview_new", args=[client_a.pk])
    contacted.refresh_from_db()
    assert contacted.status == "lost"
    client_a.refresh_from_db()
    assert client_a.status == Client.Status.AT_RISK  # not by hand: the interview decides
    interview = ExitInterviewFactory(
        client=client_a, status="draft", client_primary_reason=loss_reason("not reachable")
    )
    services.finalise_interview(interview=interview, by=alice)
    client_a.refresh_from_db()
    assert client_a.status == Client.Status.LOST


def test_an_owner_who_cannot_log_the_interview_stays_on_the_attempt(
    client, sam, bob, client_a, contacted
):
    SaveAttempt.objects.filter(pk=contacted.pk).update(owner=sam)
    Client.objects.filter(pk=client_a.pk).update(account_manager=bob)
    client.force_login(sam)
    response = _close(client, contacted, outcome="lost")
    assert response["Location"] == _detail(contacted)
    page = client.get(_detail(contacted)).content.decode()
    assert "The account manager logs the exit interview" in page


def test_finalising_an_interview_closes_an_open_attempt_as_lost(alice, client_a, attempt_a):
    interview = ExitInterviewFactory(
        client=client_a, status="draft", client_primary_reason=loss_reason("not reachable")
    )
    services.finalise_interview(interview=interview, by=alice)
    attempt_a.refresh_from_db()
    assert attempt_a.status == "lost"
    assert attempt_a.outcome_note == services.LOST_BY_INTERVIEW
    assert ExitInterview.objects.get().status == "final"


def test_a_closed_attempt_cannot_be_closed_again(client, alice, contacted):
    client.force_login(alice)
    _close(client, contacted)
    response = client.post(
        reverse("feedback:save_close", args=[contacted.pk]),
        {"outcome": "lost", "note": "Changed my mind."},
        follow=True,
    )
    assert "already closed" in response.content.decode()
    assert _contact(client, contacted)["Location"] == _detail(contacted)
    contacted.refresh_from_db()
    assert contacted.status == "saved"


def test_erasing_the_client_blanks_the_save_notes_and_export_includes_them(client_a, contacted):
    contacted.outcome_note = "Dana Whitfield agreed to stay."
    contacted.save()
    exported = privacy.export_client(client=client_a)
    assert [row["pk"] for row in exported["save_attempts"]] == [contacted.pk]
    privacy.erase_client(client=client_a)
    contacted.refresh_from_db()
    assert (contacted.first_contact_note, contacted.outcome_note) == ("", "")
    assert contacted.status == "open"  # the dashboard still counts it
