"""The beat task plans each recurring audit's review four weeks ahead, once, and invites its
facilitator; paused and stopped schedules plan nothing."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from icalendar import Calendar

from retrospectives import services, tasks
from retrospectives.models import AuditSchedule, Review
from tests.factories import ServiceLineFactory

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# The schedule's first audit (31 January, 09:00) is four weeks and one hour later.
NOW = dt.datetime(2027, 1, 3, 8, 0, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def _firm_in_new_york(settings):
    settings.TIME_ZONE = "America/New_York"


@pytest.fixture
def schedule(fran, pat):
    return AuditSchedule.objects.create(
        service_line=ServiceLineFactory(name="Payroll"),
        facilitator=fran,
        frequency=AuditSchedule.Frequency.MONTHLY,
        starts_on=dt.date(2027, 1, 31),
        time_of_day=dt.time(9, 0),
        created_by=pat,
    )


def test_the_audit_planner_plans_the_audit_four_weeks_ahead_and_no_sooner(schedule):
    assert services.plan_due_audits(now=NOW) == []
    planned = services.plan_due_audits(now=NOW + dt.timedelta(hours=1))
    assert len(planned) == 1
    review = planned[0]
    assert review.kind == Review.Kind.PROCESS_AUDIT
    assert review.status == Review.Status.PLANNED
    assert review.facilitator == schedule.facilitator
    assert review.created_by == schedule.created_by
    assert review.occurrence_on == dt.date(2027, 1, 31)
    assert review.scheduled_for == dt.datetime(2027, 1, 31, 9, 0, tzinfo=NEW_YORK)
    assert review.title == "Payroll process audit, January 2027"


def test_running_twice_plans_nothing_twice(schedule):
    later = NOW + dt.timedelta(days=40)
    first = services.plan_due_audits(now=later)
    assert [r.occurrence_on for r in first] == [dt.date(2027, 2, 28)]
    assert services.plan_due_audits(now=later) == []
    assert services.plan_due_audits(now=later + dt.timedelta(hours=1)) == []
    assert services.plan_due_audits(now=later + dt.timedelta(days=30)) != []
    assert services.plan_due_audits(now=later + dt.timedelta(days=30)) == []
    assert Review.objects.filter(schedule=schedule).count() == 2


def test_the_database_refuses_a_second_review_for_the_same_date(schedule, fran):
    services.plan_due_audits(now=NOW + dt.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            title="Copy", facilitator=fran, schedule=schedule, occurrence_on=dt.date(2027, 1, 31)
        )


def test_a_run_that_loses_the_race_skips_the_date(schedule, monkeypatch):
    """Two workers: the other one inserted the row between our look and our insert."""
    services.plan_due_audits(now=NOW + dt.timedelta(days=1))
    monkeypatch.setattr(
        AuditSchedule, "reviews", property(lambda self: Review.objects.none()), raising=False
    )
    assert services.plan_due_audits(now=NOW + dt.timedelta(days=1)) == []
    assert Review.objects.count() == 1


def test_the_audit_planner_keeps_nine_local_after_the_clocks_change(schedule):
    planned = services.plan_due_audits(now=dt.datetime(2027, 3, 10, 12, 0, tzinfo=NEW_YORK))
    review = next(r for r in planned if r.occurrence_on == dt.date(2027, 3, 31))
    assert review.scheduled_for.astimezone(NEW_YORK).time() == dt.time(9, 0)
    assert review.scheduled_for.astimezone(dt.UTC).hour == 13


def test_the_audit_planner_does_not_plan_dates_already_past(schedule):
    """After a pause or a beat outage, past dates are not planned retroactively."""
    planned = services.plan_due_audits(now=dt.datetime(2027, 5, 5, tzinfo=NEW_YORK))
    assert [r.occurrence_on for r in planned] == [dt.date(2027, 5, 31)]


@pytest.mark.parametrize("status", [AuditSchedule.Status.PAUSED, AuditSchedule.Status.STOPPED])
def test_paused_and_stopped_schedules_plan_nothing(schedule, status):
    schedule.status = status
    schedule.save()
    assert services.plan_due_audits(now=NOW + dt.timedelta(days=60)) == []
    assert not Review.objects.exists()


def test_the_beat_task_invites_the_facilitator_with_a_calendar_invite(
    schedule, fran, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW + dt.timedelta(days=2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.plan_process_audits.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.plan_process_audits.delay().get() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [fran.email]
    assert message.subject.startswith("Invitation: Payroll process audit, January 2027")
    ics = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
    event = ics.walk("VEVENT")[0]
    assert event.decoded("dtstart") == dt.datetime(2027, 1, 31, 14, 0, tzinfo=dt.UTC)


def test_the_beat_schedule_runs_the_task_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retrospectives-plan-process-audits"]
    assert entry["task"] == "retrospectives.tasks.plan_process_audits"
    assert entry["schedule"] == 3600.0
    assert tasks.plan_process_audits.name == entry["task"]
