"""Live screens follow every change to what they show, however it was made: through a service,
in Django admin, or straight on the models. A poll with the old ETag then gets the new board."""

import inspect

import pytest
from django.urls import reverse

from feedback.models import LossReason
from retrospectives import services
from retrospectives.models import (
    BreakoutGroup,
    Contribution,
    Participant,
    Phase,
    ProcessStep,
    Review,
    Vote,
    WhyProposal,
    WhyStep,
)
from tests.factories import (
    ContributionFactory,
    LessonFactory,
    ParticipantFactory,
    ReviewFactory,
    UserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def _version(review) -> int:
    return Review.objects.get(pk=review.pk).version


@pytest.fixture
def note(voting_review, alice):
    return ContributionFactory(review=voting_review, author=alice, text="Nobody owned the inbox")


def test_hiding_a_note_in_admin_reaches_the_presenter(client, fran, note):
    review = note.review
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(fran)
    board = reverse("retrospectives:present_board", args=[review.pk])
    first = client.get(board)
    assert "Nobody owned the inbox" in first.content.decode()
    etag = first["ETag"]
    assert client.get(board, headers={"If-None-Match": etag}).status_code == 304

    client.force_login(admin)
    change = reverse("admin:retrospectives_contribution_change", args=[note.pk])
    response = client.post(
        change,
        {
            "review": review.pk,
            "phase": note.phase,
            "text": note.text,
            "author": note.author_id,
            "anonymous": "on",
            "hidden": "on",
            "blame_flags": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contribution.objects.get(pk=note.pk).hidden

    client.force_login(fran)
    after = client.get(board, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert "Nobody owned the inbox" not in after.content.decode()


def _hide(note):
    note.hidden = True
    note.save()


def _rename_cause(note):
    reason = LossReason.objects.first()
    reason.name = "Renamed by an admin"
    reason.save()


def _why(note):
    WhyStep.objects.create(cause=note, depth=1, text="No owner for the inbox")


def _decline_why(note):
    proposal = WhyProposal.objects.create(review=note.review, cause=note, text="Nobody asked")
    Review.objects.filter(pk=note.review_id).update(version=0)
    proposal.status = WhyProposal.Status.REJECTED
    proposal.save()


def _step(note):
    ProcessStep.objects.create(
        review=note.review, position=1, lane="client", text="Notice", happened_on="2026-03-03"
    )


def _group(note):
    group = BreakoutGroup.objects.create(review=note.review, phase=note.phase, number=1)
    Review.objects.filter(pk=note.review_id).update(version=0)
    group.members.add(note.review.participants.first())


def _publish_lesson_elsewhere(note):
    LessonFactory(review=ReviewFactory(), statement_public="Own the shared inbox").save()


CHANGES = {
    "a note is added": lambda note: ContributionFactory(review=note.review),
    "a note is hidden": _hide,
    "a note is deleted": lambda note: note.delete(),
    "a vote is cast": lambda note: VoteFactory(contribution=note),
    "votes are withdrawn in bulk": lambda note: Vote.objects.filter(contribution=note).delete(),
    "a why is added": _why,
    "a why is proposed from a phone": lambda note: WhyProposal.objects.create(
        review=note.review, cause=note, text="No rota for the inbox"
    ),
    "a proposed why is declined": _decline_why,
    "a process step is added": _step,
    "someone is put in a group": _group,
    "someone joins": lambda note: ParticipantFactory(review=note.review),
    "someone is removed": lambda note: Participant.objects.filter(review=note.review).delete(),
    "the review's title changes": lambda note: Review.objects.get(pk=note.review_id).save(),
    "a lesson of this review": lambda note: LessonFactory(review=note.review),
    "a lesson published elsewhere": _publish_lesson_elsewhere,
    "a cause is renamed": _rename_cause,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_change_on_the_models_moves_the_version(note, change):
    VoteFactory(contribution=note)
    review = note.review
    Review.objects.filter(pk=review.pk).update(version=0)
    CHANGES[change](note)
    assert _version(review) > 0


def test_a_note_moved_to_another_review_refreshes_both(note):
    left = note.review
    other = ReviewFactory(status=Review.Status.LIVE, phase=Phase.WHY)
    Review.objects.filter(pk__in=[left.pk, other.pk]).update(version=0)
    note.review = other
    note.save()
    assert _version(left) > 0
    assert _version(other) > 0


def test_the_services_no_longer_bump_by_hand():
    """Freshness follows the data; only bulk updates, which skip signals, touch by hand."""
    source = inspect.getsource(services)
    assert source.count("touch(") <= 2


def test_every_save_of_one_review_in_memory_moves_its_version(live_review):
    """A review saved twice from the same copy in memory must not write its old version back:
    the second change would then carry the first one's ETag and screens would keep the old board."""
    seen = {_version(live_review)}
    live_review.title = "First change"
    live_review.save()
    seen.add(_version(live_review))
    live_review.title = "Second change"
    live_review.save()
    seen.add(_version(live_review))
    assert len(seen) == 3
