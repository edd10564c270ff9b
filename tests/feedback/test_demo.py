import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback.models import (
    Client,
    ExitInterview,
    FeedbackRequest,
    FeedbackResponse,
    LearningCheck,
    SaveAttempt,
    Suggestion,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(
            Client.objects.values_list(
                "name", "status", "lost_on", "account_manager__username", "annual_fees"
            )
        ),
        sorted(
            ExitInterview.objects.values_list(
                "client__name", "held_on", "client_words", "team_hypothesis", "status"
            )
        ),
        sorted(FeedbackRequest.objects.values_list("client__name", "token", "revoked_at"), key=str),
        sorted(
            FeedbackResponse.objects.values_list(
                "client__name", "do_better", "submitted_at", "triage"
            ),
            key=str,
        ),
        sorted(LearningCheck.objects.values_list("respondent__username", "quarter", "item1")),
        sorted(
            SaveAttempt.objects.values_list(
                "client__name", "status", "opened_at", "first_contact_on", "responses__rating"
            ),
            key=str,
        ),
        sorted(
            Suggestion.objects.values_list(
                "text", "author__username", "status", "receipt_digest", "merged_into__text"
            ),
            key=str,
        ),
        sorted(FeedbackResponse.objects.values_list("doing_right", "acted_on"), key=str),
    )


def test_running_it_twice_gives_the_same_feedback_data():
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    call_command("seed_demo", stdout=None)
    assert _snapshot() == first


def test_the_feedback_demo_builds_a_believable_firm():
    call_command("seed_demo", stdout=None)
    assert 55 <= Client.objects.count() <= 65
    managers = set(Client.objects.values_list("account_manager__username", flat=True))
    partners = set(Client.objects.values_list("relationship_partner__username", flat=True))
    assert managers == {"alice", "bob"} and partners == {"pat", "quinn"}
    assert Client.objects.values("office").distinct().count() == 3
    assert FeedbackRequest.objects.filter(client=None, revoked_at=None).count() == 1
    assert FeedbackResponse.objects.count() >= 15
    assert LearningCheck.objects.values("quarter").distinct().count() == 2


def test_the_three_recent_losses_have_the_clients_words_apart_from_the_team():
    call_command("seed_demo", stdout=None)
    since = timezone.localdate() - dt.timedelta(days=92)
    recent = ExitInterview.objects.filter(client__lost_on__gte=since, status="final")
    assert recent.count() == 3
    for interview in recent:
        assert interview.client.status == Client.Status.LOST
        assert interview.held_on <= timezone.localdate()
        assert interview.client_primary_reason != interview.team_reason
        assert interview.client_words and interview.team_hypothesis
    assert ExitInterview.objects.filter(client__lost_on__lt=since).count() >= 5


def test_the_feedback_demo_has_an_open_a_saved_and_a_lost_save_attempt():
    call_command("seed_demo", stdout=None)
    by_status = {a.status: a for a in SaveAttempt.objects.select_related("client")}
    assert sorted(by_status) == ["lost", "open", "saved"]
    open_one = by_status["open"]
    assert open_one.client.status == Client.Status.AT_RISK
    assert open_one.first_contact_overdue  # the demo shows what overdue looks like
    assert open_one.responses.filter(rating__lte=6).exists()
    assert by_status["saved"].client.status == Client.Status.ACTIVE
    assert by_status["saved"].first_contact_on is not None
    lost = by_status["lost"]
    assert lost.client.status == Client.Status.LOST
    assert lost.client.exit_interviews.filter(status="final").exists()
    assert lost.closed_at.date() <= lost.client.lost_on
    assert all(a.responses.exists() for a in by_status.values())


def test_the_feedback_demo_seeds_suggestions_in_every_state_and_clients_who_heard_back():
    call_command("seed_demo", stdout=None)
    states = set(Suggestion.objects.values_list("status", flat=True))
    assert states == {"new", "accepted", "declined", "merged"}
    anonymous = Suggestion.objects.filter(author=None)
    assert anonymous.exists() and not anonymous.filter(receipt_digest=None).exists()
    for suggestion in Suggestion.objects.filter(status="accepted"):
        assert suggestion.actions.count() == 1
    assert Suggestion.objects.filter(status="declined").exclude(answer="").exists()
    assert Suggestion.objects.get(status="merged").merged_into.status == "accepted"
    answers = FeedbackResponse.objects.filter(acted_on__isnull=False)
    assert answers.count() >= 4
    for response in answers:
        assert FeedbackResponse.objects.filter(
            client=response.client, reply_sent_at__lt=response.submitted_at
        ).exists()
