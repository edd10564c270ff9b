"""Push in Chromium, under an ASGI server: a note posted from a phone reaches the presenter and
the other phones through the stream, with no polling while the stream is up; when the stream
fails, the screens poll as before."""

import time

import pytest
from playwright.sync_api import expect

from retrospectives.models import Phase, Review
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import PASSWORD, ParticipantFactory, ReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def review(fran, alice, sam):
    review = ReviewFactory(
        title="Why we lost Harbor Dental",
        facilitator=fran,
        status=Review.Status.LIVE,
        phase=Phase.WORKING,
    )
    for user in (alice, sam):
        ParticipantFactory(review=review, user=user)
    return review


def _log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _screen(new_page, base, user, path, board, viewport):
    """A logged-in page at `path`, with the list of its requests for the `board` fragment."""
    page = new_page(viewport=viewport)
    _log_in(page, base, user)
    fetches = []
    page.on("request", lambda r: fetches.append(r.url) if board in r.url else None)
    page.goto(f"{base}{path}")
    return page, fetches


def _post(phone, text):
    phone.get_by_label("Your note").fill(text)
    phone.get_by_role("button", name="Post note").click()
    expect(phone.get_by_role("status").filter(has_text="Posted")).to_be_visible()


def test_a_note_from_a_phone_reaches_the_presenter_by_push(
    asgi_server, new_page, review, fran, alice, sam
):
    base = asgi_server.url
    presenter, presenter_fetches = _screen(
        new_page, base, fran, f"/reviews/{review.pk}/present/", "/present/board/", PROJECTOR
    )
    board = presenter.locator("#present-board")
    expect(board).to_have_attribute("data-push-state", "live")
    reader, reader_fetches = _screen(
        new_page, base, sam, f"/join/{review.join_code}/", "/board/", PHONE
    )
    expect(reader.locator("#participant-board")).to_have_attribute("data-push-state", "live")
    writer = new_page(viewport=PHONE)
    _log_in(writer, base, alice)
    writer.goto(f"{base}/join/{review.join_code}/")

    # With the stream up nobody polls: three quiet seconds, no fetch of any board.
    time.sleep(3)
    assert presenter_fetches == []
    assert reader_fetches == []

    _post(writer, "Their front desk never heard back from us")
    expect(board.get_by_text("Their front desk never heard back from us")).to_be_visible()
    expect(reader.get_by_text("Their front desk never heard back from us")).to_be_visible()
    # Fetched only after the change: the push, not a poll, brought it.
    assert presenter_fetches
    assert reader_fetches
    assert "alice" not in board.inner_text().lower()
    screenshot(presenter, "push-presenter-note-arrived")


def test_when_the_stream_fails_the_screens_poll(asgi_server, new_page, review, fran, alice):
    base = asgi_server.url
    presenter = new_page(viewport=PROJECTOR)
    presenter.route("**/live/", lambda route: route.fulfill(status=503, body=""))
    _log_in(presenter, base, fran)
    fetches = []
    presenter.on("request", lambda r: fetches.append(r.url) if "/present/board/" in r.url else None)
    presenter.goto(f"{base}/reviews/{review.pk}/present/")
    board = presenter.locator("#present-board")
    expect(board).to_have_attribute("data-push-state", "polling")

    writer = new_page(viewport=PHONE)
    _log_in(writer, base, alice)
    writer.goto(f"{base}/join/{review.join_code}/")
    _post(writer, "Nobody called them after the audit")
    expect(board.get_by_text("Nobody called them after the audit")).to_be_visible(timeout=5_000)
    assert fetches, "the presenter polled"
    expect(board).to_have_attribute("data-push-state", "polling")
