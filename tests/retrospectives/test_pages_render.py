"""Every page of a review renders for the people who may see it."""

import pytest
from django.urls import reverse

from retrospectives.models import Phase, Review
from tests.factories import ContributionFactory, LessonFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phase", list(Phase))
def test_every_review_page_renders_every_phase_on_every_screen(client, fran, alice, review, phase):
    review.status = Review.Status.LIVE
    review.phase = phase
    review.save()
    note = ContributionFactory(review=review, author=alice, phase=phase, anonymous=False)
    VoteFactory(contribution=note, user=alice)
    client.force_login(fran)
    for name in [
        "review_console",
        "review_present",
        "console_notes",
        "present_board",
        "review_detail",
        "review_report",
        "review_report_csv",
    ]:
        response = client.get(reverse(f"retrospectives:{name}", args=[review.pk]))
        assert response.status_code == 200, name
    client.force_login(alice)
    for name in ["join", "join_board"]:
        response = client.get(reverse(f"retrospectives:{name}", args=[review.join_code]))
        assert response.status_code == 200, name


def test_every_review_page_renders_lists_and_forms(client, fran, review):
    lesson = LessonFactory(review=review, created_by=fran)
    client.force_login(fran)
    for url in [
        reverse("retrospectives:review_list"),
        reverse("retrospectives:review_new"),
        reverse("retrospectives:lesson_list"),
        reverse("retrospectives:lesson_detail", args=[lesson.pk]),
        reverse("retrospectives:lesson_edit", args=[lesson.pk]),
        reverse("retrospectives:lesson_new", args=[review.pk]),
        reverse("retrospectives:join_code"),
    ]:
        assert client.get(url).status_code == 200, url
