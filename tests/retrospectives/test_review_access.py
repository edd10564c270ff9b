"""Only participants, the facilitator and partners see a review; everyone else gets 404."""

import pytest
from django.urls import reverse

from tests.factories import ContributionFactory, ReviewFactory

pytestmark = pytest.mark.django_db

REVIEW_PAGES = [
    "review_detail",
    "review_report",
    "review_report_csv",
]
RUN_PAGES = ["review_console", "review_present", "console_notes", "present_board"]


@pytest.mark.parametrize("name", REVIEW_PAGES + RUN_PAGES)
def test_the_review_page_404s_for_someone_who_did_not_join(client, bob, review, name):
    client.force_login(bob)
    assert client.get(reverse(f"retrospectives:{name}", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_the_review_page_shows_the_review_to_participants(client, alice, review, name):
    client.force_login(alice)
    assert client.get(reverse(f"retrospectives:{name}", args=[review.pk])).status_code == 200


@pytest.mark.parametrize("name", RUN_PAGES)
def test_the_review_page_keeps_the_console_and_presenter_from_participants(
    client, alice, review, name
):
    client.force_login(alice)
    assert client.get(reverse(f"retrospectives:{name}", args=[review.pk])).status_code == 404


@pytest.mark.parametrize("name", REVIEW_PAGES + RUN_PAGES)
def test_the_review_page_opens_everything_to_partners(client, pat, review, name):
    client.force_login(pat)
    assert client.get(reverse(f"retrospectives:{name}", args=[review.pk])).status_code == 200


def test_the_review_page_404s_for_another_facilitator(client, review):
    other = ReviewFactory().facilitator
    client.force_login(other)
    url = reverse("retrospectives:review_console", args=[review.pk])
    assert client.get(url).status_code == 404


def test_the_review_page_lists_only_visible_reviews(client, alice, bob, review):
    hidden = ReviewFactory(title="Secret review")
    client.force_login(alice)
    page = client.get(reverse("retrospectives:review_list")).content.decode()
    assert review.title in page
    assert hidden.title not in page


def test_the_list_query_count_is_constant(client, pat, django_assert_max_num_queries):
    client.force_login(pat)
    for _ in range(5):
        ReviewFactory()
    url = reverse("retrospectives:review_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(45):
        ReviewFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("name", ["note_hide", "note_cause", "note_merge", "note_lesson"])
def test_moderation_404s_for_participants(client, alice, live_review, name):
    note = ContributionFactory(review=live_review)
    client.force_login(alice)
    url = reverse(f"retrospectives:{name}", args=[live_review.pk, note.pk])
    assert client.post(url, {"hidden": "1"}).status_code == 404


@pytest.mark.parametrize(
    "name", ["review_start", "review_phase", "review_timer", "review_close", "review_whys"]
)
def test_console_changes_need_post_and_the_facilitator(client, fran, alice, review, name):
    url = reverse(f"retrospectives:{name}", args=[review.pk])
    client.force_login(fran)
    assert client.get(url).status_code == 405
    client.force_login(alice)
    assert client.post(url).status_code == 404
