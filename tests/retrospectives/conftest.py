import pytest

from retrospectives.models import Phase, Review
from tests.factories import ParticipantFactory, ReviewFactory


@pytest.fixture
def review(fran, alice, sam):
    """A planned review facilitated by fran; alice and sam are participants, bob is not."""
    review = ReviewFactory(title="Harbor Freight loss", facilitator=fran)
    ParticipantFactory(review=review, user=alice)
    ParticipantFactory(review=review, user=sam)
    return review


@pytest.fixture
def live_review(review):
    review.status = Review.Status.LIVE
    review.phase = Phase.ACTUAL
    review.save()
    return review


@pytest.fixture
def voting_review(review):
    review.status = Review.Status.LIVE
    review.phase = Phase.WHY
    review.save()
    return review
