"""The sweep checks the policy again when it sends: a nudge whose time came while sending was not
allowed (the worker was down over a weekend, a quiet period was added after it was planned, the
owner snoozed the action) waits for the next allowed slot instead of going out at 03:00 on a
Saturday, and still goes out exactly once."""

import datetime as dt
import smtplib
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from actions import services
from actions.models import Action, Reminder, ReminderPolicy
from tests.factories import ActionFactory, QuietPeriodFactory, ReminderFactory

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


# Friday June 11, 2027; the weekend is June 12-13; Monday is June 14.
FRIDAY_AFTERNOON = local(2027, 6, 11, 16, 0)
MONDAY_MORNING = local(2027, 6, 14, 9, 0)


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _reminder(owner, at, **fields):
    return ReminderFactory(
        action=ActionFactory(owner=owner, due_on=at.date()), scheduled_for=at, **fields
    )


def _sweep_at(when) -> int:
    with time_machine.travel(when, tick=False):
        return services.send_due_reminders().reminders


def test_the_sweep_holds_a_nudge_missed_over_the_weekend_until_monday_morning(alice):
    reminder = _reminder(alice, FRIDAY_AFTERNOON)
    # The worker was down from Friday afternoon and comes back at 03:00 on Saturday.
    assert _sweep_at(local(2027, 6, 12, 3, 0)) == 0
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.scheduled_for == MONDAY_MORNING
    assert (reminder.sent_at, reminder.claimed_at, reminder.claim_token) == (None, None, None)
    assert _sweep_at(local(2027, 6, 13, 14, 0)) == 0
    assert _sweep_at(MONDAY_MORNING - dt.timedelta(minutes=1)) == 0
    assert _sweep_at(MONDAY_MORNING) == 1
    assert _sweep_at(MONDAY_MORNING + dt.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("back_at", "sent_at"),
    [
        (local(2027, 6, 9, 20, 0), local(2027, 6, 10, 9, 0)),  # Wednesday evening
        (local(2027, 6, 10, 6, 30), local(2027, 6, 10, 9, 0)),  # before opening
        (local(2027, 6, 11, 17, 30), MONDAY_MORNING),  # Friday at closing time
    ],
)
def test_the_sweep_holds_nudges_outside_working_hours(alice, back_at, sent_at):
    reminder = _reminder(alice, back_at - dt.timedelta(hours=3))
    assert _sweep_at(back_at) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == sent_at
    assert _sweep_at(sent_at) == 1


def test_the_sweep_sends_missed_nudges_at_once_inside_working_hours(alice):
    _reminder(alice, local(2027, 6, 9, 20, 0))
    assert _sweep_at(local(2027, 6, 10, 11, 0)) == 1


def test_the_sweep_holds_nudges_through_a_quiet_period_added_after_they_were_planned(alice):
    reminder = _reminder(alice, local(2027, 6, 9, 9, 0))
    QuietPeriodFactory(name="Year end", starts_on=dt.date(2027, 6, 9), ends_on=dt.date(2027, 6, 10))
    assert _sweep_at(local(2027, 6, 9, 11, 0)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == local(2027, 6, 11, 9, 0)
    assert _sweep_at(local(2027, 6, 10, 11, 0)) == 0
    assert _sweep_at(local(2027, 6, 11, 9, 0)) == 1


def test_the_sweep_sends_at_weekends_when_the_policy_allows_it(alice):
    ReminderPolicy.objects.update_or_create(pk=1, defaults={"weekends_off": False})
    _reminder(alice, FRIDAY_AFTERNOON)
    assert _sweep_at(local(2027, 6, 12, 10, 0)) == 1


def test_the_sweep_follows_working_hours_as_the_policy_sets_them(alice):
    ReminderPolicy.objects.update_or_create(
        pk=1, defaults={"workday_starts": dt.time(7, 0), "workday_ends": dt.time(20, 0)}
    )
    reminder = _reminder(alice, local(2027, 6, 9, 6, 0))
    assert _sweep_at(local(2027, 6, 9, 6, 30)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == local(2027, 6, 9, 7, 0)
    assert _sweep_at(local(2027, 6, 9, 19, 0)) == 1


def test_the_sweep_holds_the_nudges_of_a_snoozed_action_until_the_snooze_ends(alice):
    reminder = _reminder(alice, local(2027, 6, 8, 9, 0))
    Action.objects.filter(pk=reminder.action_id).update(
        snoozed_until=dt.date(2027, 6, 10), snooze_reason="Client visit"
    )
    assert _sweep_at(local(2027, 6, 8, 11, 0)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == local(2027, 6, 10, 9, 0)
    assert _sweep_at(local(2027, 6, 10, 9, 0)) == 1


def test_a_snooze_that_ended_holds_nothing(alice):
    reminder = _reminder(alice, local(2027, 6, 8, 9, 0))
    Action.objects.filter(pk=reminder.action_id).update(
        snoozed_until=dt.date(2027, 6, 8), snooze_reason="Client visit"
    )
    assert _sweep_at(local(2027, 6, 8, 11, 0)) == 1


def test_the_sweep_holds_a_recheck_too(pat, alice):
    action = ActionFactory(
        owner=alice,
        status="verified",
        evidence="Roster",
        verified_by=pat,
        due_on=dt.date(2027, 6, 1),
    )
    reminder = ReminderFactory(
        action=action, kind=Kind.RECHECK, recipient=pat, scheduled_for=local(2027, 6, 11, 9, 0)
    )
    assert _sweep_at(local(2027, 6, 12, 3, 0)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == MONDAY_MORNING


def test_a_retry_that_falls_after_hours_waits_for_the_morning(alice, settings):
    reminder = _reminder(alice, local(2027, 6, 9, 17, 20))
    settings.EMAIL_BACKEND = "tests.actions.test_sweep_policy.FailingBackend"
    with time_machine.travel(local(2027, 6, 9, 17, 29), tick=False):
        assert services.send_due_reminders().failed == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert _sweep_at(local(2027, 6, 9, 17, 31)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == local(2027, 6, 10, 9, 0)
    assert _sweep_at(local(2027, 6, 10, 9, 0)) == 1


def test_the_sweep_leaves_rows_another_sweeper_has_claimed(alice):
    reminder = _reminder(alice, local(2027, 6, 11, 17, 29))
    with time_machine.travel(local(2027, 6, 11, 17, 29, 30), tick=False):
        token = services.claim_due_reminders(now=local(2027, 6, 11, 17, 29, 30))
    # The sweeper that claimed it in working hours is still sending when another one runs.
    assert _sweep_at(local(2027, 6, 11, 17, 31)) == 0
    reminder.refresh_from_db()
    assert (reminder.claim_token, reminder.scheduled_for) == (token, local(2027, 6, 11, 17, 29))
    assert services.deliver_claimed(token=token).reminders == 1
    assert _sweep_at(MONDAY_MORNING) == 0
    assert len(mail.outbox) == 1


def test_a_claim_of_a_dead_worker_is_held_and_sent_once_in_working_hours(alice):
    reminder = _reminder(alice, local(2027, 6, 11, 17, 29))
    with time_machine.travel(local(2027, 6, 11, 17, 29, 30), tick=False):
        assert services.claim_due_reminders(now=local(2027, 6, 11, 17, 29, 30)) is not None
    # The worker died; its claim expires overnight, and the row waits for Monday.
    assert _sweep_at(local(2027, 6, 12, 3, 0)) == 0
    reminder.refresh_from_db()
    assert reminder.scheduled_for == MONDAY_MORNING
    assert _sweep_at(MONDAY_MORNING) == 1
    assert _sweep_at(MONDAY_MORNING + dt.timedelta(minutes=10)) == 0
    assert len(mail.outbox) == 1
