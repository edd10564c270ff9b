"""The benchmark command counts what it sent, finds nothing missed or doubled, cleans up and
ends with one JSON line. (Here with one in-process worker on a small data set; `make bench`
runs the real size with two worker processes.)"""

import datetime as dt
import io
import json
import multiprocessing.dummy
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from actions.management.commands import bench_reminders
from actions.models import Action, Reminder
from tests.factories import ReminderFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("working_hours")]


def test_the_reminder_benchmark_reports_all_due_reminders_sent_once_and_cleans_up(monkeypatch):
    monkeypatch.setattr(bench_reminders, "worker_context", lambda: multiprocessing.dummy)
    out = io.StringIO()
    call_command("bench_reminders", actions=60, due=25, people=7, workers=1, stdout=out)
    lines = out.getvalue().strip().splitlines()
    figures = json.loads(lines[-1])["reminders"]
    assert (figures["due"], figures["missed"], figures["duplicates"]) == (25, 0, 0)
    assert figures["emails"] == 7
    assert figures["seconds"] >= 0
    assert "0 missed, 0 duplicates" in out.getvalue()
    assert not User.objects.filter(username__startswith="bench-reminders-").exists()
    assert not Action.objects.exists() and not Reminder.objects.exists()


def test_the_reminder_benchmark_refuses_a_database_with_real_reminders_due(alice):
    ReminderFactory(action__owner=alice)
    with pytest.raises(CommandError, match="database of its own"):
        call_command("bench_reminders", actions=10, due=5, people=2, stdout=io.StringIO())


def test_the_reminder_benchmark_sweeps_as_at_the_next_allowed_time_at_night(monkeypatch):
    monkeypatch.setattr(bench_reminders, "worker_context", lambda: multiprocessing.dummy)
    out = io.StringIO()
    saturday_night = dt.datetime(2027, 6, 12, 3, 0, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(saturday_night, tick=True):
        call_command("bench_reminders", actions=20, due=10, people=3, workers=1, stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])["reminders"]
    assert (figures["due"], figures["missed"], figures["duplicates"]) == (10, 0, 0)
