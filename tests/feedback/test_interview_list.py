"""The exit-interview list: filters, search (on whichever database runs the tests), who sees what,
the audit of what was read, the export, and a constant number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import (
    ClientFactory,
    ExitInterviewFactory,
    OfficeFactory,
    ServiceLineFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db

URL = reverse("feedback:interview_list")
EXPORT = reverse("feedback:interview_export")


def _body(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def _shown(client, user, **query) -> set[int]:
    client.force_login(user)
    response = client.get(URL, query)
    assert response.status_code == 200
    return {interview.pk for interview, _ in response.context["rows"]}


@pytest.fixture
def words(client_a, client_b):
    """Three interviews about different things, of alice's and bob's clients."""
    return {
        "portal": ExitInterviewFactory(
            client=client_a,
            client_words="The portal logged us out every week and nobody fixed it.",
            team_hypothesis="They wanted a cheaper firm.",
        ),
        "fees": ExitInterviewFactory(
            client=client_b,
            client_words="The fees went up without a conversation.",
            team_hypothesis="Our billing partner forgot to explain the portal change.",
        ),
        "letter": ExitInterviewFactory(
            client=client_b,
            client_words="The engagement letter did not match the work we asked for.",
            team_hypothesis="Scope crept.",
        ),
    }


# Who sees what --------------------------------------------------------------------------------


def test_the_interview_list_lists_every_interview_for_partners(
    client, pat, interview_a, restricted_a, interview_b
):
    assert _shown(client, pat) == {interview_a.pk, restricted_a.pk, interview_b.pk}


def test_the_interview_list_lists_an_account_managers_own_clients_interviews(
    client, alice, interview_a, restricted_a, interview_b
):
    assert _shown(client, alice) == {interview_a.pk, restricted_a.pk}


def test_a_restricted_interview_is_hidden_from_the_account_manager_who_did_not_hold_it(
    client, alice, bob, client_a
):
    held_by_bob = ExitInterviewFactory(client=client_a, interviewer=bob, restricted=True)
    assert held_by_bob.pk not in _shown(client, alice)
    assert held_by_bob.pk in _shown(client, bob)


def test_a_facilitator_sees_the_unrestricted_interviews_of_their_reviews_only(
    client, fran, fran_review, interview_b, interview_a, client_b
):
    restricted_b = ExitInterviewFactory(client=client_b, restricted=True)
    fran_review.exit_interviews.add(restricted_b)
    assert _shown(client, fran) == {interview_b.pk}


def test_a_restricted_interview_is_hidden_from_staff(client, sam, restricted_a, interview_a):
    assert _shown(client, sam) == set()


def test_a_search_never_reaches_past_what_one_may_read(client, bob, words, restricted_a):
    assert _shown(client, bob, q="portal") == {words["fees"].pk}
    assert "logged us out" not in _body(client, bob, q="logged")


# Filters -----------------------------------------------------------------------------------------


def test_the_interview_list_filters_by_period(client, pat, client_a):
    old = ExitInterviewFactory(client=client_a, held_on=dt.date(2025, 3, 1))
    new = ExitInterviewFactory(client=ClientFactory(), held_on=dt.date(2026, 6, 1))
    assert _shown(client, pat, held_from="2026-01-01") == {new.pk}
    assert _shown(client, pat, held_to="2025-12-31") == {old.pk}
    assert _shown(client, pat, held_from="2025-01-01", held_to="2026-12-31") == {old.pk, new.pk}


def test_a_period_that_ends_before_it_starts_is_explained_and_the_other_filters_still_apply(
    client, pat, interview_a
):
    client.force_login(pat)
    response = client.get(URL, {"held_from": "2026-05-01", "held_to": "2026-04-01", "q": "x"})
    body = response.content.decode()
    assert "The end of the period is before its start." in body
    assert 'value="2026-04-01"' in body  # nothing typed is lost
    assert response.context["rows"] == []


def test_the_interview_list_filters_by_reason_and_controllable(client, pat):
    reachable = loss_reason("not reachable")
    outside = next(r for r in type(reachable).objects.all() if not r.controllable)
    ours = ExitInterviewFactory(client_primary_reason=reachable)
    theirs = ExitInterviewFactory(client_primary_reason=outside)
    assert _shown(client, pat, reason=reachable.pk) == {ours.pk}
    assert _shown(client, pat, controllable="yes") == {ours.pk}
    assert _shown(client, pat, controllable="no") == {theirs.pk}


def test_the_interview_list_filters_by_service_line_office_and_account_manager(
    client, pat, alice, bob
):
    payroll, hartford = ServiceLineFactory(name="Payroll"), OfficeFactory(name="Hartford")
    on_payroll = ExitInterviewFactory(client=ClientFactory(service_lines=[payroll]))
    in_hartford = ExitInterviewFactory(client=ClientFactory(office=hartford))
    of_bob = ExitInterviewFactory(client=ClientFactory(account_manager=bob))
    assert _shown(client, pat, service_line=payroll.pk) == {on_payroll.pk}
    assert _shown(client, pat, office=hartford.pk) == {in_hartford.pk}
    assert _shown(client, pat, account_manager=bob.pk) == {of_bob.pk}


def test_the_interview_list_filters_by_status_and_restricted(client, pat, client_a):
    draft = ExitInterviewFactory(client=client_a, status="draft")
    restricted = ExitInterviewFactory(client=ClientFactory(), restricted=True)
    assert _shown(client, pat, status="draft") == {draft.pk}
    assert _shown(client, pat, restricted="yes") == {restricted.pk}
    assert restricted.pk not in _shown(client, pat, restricted="no")


def test_a_wrong_filter_value_is_explained_not_a_server_error(client, pat, interview_a):
    client.force_login(pat)
    response = client.get(URL, {"office": "nope", "reason": "99999999", "page": "zz"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_interview_list_pages_with_the_one_pager(client, pat):
    for _ in range(30):
        ExitInterviewFactory()
    client.force_login(pat)
    response = client.get(URL)
    assert len(response.context["page"]) == 25
    assert "Page 1 of 2" in response.content.decode()
    assert len(client.get(URL, {"page": 2}).context["page"]) == 5


# Search ------------------------------------------------------------------------------------------


def test_the_interview_list_searches_the_clients_words(client, pat, words):
    assert _shown(client, pat, q="engagement letter") == {words["letter"].pk}


def test_the_interview_list_searches_the_teams_hypothesis_and_labels_it_as_such(client, pat, words):
    client.force_login(pat)
    response = client.get(URL, {"q": "billing"})
    [(interview, snippet)] = response.context["rows"]
    assert interview == words["fees"]
    assert snippet.is_hypothesis
    assert "team's hypothesis" in response.content.decode()


def test_the_interview_list_highlights_the_match_in_the_snippet(client, pat, words):
    body = _body(client, pat, q="engagement")
    assert "<mark>engagement</mark>" in body.lower()


def test_a_blank_search_lists_everything(client, pat, words):
    assert _shown(client, pat, q="   ") == {interview.pk for interview in words.values()}


def test_a_search_for_markup_finds_it_escaped(client, pat, client_a):
    ExitInterviewFactory(
        client=client_a, client_words="They wrote <script>alert('x')</script> in the portal"
    )
    body = _body(client, pat, q="portal")
    assert "<script>alert" not in body
    assert "<mark>" in body.lower()


@pytest.mark.parametrize(
    "text", ['"unbalanced', "-", "a & | ! ( ) :* <->", "'; DROP TABLE x; --", "é😀", "\\"]
)
def test_search_syntax_a_person_may_type_never_fails(client, pat, words, text):
    client.force_login(pat)
    assert client.get(URL, {"q": text}).status_code == 200


def test_a_search_with_a_nul_character_is_refused_next_to_the_field(client, pat, words):
    body = _body(client, pat, q="portal\x00")
    assert "Null characters are not allowed." in body


# Audit -------------------------------------------------------------------------------------------


def _reads(user) -> list[str]:
    return sorted(
        AuditEvent.objects.filter(
            actor=user, verb="view", object_type="feedback.exitinterview"
        ).values_list("object_id", flat=True)
    )


def test_listing_a_restricted_interview_is_audited_as_a_read(
    client, alice, interview_a, restricted_a
):
    _body(client, alice)
    assert _reads(alice) == [str(restricted_a.pk)]


def test_a_list_without_restricted_interviews_writes_no_audit_row(client, bob, interview_b):
    _body(client, bob)
    assert _reads(bob) == []


def test_every_interview_whose_words_a_search_shows_is_audited(client, pat, words, restricted_a):
    restricted_a.client_words = "The portal again."
    restricted_a.save()
    _body(client, pat, q="portal")
    expected = {words["portal"].pk, words["fees"].pk, restricted_a.pk}
    assert _reads(pat) == sorted(str(pk) for pk in expected)
    assert AuditEvent.objects.filter(actor=pat, detail__page="list").count() == 3


def test_a_search_that_a_restricted_interview_does_not_match_does_not_audit_it(
    client, pat, words, restricted_a
):
    _body(client, pat, q="engagement")
    assert _reads(pat) == [str(words["letter"].pk)]


# Export ------------------------------------------------------------------------------------------


def test_the_export_has_the_lists_filters_and_no_words(client, pat, words):
    client.force_login(pat)
    response = client.get(EXPORT, {"q": "portal"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["held_on", "client"]
    assert len(rows) == 3
    assert "portal" not in response.content.decode().lower()


def test_the_export_records_who_took_it_and_each_restricted_interview(
    client, alice, interview_a, restricted_a
):
    client.force_login(alice)
    client.get(EXPORT)
    events = AuditEvent.objects.filter(actor=alice, verb="export")
    assert {e.object_id for e in events} == {"csv", str(restricted_a.pk)}
    assert events.get(object_id="csv").detail == {"rows": 2}


# Queries -----------------------------------------------------------------------------------------


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("query", [{}, {"q": "called"}, {"restricted": "yes"}])
@pytest.mark.parametrize("user", ["pat", "alice"])
def test_the_interview_list_uses_the_same_number_of_queries_for_5_and_50_rows(
    client, request, query, user
):
    person = request.getfixturevalue(user)
    alice = request.getfixturevalue("alice")
    client.force_login(person)

    def make(n):
        for _ in range(n):
            ExitInterviewFactory(client=ClientFactory(account_manager=alice), restricted=True)

    make(5)
    _queries(client, URL, query)  # warms the menus' cache
    few = _queries(client, URL, query)
    make(45)
    assert _queries(client, URL, query) == few


def test_the_export_uses_the_same_number_of_queries_for_5_and_50_rows(client, pat):
    client.force_login(pat)
    for _ in range(5):
        ExitInterviewFactory(client_primary_reason=loss_reason("not reachable"))
    few = _queries(client, EXPORT, {})
    for _ in range(45):
        ExitInterviewFactory(client_primary_reason=loss_reason("not reachable"))
    assert _queries(client, EXPORT, {}) == few


# Navigation --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "shown"), [("alice", True), ("fran", True), ("sam", False)])
def test_the_navigation_links_the_list_for_those_who_read_interviews(client, request, user, shown):
    client.force_login(request.getfixturevalue(user))
    body = client.get(reverse("home")).content.decode()
    assert (f'href="{URL}"' in body) is shown
