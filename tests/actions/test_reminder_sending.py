"""The sweep: one digest per person, deterministic Message-ID, idempotent, retried on failure,
and a claim left by a dead worker is taken over after a few minutes."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from actions import services, tasks
from actions.models import Action, Reminder
from tests.factories import ActionFactory, ReminderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("working_hours")]
Kind = Reminder.Kind


class FailingBackend:
    """An SMTP server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def _due(owner, *, kind=Kind.DUE, **action_fields):
    action = ActionFactory(owner=owner, **action_fields)
    return ReminderFactory(
        action=action, kind=kind, scheduled_for=timezone.now() - dt.timedelta(minutes=1)
    )


def test_one_digest_per_person_with_all_their_reminders(alice, bob):
    mine = [_due(alice, title=f"Alice action {i}") for i in range(3)]
    _due(bob, title="Bob action")
    result = services.send_due_reminders()
    assert (result.emails, result.reminders) == (2, 4)
    by_person = {m.to[0]: m for m in mail.outbox}
    digest = by_person["alice@example.com"]
    assert digest.subject == "3 improvement actions need your attention"
    for reminder in mine:
        assert reminder.action.title in digest.body
        url = f"{settings.SITE_URL}/actions/{reminder.action_id}/"
        assert url in digest.body
        assert f'href="{url}"' in digest.alternatives[0][0]
    assert digest.extra_headers["Message-ID"] == services._message_id([r.pk for r in mine])
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0


def test_an_action_appears_once_under_its_most_pressing_nudge(alice):
    action = ActionFactory(owner=alice, title="Roster", due_on=timezone.localdate())
    for kind, seq in [(Kind.UPCOMING, 1), (Kind.DUE, 1)]:
        ReminderFactory(action=action, kind=kind, sequence=seq, scheduled_for=timezone.now())
    services.send_due_reminders()
    (message,) = mail.outbox
    assert message.subject == "Due today: Roster"
    assert message.body.count("Roster") == 1


def test_the_message_id_is_deterministic():
    assert services._message_id([3, 1, 2]) == services._message_id([1, 2, 3])
    assert services._message_id([1, 2]) != services._message_id([1, 2, 3])
    assert services._message_id([7]).startswith("<reminders.")


def test_running_it_again_sends_nothing(alice):
    _due(alice)
    services.send_due_reminders()
    services.send_due_reminders()
    assert len(mail.outbox) == 1


def test_future_reminders_wait(alice):
    ReminderFactory(
        action=ActionFactory(owner=alice), scheduled_for=timezone.now() + dt.timedelta(minutes=5)
    )
    assert services.send_due_reminders().emails == 0


def test_people_who_left_or_have_no_email_get_nothing(alice, deactivated):
    alice.email = ""
    alice.save()
    _due(alice)
    _due(deactivated)
    result = services.send_due_reminders()
    assert (len(mail.outbox), result.dropped) == (0, 2)
    assert not Reminder.objects.exists()


def test_reminders_of_closed_actions_are_dropped_not_sent(alice):
    reminder = _due(alice)
    Action.objects.filter(pk=reminder.action_id).update(status="done", evidence="Roster")
    services.send_due_reminders()
    assert mail.outbox == []


def test_a_failed_send_is_retried_with_backoff(alice, settings, caplog):
    reminder = _due(alice)
    settings.EMAIL_BACKEND = "tests.actions.test_reminder_sending.FailingBackend"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        result = services.send_due_reminders()
        assert result.failed == 1
        reminder.refresh_from_db()
        assert (reminder.attempts, reminder.sent_at, reminder.claimed_at) == (1, None, None)
        assert reminder.scheduled_for == timezone.now() + dt.timedelta(minutes=2)
        assert "failed (attempt 1)" in caplog.text
        traveller.shift(dt.timedelta(minutes=1))
        assert services.send_due_reminders().failed == 0  # still backing off
        traveller.shift(dt.timedelta(minutes=1))
        services.send_due_reminders()
        reminder.refresh_from_db()
        assert reminder.attempts == 2
        assert reminder.scheduled_for == timezone.now() + dt.timedelta(minutes=4)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        traveller.shift(dt.timedelta(minutes=4))
        assert services.send_due_reminders().reminders == 1
    assert len(mail.outbox) == 1


def test_a_claim_of_a_dead_worker_is_taken_over_after_a_few_minutes(alice):
    reminder = _due(alice)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        # A worker claims the row and dies before sending.
        assert services.claim_due_reminders(now=timezone.now()) is not None
        assert services.send_due_reminders().emails == 0
        traveller.shift(services.CLAIM_TIMEOUT - dt.timedelta(seconds=1))
        assert services.send_due_reminders().emails == 0
        traveller.shift(dt.timedelta(seconds=2))
        assert services.send_due_reminders().emails == 1
    reminder.refresh_from_db()
    assert reminder.sent_at is not None


def test_a_worker_that_lost_its_claim_cannot_mark_rows_sent(alice):
    _due(alice)
    token = services.claim_due_reminders(now=timezone.now())
    Reminder.objects.update(claim_token=None, claimed_at=None)  # taken over by another sweep
    assert services.deliver_claimed(token=token).emails == 0
    assert mail.outbox == []


def test_batches_keep_each_persons_reminders_together(alice, bob, sam):
    for person in (alice, bob, sam):
        for _ in range(3):
            _due(person)
    result = services.send_due_reminders(batch=4)
    assert (result.emails, result.reminders) == (3, 9)
    assert sorted(len(m.extra_headers["X-Learnorg-Reminders"].split(",")) for m in mail.outbox) == [
        3,
        3,
        3,
    ]


def test_the_beat_task_runs_the_sweep(alice):
    _due(alice)
    assert tasks.send_due_reminders.delay().get() == 1
    assert len(mail.outbox) == 1


def test_the_beat_schedule_runs_it_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["actions-send-due-reminders"]
    assert entry["task"] == "actions.tasks.send_due_reminders"
    assert entry["schedule"] == 60.0
    assert tasks.send_due_reminders.acks_late
