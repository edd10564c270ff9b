"""Changing the firm's reminder calendar in admin (the policy, a quiet period) moves the nudges
already planned for open actions, whichever way the change is made."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from actions import services
from actions.models import QuietPeriod, Reminder
from tests.factories import ActionFactory, QuietPeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 3, 10)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def action(alice):
    action = ActionFactory(owner=alice, due_on=DUE)
    services.replan_reminders(action=action)
    return action


def _due_nudge(action) -> dt.date:
    return action.reminders.get(kind=Reminder.Kind.DUE, sent_at__isnull=True).scheduled_for.date()


def test_the_calendar_admin_moves_planned_nudges_out_of_a_quiet_period_added_in_admin(
    admin_client, action, django_capture_on_commit_callbacks
):
    assert _due_nudge(action) == DUE
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:actions_quietperiod_add"),
            {"name": "Busy week", "starts_on": "2027-03-08", "ends_on": "2027-03-12"},
        )
    assert QuietPeriod.objects.count() == 1
    assert _due_nudge(action) > dt.date(2027, 3, 12)


def test_the_calendar_admin_brings_nudges_back_when_a_quiet_period_is_deleted(
    admin_client, action, django_capture_on_commit_callbacks
):
    quiet = QuietPeriodFactory(starts_on=dt.date(2027, 3, 8), ends_on=dt.date(2027, 3, 12))
    services.replan_reminders(action=action)
    assert _due_nudge(action) > dt.date(2027, 3, 12)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:actions_quietperiod_delete", args=[quiet.pk]), {"post": "yes"}
        )
    assert not QuietPeriod.objects.exists()
    assert _due_nudge(action) == DUE


def test_the_calendar_admin_brings_nudges_back_when_quiet_periods_are_deleted_from_the_list(
    admin_client, action, django_capture_on_commit_callbacks
):
    quiet = QuietPeriodFactory(starts_on=dt.date(2027, 3, 8), ends_on=dt.date(2027, 3, 12))
    services.replan_reminders(action=action)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:actions_quietperiod_changelist"),
            {"action": "delete_selected", "_selected_action": [quiet.pk], "post": "yes"},
        )
    assert not QuietPeriod.objects.exists()
    assert _due_nudge(action) == DUE
