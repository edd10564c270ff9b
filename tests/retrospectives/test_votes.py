import os
import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.urls import reverse

from retrospectives import services
from retrospectives.models import VOTES_PER_PHASE, Contribution, Phase, Vote
from tests.factories import ContributionFactory, ParticipantFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def _vote(client, review, note, **data):
    url = reverse("retrospectives:note_vote", args=[review.join_code, note.pk])
    return client.post(url, data)


def test_voting_counts_a_vote(client, alice, voting_review):
    note = ContributionFactory(review=voting_review)
    client.force_login(alice)
    response = _vote(client, voting_review, note)
    assert response.status_code == 200
    assert Vote.objects.get().user == alice
    assert f"{VOTES_PER_PHASE - 1} of {VOTES_PER_PHASE} votes left" in response.content.decode()


def test_a_person_votes_once_per_note(client, alice, voting_review):
    note = ContributionFactory(review=voting_review)
    client.force_login(alice)
    _vote(client, voting_review, note)
    response = _vote(client, voting_review, note)
    assert response.status_code == 409
    assert "already voted" in response.content.decode()
    assert Vote.objects.count() == 1


def test_the_limit_holds_and_says_so(client, alice, voting_review):
    notes = ContributionFactory.create_batch(VOTES_PER_PHASE + 1, review=voting_review)
    client.force_login(alice)
    for note in notes[:-1]:
        assert _vote(client, voting_review, note).status_code == 200
    response = _vote(client, voting_review, notes[-1])
    assert response.status_code == 409
    assert f"used all {VOTES_PER_PHASE} votes" in response.content.decode()
    assert Vote.objects.filter(user=alice).count() == VOTES_PER_PHASE


def test_taking_a_vote_back_frees_it(client, alice, voting_review):
    notes = ContributionFactory.create_batch(VOTES_PER_PHASE + 1, review=voting_review)
    client.force_login(alice)
    for note in notes[:-1]:
        _vote(client, voting_review, note)
    _vote(client, voting_review, notes[0], withdraw="1")
    assert _vote(client, voting_review, notes[-1]).status_code == 200
    assert Vote.objects.filter(user=alice).count() == VOTES_PER_PHASE


def test_the_database_itself_refuses_a_fourth_slot_or_a_reused_one(alice, voting_review):
    note = ContributionFactory(review=voting_review)
    fields = {"review": voting_review, "user": alice, "phase": Phase.WHY}
    with transaction.atomic(), pytest.raises(IntegrityError):
        Vote.objects.create(contribution=note, slot=VOTES_PER_PHASE + 1, **fields)
    Vote.objects.create(contribution=note, slot=1, **fields)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Vote.objects.create(
            contribution=ContributionFactory(review=voting_review), slot=1, **fields
        )


def test_a_vote_the_database_refuses_becomes_a_clear_message(
    client, alice, voting_review, monkeypatch
):
    """If the Python check lets a vote through (as a racing request can), the constraint's
    refusal reaches the person as a message, not a 500."""
    for _ in range(VOTES_PER_PHASE):
        services.cast_vote(note=ContributionFactory(review=voting_review), user=alice)
    monkeypatch.setattr(services, "VOTES_PER_PHASE", VOTES_PER_PHASE + 1)
    client.force_login(alice)
    response = _vote(client, voting_review, ContributionFactory(review=voting_review))
    assert response.status_code == 409
    assert "did not count" in response.content.decode()
    assert Vote.objects.filter(user=alice).count() == VOTES_PER_PHASE


def test_votes_are_only_taken_in_voting_phases(client, alice, live_review):
    note = ContributionFactory(review=live_review)
    client.force_login(alice)
    response = _vote(client, live_review, note)
    assert response.status_code == 409
    assert "voting phases" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_hidden_note_takes_no_votes(client, alice, voting_review):
    note = ContributionFactory(review=voting_review, hidden=True)
    client.force_login(alice)
    assert _vote(client, voting_review, note).status_code == 409


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_never_exceed_the_limit():
    """Two threads (two web workers) vote for different notes at the same moment, for a person
    with one vote left: exactly one vote lands."""
    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database locks whole tables between threads, which
        # says nothing about the product; CI always runs this on PostgreSQL.
        if os.environ.get("CI"):
            pytest.fail("This test needs PostgreSQL under CI (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL: two concurrent writers")
    user = UserFactory()
    review = ReviewFactory(status="live", phase=Phase.WHY)
    ParticipantFactory(review=review, user=user)
    notes = ContributionFactory.create_batch(VOTES_PER_PHASE + 1, review=review)
    for note in notes[: VOTES_PER_PHASE - 1]:
        services.cast_vote(note=note, user=user)
    barrier = threading.Barrier(2)
    outcomes = []

    def vote(note_id):
        try:
            note = Contribution.objects.select_related("review").get(pk=note_id)
            barrier.wait(timeout=5)
            services.cast_vote(note=note, user=user)
            outcomes.append("ok")
        except services.VoteRefused:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=vote, args=(note.pk,)) for note in notes[VOTES_PER_PHASE - 1 :]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["ok", "refused"]
    assert Vote.objects.filter(user=user).count() == VOTES_PER_PHASE
