"""Which changes a webhook hears about, and what its payloads never hold: an anonymous
suggester, an interview's words, a restricted interview's reason, a lesson's internal words."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.events import EVENTS, emit
from actions import services as actions
from feedback import services as feedback
from feedback.models import ExitInterview
from privacy import services as privacy
from retrospectives import services as retrospectives
from tests.factories import (
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    LessonFactory,
    loss_reason,
)
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_events(receiver):
    return Webhook.objects.create(url=receiver.url, events=list(EVENTS))


def _heard(receiver) -> list[str]:
    return [body["event"] for body in receiver.bodies()]


def test_the_action_lifecycle_is_heard(
    alice, pat, all_events, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = actions.create_action(
            title="Name a backup partner",
            owner=alice,
            due_on=timezone.localdate() + dt.timedelta(days=20),
            created_by=alice,
        )
        actions.start_action(action=action, by=alice)
        actions.complete_action(action=action, by=alice, evidence="Roster in the wiki")
        actions.verify_action(action=action, by=pat)
    assert _heard(receiver) == ["action.created", "action.done", "action.verified"]
    assert receiver.bodies()[-1]["data"]["action"]["status"] == "verified"


def test_a_save_attempt_opening_and_closing_is_heard(
    alice, all_events, receiver, django_capture_on_commit_callbacks
):
    client = ClientFactory(account_manager=alice)
    response = FeedbackResponseFactory(client=client, request__client=client, rating=2)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = feedback.raise_save_alert(response_id=response.pk)
        feedback.record_first_contact(
            attempt=attempt, by=alice, contacted_on=timezone.localdate(), note="Called the CFO"
        )
        feedback.close_save_attempt(attempt=attempt, by=alice, outcome="saved", note="Stays")
    assert _heard(receiver) == ["save_attempt.opened", "save_attempt.closed"]
    closed = receiver.bodies()[-1]["data"]["save_attempt"]
    assert (closed["id"], closed["status"], closed["client"]["id"]) == (
        attempt.pk,
        "saved",
        client.pk,
    )
    assert "Called the CFO" not in json.dumps(receiver.bodies())


def test_a_lesson_is_heard_when_it_is_first_published(
    all_events, receiver, django_capture_on_commit_callbacks
):
    lesson = LessonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        retrospectives.publish_lesson(lesson=lesson)
        retrospectives.publish_lesson(lesson=lesson)  # saved again while published
    assert _heard(receiver) == ["lesson.published"]
    [body] = receiver.bodies()
    assert body["data"]["lesson"]["statement"] == lesson.statement_public
    assert lesson.statement_internal not in json.dumps(body)


def test_a_finalised_interview_is_heard_without_its_words(
    alice, all_events, receiver, django_capture_on_commit_callbacks
):
    interview = ExitInterviewFactory(
        client__account_manager=alice,
        status=ExitInterview.Status.DRAFT,
        client_primary_reason=loss_reason("fee"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.finalise_interview(interview=interview, by=alice)
    assert _heard(receiver) == ["interview.finalised"]
    data = receiver.bodies()[0]["data"]["interview"]
    assert (
        data["id"] == interview.pk
        and data["primary_reason"] == interview.client_primary_reason.name
    )
    written = json.dumps(receiver.bodies())
    for words in (interview.client_words, interview.team_hypothesis, interview.interviewee_name):
        assert words not in written


def test_a_restricted_interview_is_heard_without_even_its_reason(
    alice, all_events, receiver, django_capture_on_commit_callbacks
):
    interview = ExitInterviewFactory(
        client__account_manager=alice,
        status=ExitInterview.Status.DRAFT,
        client_primary_reason=loss_reason("fee"),
        restricted=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.finalise_interview(interview=interview, by=alice)
    data = receiver.bodies()[0]["data"]["interview"]
    assert data["restricted"] is True and data["primary_reason"] is None
    written = json.dumps(receiver.bodies())
    assert (
        interview.client_words not in written
        and interview.client_primary_reason.name not in written
    )


def test_an_action_from_an_anonymous_suggestion_never_names_its_author(
    sam, pat, all_events, receiver, django_capture_on_commit_callbacks
):
    suggestion = feedback.submit_suggestion(
        text="Rotate who answers the phone on Fridays", by=sam, anonymous=True
    ).suggestion
    with django_capture_on_commit_callbacks(execute=True):
        action = feedback.accept_suggestion(
            suggestion=suggestion,
            by=pat,
            title="Friday phone rota",
            owner=pat,
            due_on=timezone.localdate() + dt.timedelta(days=14),
        )
    [body] = receiver.bodies()
    assert body["data"]["action"]["source"] == {"kind": "suggestion", "id": suggestion.pk}
    assert body["data"]["action"]["id"] == action.pk
    written = json.dumps(receiver.bodies()) + json.dumps([d.body for d in Delivery.objects.all()])
    for clue in (sam.username, sam.display_name, sam.email, f'"user": {sam.pk}'):
        assert clue not in written


def test_a_payload_is_built_only_when_some_hook_listens(alice):
    built = []
    emit("action.created", lambda: built.append(1) or {})
    assert built == []
    Webhook.objects.create(url="https://example.com/hooks/", events=["action.done"])
    emit("action.created", lambda: built.append(1) or {})
    assert built == []


def test_an_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown event"):
        emit("action.exploded", dict)


def test_erasing_a_client_rewrites_the_deliveries_that_name_it(
    alice, all_events, receiver, django_capture_on_commit_callbacks
):
    interview = ExitInterviewFactory(
        client__name="Quillfeather Bakery LLC",
        client__account_manager=alice,
        status=ExitInterview.Status.DRAFT,
        client_primary_reason=loss_reason("fee"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback.finalise_interview(interview=interview, by=alice)
    assert "Quillfeather" in Delivery.objects.get().body
    privacy.erase_client(client=interview.client)
    body = Delivery.objects.get().body
    assert "Quillfeather" not in body
    assert json.loads(body)["data"]["interview"]["id"] == interview.pk
