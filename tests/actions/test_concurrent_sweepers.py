"""Two sweepers at once, each in its own thread with its own database connection: every due
reminder goes out exactly once.

On PostgreSQL (CI) the threads race freely and the claim uses SELECT … FOR UPDATE SKIP LOCKED.
SQLite's shared in-memory test database refuses concurrent writers outright ("table is
locked"), so there each hold, each claim and each delivery runs under a lock: the two sweepers
still interleave batch by batch over two connections, which tests that a claimed batch is never
taken or sent by the other sweeper."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from actions import services
from actions.models import Reminder
from tests.factories import ActionFactory, ReminderFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("working_hours")]


def _sweeper(barrier: threading.Barrier, results: list, errors: list) -> None:
    try:
        barrier.wait(timeout=10)
        results.append(services.send_due_reminders(batch=7))
    except Exception as error:  # noqa: BLE001 -- handed to the test thread, which fails on it
        errors.append(error)
        raise
    finally:
        connection.close()


def _one_at_a_time(function, lock):
    def locked(**kwargs):
        with lock:
            return function(**kwargs)

    return locked


def test_two_concurrent_sweepers_send_each_reminder_exactly_once(monkeypatch):
    if connection.vendor == "sqlite":
        lock = threading.Lock()
        for name in ("hold_until_allowed", "claim_due_reminders", "deliver_claimed"):
            monkeypatch.setattr(services, name, _one_at_a_time(getattr(services, name), lock))
    people = [UserFactory() for _ in range(12)]
    due = timezone.now() - dt.timedelta(minutes=1)
    reminders = []
    for i in range(120):
        action = ActionFactory(owner=people[i % len(people)])
        reminders.append(ReminderFactory(action=action, scheduled_for=due))
    barrier = threading.Barrier(2)
    results, errors = [], []
    threads = [threading.Thread(target=_sweeper, args=(barrier, results, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 2
    sent_ids = [
        int(pk) for m in mail.outbox for pk in m.extra_headers["X-Learnorg-Reminders"].split(",")
    ]
    assert sorted(sent_ids) == sorted(r.pk for r in reminders)  # none missed, none twice
    assert sum(r.reminders for r in results) == 120
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    if connection.vendor == "postgresql":
        # Both sweepers did part of the work (batches of 7 out of 120). On SQLite the lock above
        # takes turns, and one sweeper may drain the queue before the other gets a turn.
        assert all(r.reminders for r in results)


def test_a_sweep_as_at_a_later_time_does_not_take_over_a_fresh_claim(alice):
    """A sweep run as at the next allowed moment (the benchmark at night) compares claims on its
    own clock: a claim made a moment ago is not five minutes old just because that moment is."""
    later = timezone.now() + dt.timedelta(hours=6)
    ReminderFactory(recipient=alice, scheduled_for=later - dt.timedelta(hours=1))
    assert services.claim_due_reminders(now=later) is not None
    assert services.claim_due_reminders(now=later) is None
