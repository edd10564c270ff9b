"""Actions through the API move through the same services as the page's buttons: the same
history, the same refusals, the same checks of what is sent."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionEvent
from tests.factories import ActionFactory, ReviewFactory

TODAY = timezone.localdate()


def _history(action: Action) -> list[tuple]:
    return list(
        ActionEvent.objects.filter(action=action).values_list(
            "actor__username", "from_status", "to_status", "note", "is_comment"
        )
    )


def test_transitions_through_the_api_write_the_same_history_as_the_pages(api, client, alice, fran):
    review = ReviewFactory(facilitator=fran)
    by_page = ActionFactory(owner=alice, source_review=review)
    by_api = ActionFactory(owner=alice, source_review=review)
    client.force_login(alice)
    client.post(reverse("actions:action_start", args=[by_page.pk]))
    client.post(reverse("actions:action_complete", args=[by_page.pk]), {"evidence": "New roster"})
    client.force_login(fran)
    client.post(reverse("actions:action_verify", args=[by_page.pk]), {"note": "Seen it"})
    alice_api, fran_api = api(alice), api(fran)
    url = f"/api/v1/actions/{by_api.pk}"
    assert alice_api.post(f"{url}/start/", content_type="application/json").status_code == 200
    response = alice_api.post(
        f"{url}/complete/", {"evidence": "New roster"}, content_type="application/json"
    )
    assert response.json()["status"] == "done"
    response = fran_api.post(f"{url}/verify/", {"note": "Seen it"}, content_type="application/json")
    assert response.json()["status"] == "verified"
    assert _history(by_api) == _history(by_page)
    assert len(_history(by_api)) == 3
    events = fran_api.get(f"{url}/events/").json()
    assert [event["to_status"] for event in events] == ["in_progress", "done", "verified"]


def test_a_refused_transition_is_400_with_the_services_message(api, alice):
    action = ActionFactory(owner=alice)
    response = api(alice).post(
        f"/api/v1/actions/{action.pk}/verify/", content_type="application/json"
    )
    assert response.status_code == 400
    assert "never its owner" in response.json()["detail"][0]
    assert Action.objects.get(pk=action.pk).status == Action.Status.OPEN


def test_completing_without_evidence_is_400_by_field(api, alice):
    action = ActionFactory(owner=alice)
    response = api(alice).post(
        f"/api/v1/actions/{action.pk}/complete/", {"evidence": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Say what changed" in response.json()["evidence"][0]


def test_an_action_created_through_the_api_is_owned_by_its_maker_unless_assigned(
    api, alice, bob, pat
):
    due = str(TODAY + dt.timedelta(days=10))
    response = api(alice).post(
        "/api/v1/actions/",
        {"title": "Name a backup partner", "due_on": due, "owner": bob.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == alice.pk
    response = api(pat).post(
        "/api/v1/actions/",
        {"title": "Name a backup partner", "due_on": due, "owner": bob.pk, "priority": "high"},
        content_type="application/json",
    )
    assert response.json()["owner"]["id"] == bob.pk
    action = Action.objects.get(pk=response.json()["id"])
    assert _history(action) == [("pat", "", "open", "Created", False)]


def test_an_action_due_in_the_past_needs_the_confirmation(api, alice):
    body = {"title": "Name a backup partner", "due_on": str(TODAY - dt.timedelta(days=1))}
    response = api(alice).post("/api/v1/actions/", body, content_type="application/json")
    assert response.status_code == 400
    assert "in the past" in response.json()["due_on"][0]
    body["confirm_past_due"] = True
    assert (
        api(alice).post("/api/v1/actions/", body, content_type="application/json").status_code
        == 201
    )


def test_list_filters_mine_status_and_overdue(api, alice, pat):
    mine = ActionFactory(owner=alice, due_on=TODAY - dt.timedelta(days=3))
    theirs = ActionFactory(owner=pat)
    done = ActionFactory(owner=alice, status=Action.Status.DONE, evidence="Done")
    client = api(pat)

    def ids(**query):
        return {row["id"] for row in client.get("/api/v1/actions/", query).json()["results"]}

    assert ids() == {mine.pk, theirs.pk, done.pk}
    assert ids(mine="true") == {theirs.pk}
    assert ids(status="still_open") == {mine.pk, theirs.pk}
    assert ids(overdue="true") == {mine.pk}
    assert ids(owner=alice.pk, status="done") == {done.pk}
    assert api(alice).get("/api/v1/actions/").json()["count"] == 2
    assert client.get("/api/v1/actions/", {"status": "nonsense"}).status_code == 400


def test_a_comment_through_the_api_joins_the_thread(api, alice):
    action = ActionFactory(owner=alice)
    response = api(alice).post(
        f"/api/v1/actions/{action.pk}/comment/",
        {"text": "Roster drafted"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert _history(action)[-1] == ("alice", "", "", "Roster drafted", True)


def test_an_unknown_or_malformed_id_is_404_not_500(api, alice):
    client = api(alice)
    assert client.get("/api/v1/actions/999999/").status_code == 404
    assert client.get("/api/v1/actions/abc/").status_code == 404
    assert client.post("/api/v1/actions/999999/start/", {}, "application/json").status_code == 404


def test_a_body_that_is_not_json_is_400(api, alice):
    action = ActionFactory(owner=alice)
    response = api(alice).post(
        f"/api/v1/actions/{action.pk}/complete/", "evidence=x", content_type="application/json"
    )
    assert response.status_code == 400
