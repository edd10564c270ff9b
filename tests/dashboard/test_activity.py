"""What happened while I was away: two weeks of events on my clients, my actions and my reviews,
loaded after the home page, through the same visibility rules as the pages they link to."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions import services as action_services
from dashboard.activity import recent_activity
from feedback.models import ExitInterview
from retrospectives.models import Review
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    ParticipantFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def _texts(user):
    return [item.text for item in recent_activity(user)]


def test_my_actions_history_and_comments_are_listed_newest_first(alice, pat):
    action = ActionFactory(owner=alice, created_by=pat, title="Publish the roster")
    action_services.start_action(action=action, by=alice)
    action_services.comment_on_action(action=action, by=pat, text="Looks good")
    assert _texts(alice)[:2] == [
        "Pat Lindqvist commented on “Publish the roster”",
        "Alice Moreno moved “Publish the roster” to in progress",
    ]


def test_feedback_on_my_client_says_which_client_and_rating_never_who(alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    FeedbackResponseFactory(
        client=acme, rating=3, contact_name="Carla Private", contact_consent=True
    )
    assert _texts(alice) == ["New feedback about Acme Holdings (rated 3/10)"]


def test_a_restricted_interview_is_listed_only_to_who_may_read_it(alice, pat):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice, relationship_partner=pat)
    ExitInterviewFactory(
        client=acme,
        interviewer=pat,
        restricted=True,
        status=ExitInterview.Status.FINAL,
        finalised_at=timezone.now(),
    )
    assert _texts(pat) == ["Exit interview with Acme Holdings finalised"]
    assert _texts(alice) == []  # alice is the account manager, but not the interviewer


def test_my_reviews_starting_and_closing_are_listed(alice, fran):
    review = ReviewFactory(
        title="Why we lost Acme",
        facilitator=fran,
        status=Review.Status.CLOSED,
        started_at=timezone.now() - dt.timedelta(hours=2),
        closed_at=timezone.now() - dt.timedelta(hours=1),
    )
    ParticipantFactory(review=review, user=alice)
    assert _texts(alice) == ["“Why we lost Acme” closed", "“Why we lost Acme” started"]


def test_older_than_two_weeks_or_other_peoples_things_are_left_out(alice, bob, pat):
    old = ActionFactory(owner=alice, created_by=pat)
    old.events.create(actor=pat, note="Created", at=timezone.now() - dt.timedelta(days=15))
    ActionFactory(owner=bob).events.create(actor=bob, note="Created")
    FeedbackResponseFactory(client=ClientFactory(account_manager=bob))
    assert _texts(alice) == []


def test_the_home_page_loads_the_list_after_itself(client, alice, pat):
    ActionFactory(owner=alice, created_by=pat, title="Publish the roster").events.create(
        actor=pat, note="Created"
    )
    client.force_login(alice)
    home = client.get(reverse("home")).content.decode()
    assert reverse("dashboard:activity") in home and "Publish the roster" in home
    fragment = client.get(reverse("dashboard:activity")).content.decode()
    assert "Pat Lindqvist created “Publish the roster”" in fragment
    assert "<html" not in fragment


def test_the_list_costs_the_same_queries_however_much_happened(
    client, alice, pat, django_assert_num_queries
):
    client.force_login(alice)
    acme = ClientFactory(account_manager=alice)

    def happen(count):
        for _ in range(count):
            ActionFactory(owner=alice, created_by=pat).events.create(actor=pat, note="Created")
            FeedbackResponseFactory(client=acme, rating=5)

    happen(2)
    client.get(reverse("dashboard:activity"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard:activity"))
    happen(20)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("dashboard:activity"))


def test_an_action_i_asked_for_but_cannot_open_is_left_out(alice, bob):
    asked = ActionFactory(owner=bob, created_by=alice, title="Bob's own work")
    asked.events.create(actor=bob, note="Started")
    assert _texts(alice) == []
