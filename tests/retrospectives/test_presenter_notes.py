"""What the presenter's board sends the projector: at most PRESENTER_NOTES notes, long ones
marked to take the board's width, the rest counted for the phones (the fitting itself is
static/js/presenter.js, tested in tests/e2e/test_presenter_fit.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retrospectives.views import PRESENTER_LONG_NOTE, PRESENTER_NOTES
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db


def _board(client, review):
    return client.get(reverse("retrospectives:present_board", args=[review.pk])).content.decode()


def test_the_projector_gets_at_most_its_notes_and_counts_the_rest(client, fran, alice, live_review):
    ContributionFactory.create_batch(PRESENTER_NOTES + 6, review=live_review, author=alice)
    client.force_login(fran)
    html = _board(client, live_review)
    assert html.count('<li class="presenter-note') == PRESENTER_NOTES
    assert "+ 6 more on your phones" in html


def test_a_long_note_is_marked_to_take_the_whole_width(client, fran, alice, live_review):
    ContributionFactory(review=live_review, author=alice, text="x" * (PRESENTER_LONG_NOTE + 1))
    ContributionFactory(review=live_review, author=alice, text="x" * PRESENTER_LONG_NOTE)
    client.force_login(fran)
    html = _board(client, live_review)
    assert html.count('class="presenter-note is-long"') == 1
    assert html.count('class="presenter-note"') == 1


def test_a_single_note_is_marked_as_alone(client, fran, alice, live_review):
    ContributionFactory(review=live_review, author=alice, text="Late invoice")
    client.force_login(fran)
    assert "presenter-notes is-single" in _board(client, live_review)


def test_the_board_costs_the_same_queries_for_5_and_24_notes(client, fran, alice, live_review):
    client.force_login(fran)
    counts = []
    for total in (5, PRESENTER_NOTES):
        existing = live_review.contributions.count()
        ContributionFactory.create_batch(total - existing, review=live_review, author=alice)
        _board(client, live_review)
        with CaptureQueriesContext(connection) as queries:
            _board(client, live_review)
        counts.append(len(queries))
    assert counts[0] == counts[1]
