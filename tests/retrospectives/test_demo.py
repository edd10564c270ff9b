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


def test_it_seeds_a_closed_and_a_planned_review_idempotently(seeded):
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
