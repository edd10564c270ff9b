"""The presenter from the back of the room: notes shown whole, in the largest type that fits,
never below 32px, and in pages that turn by themselves only when they really don't fit."""

import re

import pytest
from playwright.sync_api import expect

from retrospectives.models import Phase, Review
from tests.e2e.conftest import screenshot
from tests.factories import ContributionFactory, ReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECTORS = {"1280x720": (1280, 720), "1920x1080": (1920, 1080)}
LONG = (
    "The client asked three times for the engagement letter to be updated after their business "
    "changed, and each time the request went to a shared inbox that nobody owned during busy "
    "season, so by the time the partner heard about it they had talked to another firm."
)
SHORT = ["Late invoice", "Nobody owned the notices inbox", "Checklist worked", "Portal broke"]


def _review_with_notes(fran, alice, texts):
    review = ReviewFactory(facilitator=fran, status=Review.Status.LIVE, phase=Phase.WORKING)
    for text in texts:
        ContributionFactory(review=review, phase=Phase.WORKING, author=alice, text=text)
    return review


def _font_px(locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


def _assert_visible_notes_are_whole(presenter, name):
    notes = presenter.locator(".presenter-notes")
    box = notes.bounding_box()
    bottom = box["y"] + box["height"]
    visible = presenter.locator(".presenter-note:visible")
    assert visible.count() >= 1
    for note in visible.all():
        note_box = note.bounding_box()
        assert note_box["y"] + note_box["height"] <= bottom + 1, f"a note is cut off at {name}"
        text = note.locator(".presenter-note-text")
        assert text.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        assert _font_px(text) >= 32
    return visible.count()


def _open_presenter(new_page, log_in, live_server, fran, review, size):
    presenter = new_page(viewport={"width": size[0], "height": size[1]})
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    return presenter


@pytest.mark.parametrize("name", PROJECTORS)
def test_a_single_long_note_is_shown_whole(new_page, live_server, log_in, fran, alice, name):
    review = _review_with_notes(fran, alice, [LONG])
    presenter = _open_presenter(new_page, log_in, live_server, fran, review, PROJECTORS[name])
    expect(presenter.locator(".presenter-note")).to_contain_text("talked to another firm.")
    assert _assert_visible_notes_are_whole(presenter, name) == 1
    expect(presenter.locator("[data-presenter-page]")).to_be_hidden()
    expect(presenter.locator(".presenter-qr")).to_be_in_viewport()
    expect(presenter.locator(".presenter-code")).to_be_in_viewport()
    screenshot(presenter, f"presenter-fit-1-long-{name}")


def test_a_short_note_alone_gets_larger_type(new_page, live_server, log_in, fran, alice):
    review = _review_with_notes(fran, alice, ["Late invoice"])
    presenter = _open_presenter(new_page, log_in, live_server, fran, review, (1280, 720))
    assert _font_px(presenter.locator(".presenter-note-text")) >= 48
    screenshot(presenter, "presenter-fit-1-short-1280x720")


@pytest.mark.parametrize("name", PROJECTORS)
def test_five_short_notes_all_fit_on_one_page(new_page, live_server, log_in, fran, alice, name):
    review = _review_with_notes(fran, alice, [*SHORT, "Partner unreachable in April"])
    presenter = _open_presenter(new_page, log_in, live_server, fran, review, PROJECTORS[name])
    assert _assert_visible_notes_are_whole(presenter, name) == 5
    expect(presenter.locator("[data-presenter-page]")).to_be_hidden()
    screenshot(presenter, f"presenter-fit-5-short-{name}")


@pytest.mark.parametrize("name", PROJECTORS)
def test_notes_that_do_not_fit_turn_in_pages_of_whole_notes(
    new_page, live_server, log_in, fran, alice, name
):
    review = _review_with_notes(fran, alice, [f"{LONG} ({n})" for n in range(20)])
    presenter = new_page(viewport={"width": PROJECTORS[name][0], "height": PROJECTORS[name][1]})
    presenter.clock.install()
    # Fast-forwarding the clock would also fire a burst of polls: keep the board as loaded.
    presenter.route("**/present/board/", lambda route: route.abort())
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    label = presenter.locator("[data-presenter-page]")
    expect(label).to_contain_text("Page 1 of ")
    pages = int(label.inner_text().rsplit(" ", 1)[1])
    assert pages > 1
    seen = set()
    for page in range(1, pages + 1):
        expect(label).to_have_text(f"Page {page} of {pages}")
        _assert_visible_notes_are_whole(presenter, name)
        seen.update(presenter.locator(".presenter-note-text:visible").all_inner_texts())
        if page == 1:
            screenshot(presenter, f"presenter-fit-20-long-{name}")
        presenter.clock.run_for(10_000)
    assert len(seen) == 20
    expect(label).to_have_text(f"Page 1 of {pages}")


def test_sixty_notes_show_the_first_pages_and_send_the_rest_to_phones(
    new_page, live_server, log_in, fran, alice
):
    review = _review_with_notes(fran, alice, [f"{SHORT[n % 4]} ({n})" for n in range(60)])
    presenter = _open_presenter(new_page, log_in, live_server, fran, review, (1280, 720))
    expect(presenter.locator(".presenter-note")).to_have_count(24)
    expect(presenter.locator(".presenter-more")).to_have_text("+ 36 more on your phones")
    expect(presenter.locator("[data-presenter-page]")).to_contain_text("Page 1 of ")
    more = presenter.locator(".presenter-more").bounding_box()
    assert more["y"] + more["height"] <= 720
    _assert_visible_notes_are_whole(presenter, "1280x720")
    screenshot(presenter, "presenter-fit-60-short-1280x720")


def test_a_note_too_long_for_the_whole_board_is_cut_with_a_fade(
    new_page, live_server, log_in, fran, alice
):
    review = _review_with_notes(fran, alice, [" ".join([LONG] * 6)])
    presenter = _open_presenter(new_page, log_in, live_server, fran, review, (1280, 720))
    expect(presenter.locator(".presenter-notes")).to_have_class(re.compile(r"\bis-cut\b"))
    assert _font_px(presenter.locator(".presenter-note-text")) >= 32
    note = presenter.locator(".presenter-note").bounding_box()
    assert note["y"] + note["height"] <= 720
    screenshot(presenter, "presenter-fit-1-huge-1280x720")
