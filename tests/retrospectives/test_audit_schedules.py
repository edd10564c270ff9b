"""Partners set up recurring process audits, and pause, resume or stop them."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from retrospectives import services
from retrospectives.models import AuditSchedule, Review
from tests.factories import ReviewFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db
NEW = reverse("retrospectives:audit_new")
LIST = reverse("retrospectives:audit_list")


@pytest.fixture
def payroll():
    return ServiceLineFactory(name="Payroll")


@pytest.fixture
def schedule(payroll, fran, pat):
    return AuditSchedule.objects.create(
        service_line=payroll,
        facilitator=fran,
        frequency=AuditSchedule.Frequency.MONTHLY,
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        time_of_day=dt.time(9, 0),
        created_by=pat,
    )


def _data(payroll, fran, **extra):
    return {
        "service_line": payroll.pk,
        "frequency": "quarterly",
        "starts_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        "time_of_day": "09:00",
        "facilitator": fran.pk,
        **extra,
    }


def test_a_partner_schedules_an_audit_and_its_first_date_is_planned_at_once(
    client, pat, fran, payroll, django_capture_on_commit_callbacks
):
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, _data(payroll, fran))
    schedule = AuditSchedule.objects.get()
    assert response.status_code == 302
    assert response["Location"] == schedule.get_absolute_url()
    assert schedule.created_by == pat
    assert schedule.frequency == AuditSchedule.Frequency.QUARTERLY
    review = schedule.reviews.get()
    assert review.occurrence_on == timezone.localdate() + dt.timedelta(days=7)
    assert timezone.localtime(review.scheduled_for).time() == dt.time(9, 0)
    assert [m.to for m in mail.outbox] == [[fran.email]]
    assert AuditEvent.objects.filter(verb="create", object_id=str(schedule.pk)).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starts_on", "2020-01-31", "Pick today or a later date for the first audit."),
        ("starts_on", "2099-01-31", "Pick a first audit within a year from today."),
        ("starts_on", "31/01/2027", "Enter a date like 2027-01-31."),
        ("starts_on", "", "Pick the date of the first audit."),
        ("time_of_day", "03:00", "Pick a time between 06:00 and 21:00."),
        ("time_of_day", "9 o'clock", "Enter a time like 09:00."),
        (
            "frequency",
            "weekly",
            "Select a valid choice. weekly is not one of the available choices.",
        ),
        ("service_line", "", "Pick the service line to audit."),
        ("facilitator", "", "Pick who facilitates the audits."),
    ],
)
def test_bad_input_gets_a_message_next_to_its_field_and_keeps_the_rest(
    client, pat, fran, payroll, field, value, message
):
    client.force_login(pat)
    response = client.post(NEW, _data(payroll, fran, **{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    if field != "time_of_day":
        assert 'value="09:00"' in response.content.decode()
    assert not AuditSchedule.objects.exists()


def test_the_facilitator_must_facilitate(client, pat, payroll, sam):
    client.force_login(pat)
    response = client.post(NEW, _data(payroll, sam))
    assert "facilitator" in response.context["form"].errors


@pytest.mark.parametrize("who", ["alice", "fran", "sam"])
def test_only_partners_see_or_change_schedules(client, request, who, schedule):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.get(schedule.get_absolute_url()).status_code == 404
    status_url = reverse("retrospectives:audit_status", args=[schedule.pk])
    assert client.post(status_url, {"status": "stopped"}).status_code == 404
    schedule.refresh_from_db()
    assert schedule.status == AuditSchedule.Status.ACTIVE


def _set(client, schedule, status):
    return client.post(
        reverse("retrospectives:audit_status", args=[schedule.pk]), {"status": status}, follow=True
    )


def test_pausing_stops_planning_and_resuming_plans_again(
    client, pat, schedule, django_capture_on_commit_callbacks
):
    client.force_login(pat)
    response = _set(client, schedule, "paused")
    assert "Schedule paused" in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.status == AuditSchedule.Status.PAUSED
    assert services.plan_due_audits() == []
    with django_capture_on_commit_callbacks(execute=True):
        _set(client, schedule, "active")
    schedule.refresh_from_db()
    assert schedule.status == AuditSchedule.Status.ACTIVE
    assert schedule.reviews.count() == 1


def test_pausing_keeps_an_audit_already_planned(client, pat, schedule):
    (review,) = services.plan_due_audits()
    client.force_login(pat)
    _set(client, schedule, "paused")
    review.refresh_from_db()
    assert review.status == Review.Status.PLANNED


def test_stopping_cancels_the_upcoming_audit_and_is_final(
    client, pat, fran, schedule, django_capture_on_commit_callbacks
):
    (review,) = services.plan_due_audits()
    held = ReviewFactory(
        schedule=schedule,
        occurrence_on=dt.date(2020, 1, 1),
        scheduled_for=timezone.now() - dt.timedelta(days=30),
        status=Review.Status.CLOSED,
    )
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        response = _set(client, schedule, "stopped")
    assert "upcoming audits are cancelled" in response.content.decode()
    review.refresh_from_db()
    held.refresh_from_db()
    assert review.status == Review.Status.CANCELLED
    assert held.status == Review.Status.CLOSED
    assert [m.to for m in mail.outbox] == [[fran.email]]
    assert mail.outbox[0].subject.startswith("Cancelled: ")
    response = _set(client, schedule, "active")
    assert "This schedule is stopped" in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.status == AuditSchedule.Status.STOPPED


def test_an_unknown_status_is_a_message_not_an_error(client, pat, schedule):
    client.force_login(pat)
    response = _set(client, schedule, "exploded")
    assert response.status_code == 200
    assert "Choose to pause, resume or stop" in response.content.decode()


def test_the_detail_shows_the_next_dates_at_the_local_time(client, pat, schedule):
    client.force_login(pat)
    html = client.get(schedule.get_absolute_url()).content.decode()
    first = timezone.localdate() + dt.timedelta(days=10)
    assert f"{first:%b} {first.day}, {first.year} 09:00" in html
    assert "Pause" in html and "Stop" in html


def test_the_list_shows_overdue_audits_with_a_fixed_number_of_queries(
    client, pat, fran, schedule, django_assert_num_queries
):
    def overdue(n):
        return ReviewFactory(
            title=f"Payroll process audit {n}",
            kind=Review.Kind.PROCESS_AUDIT,
            facilitator=fran,
            schedule=schedule,
            occurrence_on=dt.date(2020, 1, n),
            scheduled_for=timezone.now() - dt.timedelta(days=15 + n),
        )

    overdue(1)
    client.force_login(pat)
    client.get(LIST)
    with django_assert_num_queries(QUERIES) as first:
        html = client.get(LIST).content.decode()
    assert "Overdue audits (1)" in html
    for n in range(2, 6):
        overdue(n)
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get(LIST).content.decode()
    assert "Overdue audits (5)" in html


# Session, user, groups, the overdue audits, the schedules, and the savepoints of
# ATOMIC_REQUESTS inside the test transaction.
QUERIES = 7
