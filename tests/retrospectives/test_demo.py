import pytest
from django.core.management import call_command
from django.utils import timezone

from actions.models import Action
from retrospectives import demo, services
from retrospectives.models import Contribution, Lesson, Participant, Review, Vote, WhyStep

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Review.objects.values_list("title", "status")),
        Contribution.objects.count(),
        Vote.objects.count(),
        WhyStep.objects.count(),
        sorted(Lesson.objects.values_list("statement_internal", "status")),
        Action.objects.filter(source_review__isnull=False).count(),
        Participant.objects.count(),
    )


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=None)


def test_the_review_demo_seeds_a_closed_and_a_planned_review_idempotently(seeded):
    first = _snapshot()
    call_command("seed_demo", stdout=None)
    assert _snapshot() == first
    closed = Review.objects.get(title=demo.CLOSED_TITLE)
    planned = Review.objects.get(title=demo.PLANNED_TITLE)
    assert closed.status == Review.Status.CLOSED
    assert closed.clients.get().status == "lost"
    assert planned.status == Review.Status.PLANNED
    assert planned.facilitator.username == "fran"
    invited = set(planned.participants.values_list("user__username", flat=True))
    assert invited == {"alice", "bob", "sam"}


def test_the_closed_review_has_everything_a_report_needs(seeded):
    closed = Review.objects.get(title=demo.CLOSED_TITLE)
    assert len(set(closed.contributions.values_list("phase", flat=True))) >= 5
    assert closed.votes.exists()
    assert WhyStep.objects.filter(cause__review=closed).count() == 5
    assert services.top_voted_cause(closed).whys.count() == 5
    assert closed.lessons.filter(status=Lesson.Status.PUBLISHED).count() >= 2
    actions = Action.objects.filter(source_review=closed)
    assert actions.overdue().count() >= 2
    assert actions.filter(status=Action.Status.VERIFIED, verified_by__isnull=False).exists()


def test_published_demo_lessons_name_nobody(seeded):
    for lesson in Lesson.objects.published():
        assert services.names_in_public_text(lesson.statement_public) == []


def test_the_review_demo_seeds_a_recurring_audit_with_a_missed_date_and_a_paused_schedule(seeded):
    from retrospectives.models import AuditSchedule

    first = sorted(Review.objects.filter(schedule__isnull=False).values_list("occurrence_on"))
    call_command("seed_demo", stdout=None)
    assert sorted(Review.objects.filter(schedule__isnull=False).values_list("occurrence_on")) == (
        first
    )
    payroll = AuditSchedule.objects.get(service_line__name="Payroll")
    assert payroll.status == AuditSchedule.Status.ACTIVE
    assert payroll.starts_on.day == 31
    assert payroll.facilitator.username == "fran"
    overdue = Review.objects.overdue_audits()
    assert list(overdue.values_list("schedule", flat=True)) == [payroll.pk]
    assert payroll.reviews.filter(status=Review.Status.CLOSED).exists()
    assert payroll.reviews.filter(
        status=Review.Status.PLANNED, scheduled_for__gt=timezone.now()
    ).exists()
    assert AuditSchedule.objects.get(service_line__name="Tax").status == "paused"


@pytest.mark.parametrize("today", ["2026-11-01", "2026-12-31", "2027-03-15", "2028-02-29"])
def test_the_demo_audit_always_has_one_missed_and_one_upcoming_date(today, fran, pat, time_machine):
    time_machine.move_to(f"{today}T12:00:00-05:00", tick=False)
    reviews = demo._seed_audits(users={"fran": fran, "pat": pat})
    assert Review.objects.overdue_audits().count() == 1
    upcoming = [r for r in reviews if r.scheduled_for > timezone.now()]
    assert len(upcoming) == 1
    assert upcoming[0].status == Review.Status.PLANNED


def test_the_closed_review_shows_a_breakout_and_a_process_map(seeded):
    closed = Review.objects.get(title=demo.CLOSED_TITLE)
    groups = list(closed.breakout_groups.prefetch_related("members"))
    assert [len(g.members.all()) for g in groups] == [3, 3]
    assert not closed.breakout_groups.active().exists()  # merged back before voting
    assert closed.contributions.filter(group__isnull=False).exists()
    steps = list(closed.process_steps.all())
    assert [s.position for s in steps] == list(range(1, len(steps) + 1))
    assert len({s.lane for s in steps}) == 4
    assert any(s.pain_point for s in steps)
    assert all(s.happened_on <= timezone.localdate() for s in steps)
    call_command("seed_demo", stdout=None)
    assert closed.process_steps.count() == len(steps)
    assert closed.breakout_groups.count() == 2
