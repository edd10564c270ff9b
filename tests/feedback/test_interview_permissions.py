"""Who sees which interview. Everyone else gets 404, and the attempt is audited."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from feedback.models import ExitInterview
from tests.factories import ExitInterviewFactory, ReviewFactory

pytestmark = pytest.mark.django_db

# (persona, interview fixture, status of the detail page)
MATRIX = [
    ("alice", "interview_a", 200),
    ("alice", "restricted_a", 200),
    ("alice", "interview_b", 404),
    ("bob", "interview_a", 404),
    ("bob", "restricted_a", 404),
    ("bob", "interview_b", 200),
    ("fran", "interview_a", 404),
    ("fran", "restricted_a", 404),
    ("fran", "interview_b", 200),
    ("pat", "interview_a", 200),
    ("pat", "restricted_a", 200),
    ("pat", "interview_b", 200),
    ("sam", "interview_a", 404),
    ("sam", "restricted_a", 404),
    ("sam", "interview_b", 404),
]


@pytest.mark.parametrize(("persona", "kind", "status"), MATRIX)
def test_the_interview_page_shows_the_interview_only_to_those_allowed(
    client, request, fran_review, persona, kind, status
):
    user = request.getfixturevalue(persona)
    interview = request.getfixturevalue(kind)
    client.force_login(user)
    response = client.get(reverse("feedback:interview_detail", args=[interview.pk]))
    assert response.status_code == status
    verb = "view" if status == 200 else "denied"
    assert AuditEvent.objects.filter(
        actor=user, verb=verb, object_type="feedback.exitinterview", object_id=str(interview.pk)
    ).exists()


# (persona, interview fixture, status of the edit page)
EDIT_MATRIX = [
    ("alice", "interview_a", 200),
    ("alice", "restricted_a", 200),
    ("bob", "interview_a", 404),
    ("fran", "interview_b", 404),  # facilitators read, they do not change
    ("pat", "restricted_a", 200),
    ("sam", "interview_a", 404),
]


@pytest.mark.parametrize(("persona", "kind", "status"), EDIT_MATRIX)
def test_the_interview_page_lets_only_editors_edit(
    client, request, fran_review, persona, kind, status
):
    user = request.getfixturevalue(persona)
    interview = request.getfixturevalue(kind)
    client.force_login(user)
    response = client.get(reverse("feedback:interview_edit", args=[interview.pk]))
    assert response.status_code == status


def test_a_facilitator_does_not_see_a_restricted_interview_of_her_review(client, fran, client_b):
    restricted = ExitInterviewFactory(client=client_b, restricted=True)
    ReviewFactory(facilitator=fran).exit_interviews.set([restricted])
    client.force_login(fran)
    assert client.get(restricted.get_absolute_url()).status_code == 404


def test_the_account_manager_does_not_see_a_restricted_interview_by_a_partner(
    client, alice, pat, client_a
):
    by_partner = ExitInterviewFactory(client=client_a, interviewer=pat, restricted=True)
    client.force_login(alice)
    assert client.get(by_partner.get_absolute_url()).status_code == 404


def test_the_account_manager_sees_a_normal_interview_by_someone_else(client, alice, pat, client_a):
    by_partner = ExitInterviewFactory(client=client_a, interviewer=pat)
    client.force_login(alice)
    assert client.get(by_partner.get_absolute_url()).status_code == 200


def test_an_unknown_interview_is_a_plain_404_without_audit(client, pat):
    client.force_login(pat)
    assert client.get(reverse("feedback:interview_detail", args=[999])).status_code == 404
    assert not AuditEvent.objects.filter(verb="denied").exists()


def test_denied_and_unknown_look_the_same(client, bob, interview_a):
    client.force_login(bob)
    denied = client.get(interview_a.get_absolute_url())
    unknown = client.get(reverse("feedback:interview_detail", args=[interview_a.pk + 1000]))
    assert denied.status_code == unknown.status_code == 404
    assert denied.content == unknown.content


@pytest.mark.parametrize("persona", ["alice", "bob", "fran", "sam"])
def test_only_partners_see_the_audit_trail(client, request, interview_a, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("feedback:interview_audit", args=[interview_a.pk])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(actor=user, verb="denied").exists()


def test_a_partner_reads_the_audit_trail(client, pat, alice, bob, interview_a):
    client.force_login(bob)
    client.get(interview_a.get_absolute_url())
    client.force_login(alice)
    client.get(interview_a.get_absolute_url())
    client.force_login(pat)
    response = client.get(reverse("feedback:interview_audit", args=[interview_a.pk]))
    assert response.status_code == 200
    verbs = {(e.actor.username, e.verb) for e in response.context["events"]}
    assert {("bob", "denied"), ("alice", "view")} <= verbs


@pytest.mark.parametrize("name", ["interview_detail", "interview_edit", "interview_audit"])
def test_interview_pages_are_never_cached(client, pat, interview_a, name):
    client.force_login(pat)
    response = client.get(reverse(f"feedback:{name}", args=[interview_a.pk]))
    assert "no-store" in response["Cache-Control"]


def test_the_new_interview_page_is_never_cached(client, alice, client_a):
    client.force_login(alice)
    response = client.get(reverse("feedback:interview_new", args=[client_a.pk]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_only_the_account_manager_and_partners_log_interviews(client, request, client_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("feedback:interview_new", args=[client_a.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "fran", "pat", "sam"])
def test_interviews_narrowed_before_the_rule_on_who_reads_them_are_those_narrowed_after(
    request, fran_review, persona
):
    """The interview list narrows the interviews (its filters, a search) before visible_to, which
    then narrows each of its ways in: the same interviews as narrowing what one may read."""
    user = request.getfixturevalue(persona)
    every = {request.getfixturevalue(kind).pk for who, kind, status in MATRIX if who == persona}
    readable = {
        request.getfixturevalue(kind).pk
        for who, kind, status in MATRIX
        if who == persona and status == 200
    }
    old = dt.date(1999, 1, 1)
    for pk in every:  # an old interview beside each, with the same client and restriction
        interview = ExitInterview.objects.get(pk=pk)
        ExitInterviewFactory(
            client=interview.client,
            interviewer=interview.interviewer,
            restricted=interview.restricted,
            held_on=old,
        )
    if persona == "fran":
        fran_review.exit_interviews.add(*ExitInterview.objects.filter(held_on=old))
    before = ExitInterview.objects.filter(held_on__gt=old).visible_to(user)
    after = ExitInterview.objects.visible_to(user).filter(held_on__gt=old)
    assert {i.pk for i in before} == {i.pk for i in after} == readable
