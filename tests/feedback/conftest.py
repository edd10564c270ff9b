"""The interview kinds every permission test runs against: alice manages client A, bob client B;
each client has a normal and a restricted interview held by its account manager."""

import pytest

from tests.factories import ClientFactory, ExitInterviewFactory, ReviewFactory


@pytest.fixture
def client_a(alice):
    return ClientFactory(name="Acme Holdings", account_manager=alice)


@pytest.fixture
def client_b(bob):
    return ClientFactory(name="Birch Dental", account_manager=bob)


@pytest.fixture
def interview_a(client_a):
    return ExitInterviewFactory(client=client_a)


@pytest.fixture
def restricted_a(client_a):
    return ExitInterviewFactory(client=client_a, restricted=True)


@pytest.fixture
def interview_b(client_b):
    return ExitInterviewFactory(client=client_b)


@pytest.fixture
def fran_review(fran, interview_b):
    """fran facilitates a review of bob's client's interview."""
    review = ReviewFactory(facilitator=fran)
    review.exit_interviews.set([interview_b])
    return review
