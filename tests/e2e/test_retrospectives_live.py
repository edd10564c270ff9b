"""A live review in Debian's Chromium: the facilitator's console, the presenter window it opens,
and three participants on 375px phones."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from retrospectives.models import Contribution, Phase, Review
from tests.e2e.conftest import PHONE, post_note, screenshot
from tests.factories import ReviewFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Polling screens make concurrent requests (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

LIVE = 3_000  # notes must reach the projector within 3 s
PROJECTOR_720 = {"width": 1280, "height": 720}
PROJECTOR_1080 = {"width": 1920, "height": 1080}


def _phone(new_page, log_in, live_server, user, code):
    page = new_page(viewport=PHONE)
    log_in(page, user)
    page.goto(f"{live_server.url}/join/{code}/")
    expect(page.get_by_text("nobody in the app sees that you wrote it")).to_be_visible()
    page.get_by_role("button", name="Join the review").click()
    return page


def _next_phase(console, name):
    console.keyboard.press("n")
    expect(console.get_by_role("heading", name=name, exact=True)).to_be_visible()


def _font_px(locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


def test_a_live_review_from_console_to_projector_to_phones(
    new_page, live_server, log_in, fran, alice, bob, sam
):
    review = ReviewFactory(title="Why we lost Harbor Dental", facilitator=fran)
    code = review.join_code

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    console.get_by_role("button", name="Start the review").click()
    expect(console.get_by_role("heading", name="Ground rules")).to_be_visible()

    with console.context.expect_page() as opened:
        console.get_by_role("link", name="Open presenter view").click()
    presenter = opened.value
    polls = []
    presenter.on(
        "response",
        lambda r: (
            polls.append((r.request.all_headers().get("if-none-match"), r.all_headers()))
            if "/present/board/" in r.url
            else None
        ),
    )
    presenter.set_viewport_size(PROJECTOR_720)
    presenter.wait_for_load_state()
    expect(presenter.locator(".presenter-phase")).to_have_text("Ground rules")
    expect(presenter.locator(".presenter-code")).to_have_text(code)
    assert presenter.locator("nav, footer").count() == 0

    phones = {
        user.username: _phone(new_page, log_in, live_server, user, code)
        for user in (alice, bob, sam)
    }
    expect(console.locator("#console-participants")).to_contain_text("3 joined", timeout=LIVE)

    _next_phase(console, "What's working")
    expect(presenter.locator(".presenter-phase")).to_have_text("What's working", timeout=LIVE)
    expect(phones["alice"].get_by_role("heading", name="What's working")).to_be_visible(
        timeout=LIVE
    )

    post_note(phones["alice"], "The year-end checklist caught every missing form.", anonymous=True)
    expect(
        presenter.get_by_text("The year-end checklist caught every missing form.")
    ).to_be_visible(timeout=LIVE)
    post_note(phones["bob"], "Payroll runs were right every single month.", anonymous=False)
    expect(presenter.get_by_text("Payroll runs were right every single month.")).to_be_visible(
        timeout=LIVE
    )
    expect(presenter.locator(".presenter-author")).to_have_text(["Bob Chen"])

    # The blame nudge shows while typing, before anything is posted; nothing is blocked.
    phones["sam"].get_by_label("Your note").fill("Somebody should have chased the client")
    expect(phones["sam"].locator("#blame-hint")).to_contain_text("make sense at the time")
    phones["sam"].get_by_role("button", name="Post note").click()
    expect(presenter.get_by_text("Somebody should have chased the client")).to_be_visible(
        timeout=LIVE
    )
    expect(console.locator("#console-notes")).to_contain_text("should have", timeout=LIVE)

    # Anonymity holds on the projector and in the console.
    for screen in (presenter, console):
        expect(screen.locator(".presenter-notes, #console-notes").first).not_to_contain_text(
            "Alice Moreno"
        )
        expect(screen.locator(".presenter-notes, #console-notes").first).not_to_contain_text(
            "Sam Rivera"
        )

    body = presenter.locator(".presenter-note-text").first
    assert _font_px(body) >= 32
    assert _font_px(presenter.locator(".presenter-prompt")) >= 32
    screenshot(presenter, "retrospectives-presenter-1280x720")
    presenter.set_viewport_size(PROJECTOR_1080)
    assert _font_px(body) >= 40
    screenshot(presenter, "retrospectives-presenter-1920x1080")
    presenter.set_viewport_size(PROJECTOR_720)

    alice_phone = phones["alice"]
    assert alice_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(alice_phone, "retrospectives-participant-375")

    for name in ("Intended", "Actual", "Why the difference"):
        _next_phase(console, name)
    expect(presenter.locator(".presenter-phase")).to_have_text("Why the difference", timeout=LIVE)
    console.keyboard.press("t")  # a five-minute timer
    expect(console.get_by_role("button", name="Pause")).to_be_visible()
    expect(presenter.get_by_role("timer")).to_contain_text("4:", timeout=LIVE)
    post_note(phones["sam"], "Notices landed in a shared inbox with no owner.", anonymous=True)
    post_note(phones["alice"], "No backup partner was named for busy season.", anonymous=True)
    cause = "Notices landed in a shared inbox with no owner."
    for who in ("alice", "bob", "sam"):
        card = phones[who].locator(".board-note").filter(has_text=cause)
        card.get_by_role("button", name="Vote for this").click()
        expect(card.get_by_role("button", name="Voted — tap to take back")).to_be_visible()
    expect(phones["alice"].locator(".votes-left")).to_have_text("2 of 3 votes left")
    # The why board: the notes not yet grouped under a cause, the best-voted shown.
    top = presenter.locator(".present-cause-group").first
    expect(top).to_contain_text(cause, timeout=LIVE)
    expect(top).to_contain_text("3 votes", timeout=LIVE)
    screenshot(presenter, "retrospectives-presenter-voting-1280x720")
    screenshot(phones["bob"], "retrospectives-participant-voting-375", full_page=True)
    screenshot(console, "retrospectives-console", full_page=True)
    assert phones["bob"].evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The facilitator turns the top cause into an action.
    console.reload()
    note = Contribution.objects.get(text=cause)
    console.locator(f"#note-{note.pk}").get_by_role("link", name="Action").click()
    console.get_by_label("Title").fill("Give the notices inbox an owner")
    console.get_by_label("Owner").select_option(label="Bob Chen")
    due = timezone.localdate() + dt.timedelta(days=21)
    console.get_by_label("Due").fill(due.isoformat())
    console.get_by_role("button", name="Create the action").click()
    expect(console.get_by_text("Give the notices inbox an owner").first).to_be_visible()
    action = Action.objects.get()
    assert (action.owner, action.due_on, action.source_contribution) == (bob, due, note)

    # While nothing changes, the browser revalidates each poll with the last ETag and gets a
    # bodiless 304 (Chromium then reports its cached copy; test_polls.py asserts the 304).
    # (The first of them may still pick up the action just created.) Polls come every 2 s: the
    # browser has 5 s to revalidate one, as before, but the test goes on as soon as it has.
    quiet_from = len(polls)

    def revalidated() -> bool:
        return any(etag and etag == headers.get("etag") for etag, headers in polls[quiet_from:])

    for _ in range(50):
        if revalidated():
            break
        presenter.wait_for_timeout(100)
    assert revalidated()
    assert all("no-cache" in headers["cache-control"] for _, headers in polls)

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End the session").click()
    expect(console.get_by_text("The review is closed.")).to_be_visible()
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED
    assert Review.objects.get(pk=review.pk).phase == Phase.CLOSE
