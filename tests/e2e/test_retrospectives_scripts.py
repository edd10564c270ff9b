"""A win, run in Debian's Chromium: the facilitator turns a planned loss review into a win from
its edit page, and the presenter (1280×720) and a 375px phone ask the win's questions."""

import pytest
from django.utils.html import escape
from playwright.sync_api import expect

from retrospectives.models import SCRIPTS, Phase, Review
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ReviewFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Polling screens make concurrent requests (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

LIVE = 3_000
PROJECTOR_720 = {"width": 1280, "height": 720}
WIN = SCRIPTS[Review.Kind.WIN]


def _font_px(locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


def test_a_win_review_asks_the_wins_questions_on_the_projector_and_phones(
    new_page, live_server, log_in, fran, alice
):
    review = ReviewFactory(title="Harbor renewal", facilitator=fran)

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/")
    console.get_by_role("link", name="Edit the review").click()
    console.get_by_label("Title").fill("How we won the Harbor renewal")
    console.get_by_label("Kind").select_option(label="Win")
    console.get_by_role("button", name="Save the review").click()
    expect(console.get_by_text("Review saved.")).to_be_visible()
    expect(console.get_by_role("heading", name="How we won the Harbor renewal")).to_be_visible()
    assert Review.objects.get(pk=review.pk).kind == Review.Kind.WIN

    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    console.get_by_role("button", name="Start the review").click()
    expect(console.get_by_role("heading", name="Ground rules")).to_be_visible()
    with console.context.expect_page() as opened:
        console.get_by_role("link", name="Open presenter view").click()
    presenter = opened.value
    presenter.set_viewport_size(PROJECTOR_720)
    presenter.wait_for_load_state()

    phone = new_page(viewport=PHONE)
    log_in(phone, alice)
    phone.goto(f"{live_server.url}/join/{review.join_code}/")
    phone.get_by_role("button", name="Join the review").click()

    for phase in (Phase.WORKING, Phase.INTENDED, Phase.ACTUAL):
        console.keyboard.press("n")
        expect(console.get_by_role("heading", name=WIN.title(phase), exact=True)).to_be_visible()
    actual = WIN.step(Phase.ACTUAL)
    expect(presenter.locator(".presenter-phase")).to_have_text(actual.title, timeout=LIVE)
    expect(presenter.locator(".presenter-prompt")).to_have_text(actual.prompt)
    expect(phone.get_by_role("heading", name=actual.title)).to_be_visible(timeout=LIVE)
    expect(phone.locator(".board-prompt")).to_have_text(actual.prompt)

    phone.get_by_label("Your note").fill("We sent the draft return a week early.")
    phone.get_by_role("button", name="Post note").click()
    expect(presenter.get_by_text("We sent the draft return a week early.")).to_be_visible(
        timeout=LIVE
    )
    assert _font_px(presenter.locator(".presenter-prompt")) >= 32
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(presenter, "retrospectives-win-presenter-1280x720")
    screenshot(phone, "retrospectives-win-participant-375", full_page=True)

    console.keyboard.press("n")
    why = WIN.step(Phase.WHY)
    expect(presenter.locator(".presenter-phase")).to_have_text(why.title, timeout=LIVE)
    expect(phone.locator(".board-prompt")).to_have_text(why.prompt, timeout=LIVE)
    for screen in (presenter, phone):
        assert escape("Why the difference") not in screen.content()
    screenshot(presenter, "retrospectives-win-presenter-why-1280x720")


def _colour(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).{prop}")


def test_the_presenter_has_a_dark_theme_full_screen_and_a_list_of_shortcuts(
    new_page, live_server, log_in, fran, alice
):
    review = ReviewFactory(title="How we won Harbor", facilitator=fran, kind=Review.Kind.WIN)
    review.status, review.phase = Review.Status.LIVE, Phase.ACTUAL
    review.save()
    presenter = new_page(viewport=PROJECTOR_720)
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    body = presenter.locator("body")
    assert _colour(body, "backgroundColor") == "rgb(255, 255, 255)"

    presenter.keyboard.press("d")
    expect(body).to_have_class("presenter theme-dark")
    expect(presenter.get_by_role("button", name="Dark")).to_have_attribute("aria-pressed", "true")
    assert _colour(body, "backgroundColor") == "rgb(0, 0, 0)"
    assert _colour(presenter.locator(".presenter-prompt"), "color") == "rgb(255, 255, 255)"
    assert _font_px(presenter.locator(".presenter-prompt")) >= 32
    # The join code and QR code stay on screen in the dark theme too.
    expect(presenter.locator(".presenter-code")).to_be_in_viewport()
    expect(presenter.locator(".presenter-qr")).to_be_in_viewport()
    screenshot(presenter, "retrospectives-win-presenter-dark-1280x720")

    # The theme outlives a reload (and every poll, which swaps only the board).
    presenter.reload()
    expect(body).to_have_class("presenter theme-dark")
    presenter.get_by_role("button", name="Dark").click()
    expect(body).to_have_class("presenter")

    presenter.keyboard.press("?")
    dialog = presenter.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for shortcut in ("Next phase", "Previous phase", "timer", "Dark, high-contrast", "Full screen"):
        expect(dialog).to_contain_text(shortcut)
    screenshot(presenter, "retrospectives-presenter-shortcuts-1280x720")
    presenter.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    full_screen = presenter.get_by_role("button", name="Full screen")
    full_screen.click()
    expect(full_screen).to_have_attribute("aria-pressed", "true")
    assert presenter.evaluate("Boolean(document.fullscreenElement)")
    presenter.keyboard.press("f")
    expect(full_screen).to_have_attribute("aria-pressed", "false")

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    console.keyboard.press("?")
    expect(console.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    console.keyboard.press("Escape")
    console.get_by_role("button", name="all shortcuts").click()
    expect(console.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
