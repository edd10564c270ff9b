"""Partners and facilitators answer staff suggestions: accept (an action), decline (with a reason)
or merge a duplicate. Nobody else sees them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from actions.models import Action
from feedback import services
from feedback.models import Suggestion

pytestmark = pytest.mark.django_db

TRIAGE = reverse("feedback:suggestion_triage")


@pytest.fixture
def anonymous(sam):
    return services.submit_suggestion(
        text="Answer client e-mails within two days in busy season.", by=sam, anonymous=True
    )


@pytest.fixture
def named(alice):
    return services.submit_suggestion(
        text="Reply to client e-mail inside 48 hours, even in March.", by=alice, anonymous=False
    ).suggestion


def _url(name, suggestion):
    return reverse(f"feedback:{name}", args=[suggestion.pk])


def _accept_data(person, **extra):
    due = timezone.localdate() + dt.timedelta(days=14)
    return {"title": "Two-day reply rule", "owner": person.pk, "due_on": due.isoformat(), **extra}


@pytest.mark.parametrize("persona", ["pat", "fran"])
def test_partners_and_facilitators_see_every_suggestion(client, request, persona, anonymous, named):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(TRIAGE).content.decode()
    assert "Answer client e-mails within two days" in page
    assert "Reply to client e-mail inside 48 hours" in page
    assert "Alice Moreno" in page and "Anonymous" in page
    assert client.get(_url("suggestion_detail", named)).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "bob", "sam"])
def test_everyone_else_gets_404(client, request, persona, anonymous):
    client.force_login(request.getfixturevalue(persona))
    suggestion = anonymous.suggestion
    assert client.get(TRIAGE).status_code == 404
    assert client.get(_url("suggestion_detail", suggestion)).status_code == 404
    owner = request.getfixturevalue(persona)
    assert (
        client.post(_url("suggestion_accept", suggestion), _accept_data(owner)).status_code == 404
    )
    assert client.post(_url("suggestion_decline", suggestion), {"reason": "No"}).status_code == 404
    assert Suggestion.objects.get().status == Suggestion.Status.NEW
    assert not Action.objects.exists()


def test_the_service_refuses_people_who_may_not_triage(anonymous, sam):
    with pytest.raises(ValidationError):
        services.decline_suggestion(suggestion=anonymous.suggestion, by=sam, reason="No.")
    assert Suggestion.objects.get().status == Suggestion.Status.NEW


def test_accepting_creates_an_action_that_points_back(client, pat, bob, anonymous):
    client.force_login(pat)
    suggestion = anonymous.suggestion
    response = client.post(
        _url("suggestion_accept", suggestion),
        _accept_data(bob, answer="Good idea; Bob will set it up."),
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.source_suggestion, action.owner, action.created_by) == (suggestion, bob, pat)
    assert action.title == "Two-day reply rule"
    assert action.detail == suggestion.text
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", pat)
    assert suggestion.answer == "Good idea; Bob will set it up."
    # The action says where it came from, and the anonymous suggester stays anonymous there.
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Staff suggestion" in page
    assert "Sam Rivera" not in page


def test_the_receipt_follows_the_action_to_you_suggested_we_did(client, pat, bob, anonymous):
    action = services.accept_suggestion(
        suggestion=anonymous.suggestion,
        by=pat,
        title="Two-day reply rule",
        owner=bob,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    receipt = reverse("feedback:suggestion_receipt", args=[anonymous.receipt_token])
    client.force_login(bob)
    page = client.get(receipt).content.decode()
    assert "Two-day reply rule" in page and "in hand, due" in page
    Action.objects.filter(pk=action.pk).update(
        status="verified", evidence="Shared inbox with a two-day SLA since May.", verified_by=pat
    )
    page = client.get(receipt).content.decode()
    assert "done and checked" in page
    assert "We did:</strong> Shared inbox with a two-day SLA since May." in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"due_on": "2001-01-01"}, "due_on", "The due date is in the past."),
        ({"due_on": "soon"}, "due_on", "Enter a valid date."),
        ({"owner": "999999"}, "owner", "Select a valid choice"),
    ],
)
def test_accepting_explains_bad_input(client, pat, anonymous, data, field, message):
    client.force_login(pat)
    response = client.post(
        _url("suggestion_accept", anonymous.suggestion), _accept_data(pat, **data)
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["accept_form"].errors[field])
    assert not Action.objects.exists()
    assert Suggestion.objects.get().status == Suggestion.Status.NEW


def test_declining_needs_a_reason(client, fran, named):
    client.force_login(fran)
    url = _url("suggestion_decline", named)
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert "Say why" in " ".join(response.context["decline_form"].errors["reason"])
    named.refresh_from_db()
    assert named.status == Suggestion.Status.NEW
    with pytest.raises(ValidationError):
        services.decline_suggestion(suggestion=named, by=fran, reason="")
    assert client.post(url, {"reason": "We tried it in 2024; see the lesson."}).status_code == 302
    named.refresh_from_db()
    assert (named.status, named.answer) == ("declined", "We tried it in 2024; see the lesson.")


def test_a_suggestion_is_answered_once(client, pat, fran, named):
    services.decline_suggestion(suggestion=named, by=fran, reason="Not now.")
    client.force_login(pat)
    response = client.post(_url("suggestion_accept", named), _accept_data(pat))
    assert response.status_code == 400
    assert "already been answered" in response.content.decode()
    stale = Suggestion.objects.get(pk=named.pk)
    Suggestion.objects.filter(pk=named.pk).update(status="new", answer="")
    services.accept_suggestion(
        suggestion=stale, by=pat, title="T", owner=pat, due_on=timezone.localdate()
    )
    # The second of two people answering at once is refused, not recorded twice.
    with pytest.raises(ValidationError, match="already been answered"):
        services.decline_suggestion(suggestion=stale, by=fran, reason="Too late.")
    assert Action.objects.count() == 1


def test_merging_a_duplicate_lets_its_suggester_follow_the_other(
    client, pat, alice, anonymous, named
):
    client.force_login(pat)
    response = client.post(
        _url("suggestion_merge", named),
        {"into": anonymous.suggestion.pk, "note": "Same idea as an earlier one."},
    )
    assert response.status_code == 302
    named.refresh_from_db()
    assert (named.status, named.merged_into) == ("merged", anonymous.suggestion)
    services.decline_suggestion(
        suggestion=anonymous.suggestion, by=pat, reason="Covered by the new service charter."
    )
    client.force_login(alice)
    page = client.get(reverse("feedback:suggestion_mine")).content.decode()
    assert "Merged with a similar suggestion" in page
    assert "Same idea as an earlier one." in page
    assert "Covered by the new service charter." in page
    # Alice does not get to read the other (anonymous) suggestion's words.
    assert "Answer client e-mails within two days" not in page


def test_merge_refuses_itself_and_merged_targets(client, pat, sam, anonymous, named):
    client.force_login(pat)
    third = services.submit_suggestion(text="Third", by=sam, anonymous=False).suggestion
    response = client.post(_url("suggestion_merge", named), {"into": named.pk})
    assert response.status_code == 400
    assert "Choose a suggestion from the list." in response.context["merge_form"].errors["into"]
    services.merge_suggestion(suggestion=third, into=anonymous.suggestion, by=pat)
    response = client.post(_url("suggestion_merge", named), {"into": third.pk})
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        services.merge_suggestion(suggestion=named, into=third, by=pat)
    with pytest.raises(ValidationError):
        services.merge_suggestion(suggestion=named, into=named, by=pat)
    named.refresh_from_db()
    assert named.status == Suggestion.Status.NEW


def test_merging_a_suggestion_that_has_duplicates_moves_them_along(pat, sam, anonymous, named):
    third = services.submit_suggestion(text="Third", by=sam, anonymous=False).suggestion
    services.merge_suggestion(suggestion=third, into=named, by=pat)
    services.merge_suggestion(suggestion=named, into=anonymous.suggestion, by=pat)
    third.refresh_from_db()
    assert third.merged_into == anonymous.suggestion


def test_decisions_are_audited_under_the_decider_only(pat, sam, anonymous):
    services.decline_suggestion(suggestion=anonymous.suggestion, by=pat, reason="Not now.")
    events = AuditEvent.objects.filter(object_type="feedback.suggestion")
    assert [(e.actor, e.verb, e.detail["status"]) for e in events] == [(pat, "update", "declined")]
    assert not AuditEvent.objects.filter(actor=sam).exists()


def test_the_list_runs_a_fixed_number_of_queries(client, pat, alice, django_assert_num_queries):
    client.force_login(pat)
    client.get(TRIAGE)
    for i in range(8):
        services.submit_suggestion(text=f"Idea {i}", by=alice, anonymous=i % 2 == 0)
    first, second = Suggestion.objects.all()[:2]
    services.merge_suggestion(suggestion=first, into=second, by=pat)
    # session, user, groups, count, page of suggestions (authors, deciders, merged-into joined),
    # and the savepoints of ATOMIC_REQUESTS inside the test transaction.
    with django_assert_num_queries(7):
        response = client.get(TRIAGE, {"show": "all"})
    assert response.content.decode().count("<tr>") == 9
