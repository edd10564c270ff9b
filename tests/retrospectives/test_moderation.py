import pytest
from django.urls import reverse

from retrospectives.models import Contribution, Vote
from tests.factories import ContributionFactory, UserFactory, VoteFactory, loss_reason

pytestmark = pytest.mark.django_db


def _post(client, review, name, note, **data):
    return client.post(reverse(f"retrospectives:{name}", args=[review.pk, note.pk]), data)


def test_a_hidden_note_leaves_the_presenter_and_phones_but_not_the_console(
    client, fran, alice, live_review
):
    note = ContributionFactory(review=live_review, text="Something hurtful about a person")
    client.force_login(fran)
    _post(client, live_review, "note_hide", note, hidden="1")
    note.refresh_from_db()
    assert note.hidden
    present = client.get(reverse("retrospectives:present_board", args=[live_review.pk]))
    assert "Something hurtful" not in present.content.decode()
    console = client.get(reverse("retrospectives:console_notes", args=[live_review.pk]))
    assert "Something hurtful" in console.content.decode()
    assert "Hidden from screens" in console.content.decode()
    client.force_login(alice)
    board = client.get(reverse("retrospectives:join_board", args=[live_review.join_code]))
    assert "Something hurtful" not in board.content.decode()


def test_unhiding_brings_it_back(client, fran, live_review):
    note = ContributionFactory(review=live_review, hidden=True, text="Back on screen")
    client.force_login(fran)
    _post(client, live_review, "note_hide", note, hidden="0")
    present = client.get(reverse("retrospectives:present_board", args=[live_review.pk]))
    assert "Back on screen" in present.content.decode()


def test_hiding_with_htmx_returns_the_notes_partial(client, fran, live_review):
    note = ContributionFactory(review=live_review)
    client.force_login(fran)
    url = reverse("retrospectives:note_hide", args=[live_review.pk, note.pk])
    response = client.post(url, {"hidden": "1", "partial": "notes"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Unhide" in response.content.decode()


def test_moderation_assigns_and_clears_a_cause(client, fran, live_review):
    note = ContributionFactory(review=live_review)
    reason = loss_reason("not reachable")
    client.force_login(fran)
    _post(client, live_review, "note_cause", note, cause=reason.pk)
    note.refresh_from_db()
    assert note.cause == reason
    _post(client, live_review, "note_cause", note, cause="")
    note.refresh_from_db()
    assert note.cause is None


def test_a_made_up_cause_is_refused_without_a_500(client, fran, live_review):
    note = ContributionFactory(review=live_review)
    client.force_login(fran)
    assert _post(client, live_review, "note_cause", note, cause="999999").status_code == 302
    note.refresh_from_db()
    assert note.cause is None


def test_merging_moves_votes_and_leaves_one_note(client, fran, voting_review):
    keep = ContributionFactory(review=voting_review, text="Partner unreachable")
    duplicate = ContributionFactory(review=voting_review, text="Could not reach the partner")
    both = UserFactory()
    VoteFactory(contribution=keep, user=both, slot=1)
    VoteFactory(contribution=duplicate, user=both, slot=2)
    VoteFactory(contribution=duplicate, slot=1)
    client.force_login(fran)
    _post(client, voting_review, "note_merge", duplicate, into=keep.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert Vote.objects.filter(contribution=keep).count() == 2
    assert not Vote.objects.filter(contribution=duplicate).exists()
    present = client.get(reverse("retrospectives:present_board", args=[voting_review.pk]))
    page = present.content.decode()
    assert "Could not reach the partner" not in page
    assert "2 votes" in page


def test_merging_across_phases_or_reviews_is_refused(client, fran, voting_review, live_review):
    note = ContributionFactory(review=voting_review)
    other_review_note = ContributionFactory()
    client.force_login(fran)
    _post(client, voting_review, "note_merge", note, into=other_review_note.pk)
    note.refresh_from_db()
    assert note.merged_into is None
    assert Contribution.objects.filter(merged_into__isnull=False).count() == 0
