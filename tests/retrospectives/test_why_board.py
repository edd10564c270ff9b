"""The why board: in the "why" phase the console and the projector group notes by cause. The
facilitator moves notes between groups, merges and un-merges them, and undoes a merge or a hide,
without a reload; nobody else can."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import LossReason
from retrospectives import services
from retrospectives.models import Contribution, Vote
from tests.factories import ContributionFactory, UserFactory, VoteFactory, loss_reason

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def inbox(voting_review):
    return ContributionFactory(review=voting_review, text="Nobody owned the shared inbox")


@pytest.fixture
def slow():
    return loss_reason("Slow responses")


def _url(name, review, *args):
    return reverse(f"retrospectives:{name}", args=[review.pk, *args])


def _post(client, name, review, *args, **data):
    return client.post(_url(name, review, *args), {"partial": "notes", **data}, headers=HTMX)


def _group_of(html: str, note) -> str:
    """The data-drop-cause of the console group that holds this note."""
    at = html.index(f'id="note-{note.pk}"')
    start = html.rindex("data-drop-cause=", 0, at) + len('data-drop-cause="')
    return html[start : html.index('"', start)]


# Moving a note between groups ------------------------------------------------------------------


def test_a_new_note_waits_among_the_notes_not_yet_grouped(client, fran, inbox):
    client.force_login(fran)
    html = client.get(_url("console_notes", inbox.review)).content.decode()
    assert "Not yet grouped" in html
    assert _group_of(html, inbox) == ""


def test_moving_a_note_answers_with_the_board_showing_it_in_its_new_group(
    client, fran, inbox, slow
):
    client.force_login(fran)
    response = _post(client, "note_cause", inbox.review, inbox.pk, cause=slow.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "data-why-board" in html
    assert _group_of(html, inbox) == str(slow.pk)
    inbox.refresh_from_db()
    assert inbox.cause == slow


def test_the_projector_shows_the_note_under_its_cause(client, fran, inbox, slow):
    services.assign_cause(note=inbox, by=fran, cause=slow)
    client.force_login(fran)
    html = client.get(_url("present_board", inbox.review)).content.decode()
    group = html[html.index(f'data-cause-group="{slow.pk}"') :]
    assert slow.name in group
    assert "Nobody owned the shared inbox" in group[: group.index("</li>")]
    assert "Not yet grouped" not in html


def test_the_projector_shows_more_notes_per_group_when_there_are_few_groups(
    client, fran, voting_review, slow
):
    for n in range(4):
        ContributionFactory(review=voting_review, text=f"Loose note {n}")
    client.force_login(fran)
    html = client.get(_url("present_board", voting_review)).content.decode()
    assert html.count('class="present-cause-note"') == 3
    ContributionFactory(review=voting_review, cause=slow, text="Grouped")
    ContributionFactory(review=voting_review, cause=loss_reason("Fees"), text="Billed")
    html = client.get(_url("present_board", voting_review)).content.decode()
    assert html.count('class="present-cause-note"') == 3
    assert "Grouped" in html and "Billed" in html and "Loose note 0" in html


def test_moving_back_to_not_yet_grouped_clears_the_cause(client, fran, inbox, slow):
    services.assign_cause(note=inbox, by=fran, cause=slow)
    client.force_login(fran)
    html = _post(client, "note_cause", inbox.review, inbox.pk, cause="").content.decode()
    assert _group_of(html, inbox) == ""


def test_every_cause_is_a_group_to_drop_a_note_on(client, fran, inbox):
    client.force_login(fran)
    html = client.get(_url("console_notes", inbox.review)).content.decode()
    for reason in LossReason.objects.filter(active=True):
        assert f'data-drop-cause="{reason.pk}"' in html


def test_a_note_is_moved_by_keyboard_and_pointer_through_its_own_form(client, fran, inbox):
    client.force_login(fran)
    html = client.get(_url("console_notes", inbox.review)).content.decode()
    note = html[html.index(f'id="note-{inbox.pk}"') :]
    assert 'tabindex="0"' in note[:200]
    assert 'draggable="true"' in note[:200]
    assert f'<label class="visually-hidden" for="move-{inbox.pk}">Move to</label>' in note


def test_a_made_up_cause_is_refused_in_a_message_without_a_500(client, fran, inbox):
    client.force_login(fran)
    response = client.post(_url("note_cause", inbox.review, inbox.pk), {"cause": "999999"})
    assert response.status_code == 302
    inbox.refresh_from_db()
    assert inbox.cause is None


def test_a_made_up_cause_through_htmx_answers_with_the_board_and_a_message(client, fran, inbox):
    client.force_login(fran)
    response = _post(client, "note_cause", inbox.review, inbox.pk, cause="999999")
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-why-board" in html and "<html" not in html
    assert "Pick a cause from the list." in html


def test_a_participant_cannot_move_a_note(client, alice, inbox, slow):
    client.force_login(alice)
    assert _post(client, "note_cause", inbox.review, inbox.pk, cause=slow.pk).status_code == 404
    inbox.refresh_from_db()
    assert inbox.cause is None


def test_only_the_reviews_runners_move_notes_through_the_service(inbox, alice, slow):
    with pytest.raises(ValidationError):
        services.assign_cause(note=inbox, by=alice, cause=slow)


# Merging, un-merging and Undo ---------------------------------------------------------------


def test_merging_offers_an_undo_that_splits_the_note_out_with_its_votes(
    client, fran, voting_review
):
    keep = ContributionFactory(review=voting_review, text="Partner unreachable")
    duplicate = ContributionFactory(review=voting_review, text="Could not reach the partner")
    both, only_duplicate = UserFactory(), UserFactory()
    VoteFactory(contribution=keep, user=both, slot=1)
    VoteFactory(contribution=duplicate, user=both, slot=2)
    VoteFactory(contribution=duplicate, user=only_duplicate, slot=1)
    client.force_login(fran)

    merged = _post(client, "note_merge", voting_review, duplicate.pk, into=keep.pk)
    html = merged.content.decode()
    unmerge = _url("note_unmerge", voting_review, duplicate.pk)
    assert 'id="console-toast"' in html and 'hx-swap-oob="true"' in html
    assert f'hx-post="{unmerge}"' in html
    assert Vote.objects.filter(contribution=keep).count() == 2

    undone = client.post(unmerge, {"partial": "notes"}, headers=HTMX)
    assert undone.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert list(Vote.objects.filter(contribution=duplicate).values_list("user", flat=True)) == [
        only_duplicate.pk
    ]
    assert list(Vote.objects.filter(contribution=keep).values_list("user", flat=True)) == [both.pk]


def test_a_merged_note_is_listed_under_its_note_with_a_split_out_button(
    client, fran, voting_review
):
    keep = ContributionFactory(review=voting_review, text="Partner unreachable")
    duplicate = ContributionFactory(review=voting_review, text="Could not reach the partner")
    services.merge_notes(duplicate=duplicate, into=keep, by=fran)
    client.force_login(fran)
    html = client.get(_url("console_notes", voting_review)).content.decode()
    assert "+ Could not reach the partner" in html
    assert _url("note_unmerge", voting_review, duplicate.pk) in html
    present = client.get(_url("present_board", voting_review)).content.decode()
    assert "Could not reach the partner" not in present


def test_a_note_merged_before_keeps_its_votes_through_a_second_merge(voting_review, fran):
    first = ContributionFactory(review=voting_review)
    middle = ContributionFactory(review=voting_review)
    last = ContributionFactory(review=voting_review)
    voter = UserFactory()
    VoteFactory(contribution=first, user=voter)
    services.merge_notes(duplicate=first, into=middle, by=fran)
    services.merge_notes(duplicate=middle, into=last, by=fran)
    first.refresh_from_db()
    assert first.merged_into == last

    services.unmerge_note(note=first, by=fran)
    assert Vote.objects.get(user=voter).contribution == first


def test_unmerging_a_note_that_is_not_merged_is_refused(client, fran, inbox):
    client.force_login(fran)
    html = _post(client, "note_unmerge", inbox.review, inbox.pk).content.decode()
    assert "That note is not merged into another." in html
    assert "is-error" in html


def test_a_participant_cannot_merge_or_unmerge(client, alice, voting_review, fran):
    keep = ContributionFactory(review=voting_review)
    duplicate = ContributionFactory(review=voting_review)
    client.force_login(alice)
    assert _post(client, "note_merge", voting_review, duplicate.pk, into=keep.pk).status_code == 404
    services.merge_notes(duplicate=duplicate, into=keep, by=fran)
    assert _post(client, "note_unmerge", voting_review, duplicate.pk).status_code == 404
    with pytest.raises(ValidationError):
        services.unmerge_note(note=duplicate, by=alice)


def test_hiding_offers_an_undo_and_lists_the_note_to_show_again(client, fran, inbox):
    client.force_login(fran)
    html = _post(client, "note_hide", inbox.review, inbox.pk, hidden="1").content.decode()
    hide = _url("note_hide", inbox.review, inbox.pk)
    toast = html[html.index('id="console-toast"') :]
    assert "Note hidden from the screens." in toast
    assert f'hx-post="{hide}"' in toast
    assert 'name="hidden" value="0"' in toast
    assert "Hidden from the screens (1)" in html
    assert "Show again" in html

    _post(client, "note_hide", inbox.review, inbox.pk, hidden="0")
    inbox.refresh_from_db()
    assert not inbox.hidden
    present = client.get(_url("present_board", inbox.review)).content.decode()
    assert "Nobody owned the shared inbox" in present


def test_a_poll_leaves_the_toast_alone(client, fran, inbox):
    client.force_login(fran)
    html = client.get(_url("console_notes", inbox.review)).content.decode()
    assert "console-toast" not in html


def test_hiding_from_the_console_page_without_htmx_still_says_so(client, fran, inbox):
    client.force_login(fran)
    response = client.post(_url("note_hide", inbox.review, inbox.pk), {"hidden": "1"}, follow=True)
    assert "Note hidden from the screens." in response.content.decode()


def test_only_the_reviews_runners_hide_through_the_service(inbox, sam):
    with pytest.raises(ValidationError):
        services.set_hidden(note=inbox, by=sam, hidden=True)


def test_someone_not_running_the_review_gets_404_on_every_board_action(client, bob, inbox, slow):
    client.force_login(bob)
    review = inbox.review
    for name, data in [
        ("note_cause", {"cause": slow.pk}),
        ("note_hide", {"hidden": "1"}),
        ("note_unmerge", {}),
    ]:
        assert _post(client, name, review, inbox.pk, **data).status_code == 404
    assert _post(client, "review_why_cause", review, cause=inbox.pk).status_code == 404


# Other phases keep their list -------------------------------------------------------------


def test_other_phases_keep_the_plain_list_of_notes(client, fran, live_review):
    ContributionFactory(review=live_review, text="The letter arrived on day 40")
    client.force_login(fran)
    html = client.get(_url("console_notes", live_review)).content.decode()
    assert "data-why-board" not in html
    assert "The letter arrived on day 40" in html


# Query counts -------------------------------------------------------------------------------


def _fill(review, count):
    """Notes of every kind the board shows: grouped or not, voted, merged, hidden."""
    reasons = list(LossReason.objects.all()[:4])
    notes = [
        ContributionFactory(review=review, cause=reasons[i % 4] if i % 5 else None)
        for i in range(count)
    ]
    for note in notes[:3]:
        VoteFactory(contribution=note)
    services.merge_notes(duplicate=notes[-1], into=notes[0], by=review.facilitator)
    Contribution.objects.filter(pk=notes[-2].pk).update(hidden=True)


@pytest.mark.parametrize("name", ["console_notes", "present_board"])
def test_the_board_takes_as_many_queries_for_50_notes_as_for_5(
    client, fran, voting_review, name, django_assert_num_queries
):
    client.force_login(fran)
    url = _url(name, voting_review)
    _fill(voting_review, 5)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    _fill(voting_review, 45)
    with django_assert_num_queries(len(five.captured_queries)):
        assert client.get(url).status_code == 200
