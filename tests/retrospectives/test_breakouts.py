"""Small-group breakouts: the facilitator splits a live review into groups of 3–5 for
one phase, at random (mixing seniority) or by hand; notes are tagged with the author's group;
the presenter shows the groups side by side; merging back ends the breakout before voting.
Fewer than three participants make no breakout: they already are a small group."""

import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from retrospectives import services
from retrospectives.models import BreakoutGroup, Contribution, Phase, Review
from tests.factories import ContributionFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

S = User.Seniority


def _people(*ranks):
    return [User(username=f"u{i}", seniority=rank) for i, rank in enumerate(ranks)]


def _join(review, count, seniority=S.STAFF):
    return [
        ParticipantFactory(review=review, user=UserFactory(seniority=seniority))
        for _ in range(count)
    ]


@pytest.fixture
def room(live_review, alice, sam):
    """A live review in "Actual" with alice, sam and four more: six participants."""
    _join(live_review, 4)
    return live_review


def _console(review):
    return reverse("retrospectives:review_console", args=[review.pk])


# Group sizes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", range(3, 41))
def test_random_groups_have_3_to_5_people_for_any_room_of_3_or_more(count):
    people = _people(*([S.STAFF, S.SENIOR, S.MANAGER, S.PARTNER] * 10)[:count])
    groups = services.propose_groups(people, rng=random.Random(count))
    assert all(3 <= len(group) <= 5 for group in groups)
    assert sorted(u.username for g in groups for u in g) == sorted(u.username for u in people)
    assert len(groups) == -(-count // 5)  # the fewest groups that fit


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_people_make_no_breakout(count):
    with pytest.raises(ValidationError, match="at least 3 participants"):
        services.group_sizes(count)


def test_splitting_a_room_of_two_is_refused_with_a_message(client, fran, live_review):
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:breakout_split", args=[live_review.pk]), follow=True
    )
    assert "at least 3 participants" in response.content.decode()
    assert not BreakoutGroup.objects.exists()


# Seniority mixing --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_a_junior_is_never_alone_with_a_partner_when_it_can_be_avoided(seed):
    # Two groups of three; one junior per group would sit alone with a partner.
    people = _people(S.PARTNER, S.PARTNER, S.STAFF, S.STAFF, S.MANAGER, S.MANAGER)
    for group in services.propose_groups(people, rng=random.Random(seed)):
        ranks = Counter(u.seniority for u in group)
        assert not (ranks[S.PARTNER] and ranks[S.STAFF] == 1), group


@pytest.mark.parametrize("seed", range(20))
def test_random_groups_spread_seniority_over_the_groups(seed):
    # Eight staff, four managers, four partners: four groups of four.
    people = _people(*[S.STAFF] * 8, *[S.MANAGER] * 4, *[S.PARTNER] * 4)
    groups = services.propose_groups(people, rng=random.Random(seed))
    assert len(groups) == 4
    for group in groups:
        ranks = Counter(u.seniority for u in group)
        assert ranks[S.STAFF] == 2, "juniors come in pairs, every group has some"
        assert ranks[S.PARTNER] + ranks[S.MANAGER] == 2, "seniors are spread, not stacked"


def test_random_groups_are_not_always_the_same():
    people = _people(*[S.STAFF] * 10)
    draws = {
        tuple(sorted(tuple(sorted(u.username for u in g)) for g in services.propose_groups(people)))
        for _ in range(10)
    }
    assert len(draws) > 1


# Splitting and by-hand assignment ---------------------------------------------------------------


def test_the_facilitator_splits_the_room_at_random(client, fran, room):
    client.force_login(fran)
    response = client.post(reverse("retrospectives:breakout_split", args=[room.pk]), follow=True)
    assert "Split into groups" in response.content.decode()
    groups = list(room.breakout_groups.active())
    assert [len(g.members.all()) for g in groups] == [3, 3]
    assert {g.phase for g in groups} == {Phase.ACTUAL}
    assert "Group 1" in response.content.decode() and "Merge back" in response.content.decode()


def test_only_the_facilitator_or_a_partner_can_split(client, alice, room):
    client.force_login(alice)
    response = client.post(reverse("retrospectives:breakout_split", args=[room.pk]))
    assert response.status_code == 404
    assert not BreakoutGroup.objects.exists()


def test_groups_form_only_in_a_live_phase_that_takes_notes(room):
    room.phase = Phase.GROUND_RULES
    room.save()
    with pytest.raises(ValidationError, match="phase that takes notes"):
        services.split_into_groups(review=room)


def _by_hand_url(review):
    return reverse("retrospectives:breakout_groups", args=[review.pk])


def test_the_by_hand_page_suggests_mixed_groups_to_adjust(client, fran, room):
    client.force_login(fran)
    response = client.get(_by_hand_url(room))
    page = response.content.decode()
    assert response.status_code == 200
    assert "a suggestion that mixes seniority" in page
    assert page.count("selected>Group 1<") == 3 and page.count("selected>Group 2<") == 3


def test_the_facilitator_groups_people_by_hand(client, fran, room):
    people = list(room.participants.order_by("joined_at", "id"))
    data = {f"participant_{p.pk}": "1" if i < 3 else "2" for i, p in enumerate(people)}
    client.force_login(fran)
    response = client.post(_by_hand_url(room), data)
    assert response.status_code == 302
    groups = {g.number: set(g.members.all()) for g in room.breakout_groups.active()}
    assert groups == {1: set(people[:3]), 2: set(people[3:])}


def test_by_hand_a_group_too_small_is_named_next_to_its_people(client, fran, room):
    people = list(room.participants.order_by("joined_at", "id"))
    data = {f"participant_{p.pk}": "1" for p in people[:4]}
    data.update({f"participant_{p.pk}": "2" for p in people[4:]})
    client.force_login(fran)
    response = client.post(_by_hand_url(room), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("Group 2 would have 2 people; groups need 3 to 5.") == 2
    assert f'id="id_participant_{people[5].pk}-error"' in page
    # What was chosen is kept.
    assert page.count("selected>Group 1<") == 4
    assert not BreakoutGroup.objects.exists()


def test_by_hand_everyone_needs_a_group_and_a_real_one(client, fran, room):
    people = list(room.participants.order_by("joined_at", "id"))
    data = {f"participant_{p.pk}": "1" for p in people[:3]}
    data[f"participant_{people[3].pk}"] = "99"
    data[f"participant_{people[4].pk}"] = "\x00"
    client.force_login(fran)
    response = client.post(_by_hand_url(room), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Pick one of the groups listed." in page
    assert "Put this person in a group." in page
    assert not BreakoutGroup.objects.exists()


def test_by_hand_a_group_of_six_is_refused(room):
    _join(room, 1)
    people = list(room.participants.all())
    with pytest.raises(ValidationError) as error:
        services.split_into_groups(
            review=room, assignment=dict.fromkeys(people[:6], 1) | {people[6]: 2}
        )
    messages = " ".join(m for ms in error.value.message_dict.values() for m in ms)
    assert "Group 1 would have 6 people" in messages
    assert "Group 2 would have 1 person" in messages


def test_rearranging_keeps_the_groups_and_their_notes(room, alice):
    groups = services.split_into_groups(review=room, rng=random.Random(1))
    alices_group = next(g for g in groups if g.members.filter(user=alice).exists())
    note = services.add_note(review=room, author=alice, text="Mar 4: call missed", anonymous=True)
    people = list(room.participants.order_by("joined_at", "id"))
    services.split_into_groups(
        review=room, assignment={p: 1 if i < 3 else 2 for i, p in enumerate(people)}
    )
    note.refresh_from_db()
    assert note.group == alices_group
    assert room.breakout_groups.active().count() == 2


def test_the_by_hand_page_says_when_the_room_is_too_small(client, fran, live_review):
    client.force_login(fran)
    response = client.get(_by_hand_url(live_review))
    assert "A breakout needs at least 3 participants" in response.content.decode()


# Notes, participant page, presenter -------------------------------------------------------------


def test_a_note_is_tagged_with_its_authors_group(room, alice, bob):
    services.split_into_groups(review=room, rng=random.Random(2))
    note = services.add_note(review=room, author=alice, text="Mar 3: letter", anonymous=True)
    assert note.group == services.group_of(review=room, user=alice)
    assert note.group is not None
    # Someone not in a group (they joined late) adds to the whole room.
    services.join_review(review=room, user=bob)
    late = services.add_note(review=room, author=bob, text="Mar 9: voicemail", anonymous=True)
    assert late.group is None


def test_the_participant_sees_their_group_and_only_its_notes(client, room, alice):
    services.split_into_groups(review=room, rng=random.Random(3))
    mine = services.group_of(review=room, user=alice)
    other = room.breakout_groups.active().exclude(pk=mine.pk).get()
    stranger = other.members.first().user
    services.add_note(review=room, author=alice, text="Note of our group", anonymous=True)
    services.add_note(review=room, author=stranger, text="Note of the other group", anonymous=True)
    client.force_login(alice)
    page = client.get(reverse("retrospectives:join", args=[room.join_code])).content.decode()
    assert f"You are in {mine.name}" in page
    for member in mine.members.exclude(user=alice):
        assert member.user.name in page
    assert "Note of our group" in page
    assert "Note of the other group" not in page
    assert f"Post note to {mine.name}" in page


def _element(page: str, text: str, tag: str = "li") -> str:
    """The innermost <tag> element around `text`."""
    start = page.rindex(f"<{tag}", 0, page.index(text))
    return page[start : page.index(f"</{tag}>", start)]


def test_an_anonymous_note_shows_no_author_in_any_group_listing(client, fran, room, alice, sam):
    people = list(room.participants.order_by("joined_at", "id"))  # alice and sam first
    services.split_into_groups(
        review=room, assignment={p: 1 if i < 3 else 2 for i, p in enumerate(people)}
    )
    services.add_note(review=room, author=alice, text="Nobody answered the phone", anonymous=True)
    services.add_note(review=room, author=sam, text="I called twice", anonymous=False)
    client.force_login(fran)
    board = client.get(reverse("retrospectives:present_board", args=[room.pk])).content.decode()
    assert "Alice" not in _element(board, "Nobody answered the phone")
    console = client.get(reverse("retrospectives:review_console", args=[room.pk])).content.decode()
    assert "Alice" not in _element(console, "Nobody answered the phone")
    client.force_login(sam)
    phone = client.get(reverse("retrospectives:join", args=[room.join_code])).content.decode()
    assert "Alice" not in _element(phone, "Nobody answered the phone")
    assert "Alice Moreno" in phone  # as a member of sam's group, which is not authorship
    client.force_login(fran)
    services.merge_back(review=room)
    report = client.get(reverse("retrospectives:review_report", args=[room.pk])).content.decode()
    assert "Alice" not in report
    assert "Sam Rivera · Group 1" in report  # a named note keeps its author
    csv = client.get(reverse("retrospectives:review_report_csv", args=[room.pk])).content.decode()
    assert "Alice" not in csv


def test_the_presenter_shows_the_groups_side_by_side(client, fran, room, alice):
    services.split_into_groups(review=room, rng=random.Random(5))
    services.add_note(review=room, author=alice, text="Mar 3: letter arrives", anonymous=True)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:present_board", args=[room.pk])).content.decode()
    assert 'class="presenter-groups groups-2"' in page
    assert page.count('class="presenter-group"') == 2
    assert "Mar 3: letter arrives" in page
    assert "No notes yet" in page  # the other group


def test_the_presenter_board_costs_the_same_queries_for_more_groups(
    client, fran, room, django_assert_max_num_queries
):
    url = reverse("retrospectives:present_board", args=[room.pk])
    services.split_into_groups(review=room, rng=random.Random(6))
    client.force_login(fran)
    with django_assert_max_num_queries(15) as two_groups:
        client.get(url)
    _join(room, 9)
    services.merge_back(review=room)
    services.split_into_groups(review=room, rng=random.Random(7))
    for participant in room.participants.all():
        ContributionFactory(
            review=room,
            author=participant.user,
            group=services.group_of(review=room, user=participant.user),
        )
    with django_assert_max_num_queries(len(two_groups.captured_queries)):
        assert client.get(url).content.decode().count('class="presenter-group"') == 3


# Merging back ------------------------------------------------------------------------------------


def test_merging_back_ends_the_breakout_and_keeps_the_tags(client, fran, room, alice):
    services.split_into_groups(review=room, rng=random.Random(8))
    note = services.add_note(review=room, author=alice, text="Tagged note", anonymous=True)
    client.force_login(fran)
    response = client.post(reverse("retrospectives:breakout_merge", args=[room.pk]), follow=True)
    assert "Everyone is back together" in response.content.decode()
    assert not room.breakout_groups.active().exists()
    note.refresh_from_db()
    assert note.group is not None
    board = client.get(reverse("retrospectives:present_board", args=[room.pk])).content.decode()
    assert "presenter-groups" not in board and "Tagged note" in board


def test_merging_back_without_a_breakout_is_refused_with_a_message(client, fran, room):
    client.force_login(fran)
    response = client.post(reverse("retrospectives:breakout_merge", args=[room.pk]), follow=True)
    assert "no breakout to merge back" in response.content.decode()


def test_voting_waits_for_the_groups_to_merge_back(room, alice):
    room.phase = Phase.WHY
    room.save()
    services.split_into_groups(review=room, rng=random.Random(9))
    note = services.add_note(review=room, author=alice, text="No backup", anonymous=True)
    with pytest.raises(services.VoteRefused, match="merge back"):
        services.cast_vote(note=note, user=alice)
    services.merge_back(review=room)
    assert services.cast_vote(note=note, user=alice).slot == 1


def test_a_phase_change_merges_the_groups_back(room):
    services.split_into_groups(review=room, rng=random.Random(10))
    services.move_phase(review=room, step=1)
    assert not room.breakout_groups.active().exists()


def test_closing_the_review_ends_the_breakout(room):
    services.split_into_groups(review=room, rng=random.Random(11))
    services.close_review(review=room)
    assert not room.breakout_groups.active().exists()
    assert Review.objects.get(pk=room.pk).is_closed


def test_the_report_names_the_group_of_each_note(client, fran, room, alice):
    services.split_into_groups(review=room, rng=random.Random(12))
    services.add_note(review=room, author=alice, text="Tagged note", anonymous=True)
    group = Contribution.objects.get().group
    services.merge_back(review=room)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_report", args=[room.pk])).content.decode()
    assert f"anonymous · {group.name}" in page


# Polls -------------------------------------------------------------------------------------------


def _etags(client, urls):
    etags = []
    for user, url in urls:
        client.force_login(user)
        etags.append(client.get(url)["ETag"])
    return etags


def _changed(client, urls, etags):
    for (user, url), etag in zip(urls, etags, strict=True):
        client.force_login(user)
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 200, url


def test_splitting_rearranging_and_merging_change_the_etags(client, fran, alice, room):
    urls = [
        (fran, reverse("retrospectives:present_board", args=[room.pk])),
        (fran, reverse("retrospectives:console_notes", args=[room.pk])),
        (alice, reverse("retrospectives:join_board", args=[room.join_code])),
    ]
    people = list(room.participants.order_by("joined_at", "id"))
    changes = [
        lambda: services.split_into_groups(review=room, rng=random.Random(13)),
        lambda: services.split_into_groups(
            review=room, assignment={p: 1 if i < 3 else 2 for i, p in enumerate(people)}
        ),
        lambda: services.merge_back(review=room),
    ]
    for change in changes:
        etags = _etags(client, urls)
        before = Review.objects.get(pk=room.pk).version
        change()
        assert Review.objects.get(pk=room.pk).version > before
        _changed(client, urls, etags)
