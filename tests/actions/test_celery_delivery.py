"""End to end through the real machinery: celery beat (the DatabaseScheduler, fed from
CELERY_BEAT_SCHEDULE) queues the sweep on the configured broker (Redis in CI), a real worker
runs it, and the digest arrives at a local SMTP server (aiosmtpd)."""

import datetime as dt
import email
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from celery.beat import EmbeddedService
from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from actions.models import Reminder
from learnorg.celery import app
from tests.factories import ActionFactory, ReminderFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("working_hours")]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def fast_beat(settings):
    """The real schedule entry, ticking every second instead of every minute."""
    entry = dict(settings.CELERY_BEAT_SCHEDULE["actions-send-due-reminders"], schedule=1.0)
    previous = app.conf.beat_schedule
    app.conf.beat_schedule = {"actions-send-due-reminders": entry}
    yield
    app.conf.beat_schedule = previous


def test_beat_and_a_worker_deliver_a_due_reminder_over_smtp(alice, smtp_sink, fast_beat):
    inbox, port = smtp_sink
    action = ActionFactory(owner=alice, title="Publish the escalation roster")
    reminder = ReminderFactory(
        action=action, scheduled_for=timezone.now() - dt.timedelta(minutes=1)
    )
    app.conf.task_always_eager = False
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
    # EmbeddedService defaults to the file-backed scheduler; run the one production runs.
    beat = EmbeddedService(app, thread=True, max_interval=1, scheduler_cls=DatabaseScheduler)
    with (
        override_settings(**smtp),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        beat.start()
        try:
            deadline = time.monotonic() + 40
            while not inbox.messages and time.monotonic() < deadline:
                time.sleep(0.25)
        finally:
            beat.stop()
            beat.join(timeout=10)
            connections.close_all()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Due today: Publish the escalation roster"
    assert message["Message-ID"].startswith("<reminders.")
    reminder.refresh_from_db()
    assert reminder.sent_at is not None
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0
