"""A whole live review in one Chromium: the facilitator's console, the projector and three phones,
through every phase to the end.

Screenshots of the projector (light and dark theme, 1280x720) and of a phone (375px) in each phase
are written to test-artifacts/review-walkthrough/ (git-ignored), named by phase number, to look at
after a run.
"""

import pytest
from playwright.sync_api import expect

from retrospectives.models import Phase, Review
from tests.e2e.conftest import ARTIFACTS, PHONE, post_note
from tests.factories import ReviewFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Polling screens make concurrent requests (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

SHOTS = ARTIFACTS / "review-walkthrough"
# A change reaches the projector and the phones within a poll or two, even on a busy machine.
LIVE = 5_000
PROJECTOR = {"width": 1280, "height": 720}
# Who writes what in each phase; alice and sam always anonymously, bob under his name.
NOTES = {
    Phase.WORKING: [
        ("alice", "The year-end checklist caught every missing form."),
        ("bob", "Payroll ran right every single month."),
    ],
    Phase.INTENDED: [("sam", "Notices answered within five working days.")],
    Phase.ACTUAL: [("alice", "The March notice sat in a shared inbox for three weeks.")],
    Phase.WHY: [
        ("sam", "Notices landed in a shared inbox with no owner."),
        ("bob", "No backup partner was named for busy season."),
    ],
    Phase.SUSTAIN_IMPROVE: [("alice", "Keep the checklist; give the inbox an owner.")],
    Phase.ACTIONS: [("bob", "Bob names an inbox owner by Friday.")],
}
NAMED = {"bob"}


def _join(new_page, log_in, live_server, user, code):
    phone = new_page(viewport=PHONE)
    log_in(phone, user)
    phone.goto(f"{live_server.url}/join/{code}/")
    phone.get_by_role("button", name="Join the review").click()
    expect(phone.get_by_role("heading", name="Starting soon")).to_be_visible()
    return phone


def _shoot(presenter, phone, name):
    presenter.screenshot(path=SHOTS / f"{name}-projector-light.png")
    presenter.keyboard.press("d")
    expect(presenter.locator("body")).to_have_class("presenter theme-dark")
    presenter.screenshot(path=SHOTS / f"{name}-projector-dark.png")
    presenter.keyboard.press("d")
    expect(presenter.locator("body")).to_have_class("presenter")
    phone.screenshot(path=SHOTS / f"{name}-phone-375.png", full_page=True)


def _check_projector(presenter, anonymous_authors):
    """What holds on the projector in every phase: the way to join is on screen, type is large,
    and nobody who wrote anonymously is named."""
    expect(presenter.locator(".presenter-qr")).to_be_in_viewport()
    expect(presenter.locator(".presenter-code")).to_be_in_viewport()
    # Measured in one go in the page: a poll or a push may replace the notes between two calls.
    sizes = presenter.evaluate(
        """() => [...document.querySelectorAll('.presenter-prompt, .presenter-note-text')]
            .filter(el => el.offsetParent !== null)
            .map(el => parseFloat(getComputedStyle(el).fontSize))"""
    )
    assert sizes and min(sizes) >= 32, sizes
    for name in anonymous_authors:
        expect(presenter.locator("body")).not_to_contain_text(name)


def test_a_review_walked_through_every_phase_on_console_projector_and_phones(
    new_page, live_server, log_in, fran, alice, bob, sam
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    review = ReviewFactory(title="Why we lost Harbor Dental", facilitator=fran)
    users = {"alice": alice, "bob": bob, "sam": sam}
    anonymous_authors = [u.display_name for name, u in users.items() if name not in NAMED]

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    presenter = console.context.new_page()
    presenter.set_viewport_size(PROJECTOR)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    # Set once; still there at the end only if the projector never reloaded.
    presenter.evaluate("window.loadedOnce = true")
    phones = {
        name: _join(new_page, log_in, live_server, u, review.join_code) for name, u in users.items()
    }
    expect(presenter.locator(".presenter-phase")).to_have_text("Starting soon")
    _check_projector(presenter, anonymous_authors)
    _shoot(presenter, phones["alice"], "0-starting-soon")

    console.get_by_role("button", name="Start the review").click()
    for phase in Phase:
        title = review.script.title(phase)
        if phase != Phase.GROUND_RULES:
            console.keyboard.press("n")
        expect(console.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(presenter.locator(".presenter-phase")).to_have_text(title, timeout=LIVE)
        for phone in phones.values():
            expect(phone.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=LIVE)

        # In the "why" phase the projector shows the why board: notes grouped by cause.
        on_board = ".present-cause-note" if phase == Phase.WHY else ".presenter-note"
        author = ".present-chain-author" if phase == Phase.WHY else ".presenter-author"
        for who, text in NOTES.get(phase, []):
            post_note(phones[who], text, anonymous=who not in NAMED, timeout=LIVE)
            note = presenter.locator(on_board).filter(has_text=text)
            expect(note).to_be_visible(timeout=LIVE)
            if who in NAMED:
                expect(note.locator(author)).to_contain_text(users[who].display_name)
            else:
                expect(note.locator(author)).to_have_count(0)

        if phase == Phase.WHY:
            cause = NOTES[Phase.WHY][0][1]
            for phone in phones.values():
                card = phone.locator(".board-note").filter(has_text=cause)
                card.get_by_role("button", name="Vote for this").click()
                expect(card.get_by_role("button", name="Voted — tap to take back")).to_be_visible()
            top = presenter.locator(".present-cause-group").first
            expect(top).to_contain_text(cause, timeout=LIVE)
            expect(top).to_contain_text("3 votes", timeout=LIVE)

        if phase == Phase.CLOSE:
            for phone in phones.values():
                phone.locator("label[for=rating-4]").click()
                phone.get_by_role("button", name="Send my rating").click()
                expect(phone.get_by_text("your rating is saved")).to_be_visible()

        _check_projector(presenter, anonymous_authors)
        _shoot(presenter, phones["alice"], f"{phase.value}-{phase.name.lower().replace('_', '-')}")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="End the session").click()
    expect(console.get_by_text("The review is closed.")).to_be_visible()
    expect(presenter.locator(".presenter-phase")).to_have_text("Thank you", timeout=LIVE)
    expect(phones["alice"].get_by_role("heading", name="The review has ended")).to_be_visible(
        timeout=LIVE
    )
    _check_projector(presenter, anonymous_authors)
    _shoot(presenter, phones["alice"], "9-closed")

    assert presenter.evaluate("window.loadedOnce") is True, "the projector reloaded"
    assert Review.objects.get(pk=review.pk).status == Review.Status.CLOSED
