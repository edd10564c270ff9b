"""Live screens poll every 2 s; an unchanged poll answers 304 from one query, without rendering,
and a changed one costs the same number of queries whatever the number of notes."""

import pytest
from django.urls import reverse

from retrospectives import services
from tests.factories import ContributionFactory, VoteFactory

pytestmark = pytest.mark.django_db


def _present(review):
    return reverse("retrospectives:present_board", args=[review.pk])


def _console(review):
    return reverse("retrospectives:console_notes", args=[review.pk])


def _board(review):
    return reverse("retrospectives:join_board", args=[review.join_code])


@pytest.fixture
def urls_and_users(live_review, fran, alice):
    return [
        (_present(live_review), fran),
        (_console(live_review), fran),
        (reverse("retrospectives:console_participants", args=[live_review.pk]), fran),
        (_board(live_review), alice),
    ]


def test_a_poll_answers_304_while_nothing_changes(client, urls_and_users):
    for url, user in urls_and_users:
        client.force_login(user)
        first = client.get(url)
        assert first.status_code == 200
        assert first["ETag"]
        assert "no-cache" in first["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304, url
        assert again.content == b""


def test_a_new_note_changes_the_etag(client, fran, alice, live_review):
    client.force_login(fran)
    first = client.get(_present(live_review))
    services.add_note(review=live_review, author=alice, text="A new note", anonymous=True)
    again = client.get(_present(live_review), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert "A new note" in again.content.decode()


def test_the_timer_and_phase_change_the_etag(client, fran, live_review):
    client.force_login(fran)
    etag = client.get(_present(live_review))["ETag"]
    services.set_timer(review=live_review, command="start", minutes=3)
    assert client.get(_present(live_review), headers={"If-None-Match": etag}).status_code == 200


def test_the_participant_etag_is_per_person(client, alice, sam, live_review):
    client.force_login(alice)
    etag = client.get(_board(live_review))["ETag"]
    client.force_login(sam)
    assert client.get(_board(live_review), headers={"If-None-Match": etag}).status_code == 200


def test_a_304_reads_only_the_review_version(
    client, fran, live_review, django_assert_max_num_queries
):
    client.force_login(fran)
    ContributionFactory.create_batch(3, review=live_review)
    etag = client.get(_present(live_review))["ETag"]
    # The session and the user, then one read of the review's version: no notes, no rendering.
    with django_assert_max_num_queries(10) as queries:
        response = client.get(_present(live_review), headers={"If-None-Match": etag})
    assert response.status_code == 304
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum("retrospectives_review" in q for q in sql) == 1
    assert not any("retrospectives_contribution" in q for q in sql)


def test_no_poll_leaks_to_someone_outside_the_review(client, bob, urls_and_users):
    client.force_login(bob)
    for url, _ in urls_and_users:
        assert client.get(url).status_code == 404, url


def _notes(review, count, author):
    notes = ContributionFactory.create_batch(count, review=review, author=author, anonymous=False)
    for note in notes[:3]:
        VoteFactory(contribution=note)
    return notes


@pytest.mark.parametrize("which", ["present", "console", "board"])
def test_poll_query_counts_do_not_grow_with_the_notes(
    client, fran, alice, voting_review, django_assert_max_num_queries, which
):
    url, user = {
        "present": (_present(voting_review), fran),
        "console": (_console(voting_review), fran),
        "board": (_board(voting_review), alice),
    }[which]
    client.force_login(user)
    _notes(voting_review, 5, alice)
    with django_assert_max_num_queries(40) as five:
        assert client.get(url).status_code == 200
    _notes(voting_review, 45, alice)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
