"""The pages around a live review: joining on a phone, and the printable report."""

import pytest
from playwright.sync_api import expect

from retrospectives import services
from retrospectives.models import Phase, Review
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ActionFactory, ContributionFactory, ParticipantFactory, ReviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_joining_on_a_phone_explains_anonymity_first(new_page, live_server, log_in, fran, sam):
    review = ReviewFactory(title="Kessler: what did we promise?", facilitator=fran)
    phone = new_page(viewport=PHONE)
    log_in(phone, sam)
    phone.goto(f"{live_server.url}/join/")
    phone.get_by_label("Code on the screen").fill(review.join_code.lower())
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text("nobody in the app sees that you wrote it")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "retrospectives-join-375")
    phone.get_by_role("button", name="Join the review").click()
    expect(phone.get_by_role("heading", name="Starting soon")).to_be_visible()


def test_the_report_reads_well_on_screen_and_in_print(page, live_server, log_in, fran, alice, bob):
    review = ReviewFactory(
        title="Why we lost Harbor Dental", facilitator=fran, status=Review.Status.LIVE
    )
    ParticipantFactory(review=review, user=alice)
    ContributionFactory(review=review, phase=Phase.ACTUAL, author=alice, text="Mar 3: letter")
    ContributionFactory(review=review, phase=Phase.WHY, author=alice, text="No backup partner")
    ActionFactory(source_review=review, owner=bob, title="Name a backup partner")
    services.close_review(review=review, summary="One action agreed.")
    log_in(page, alice)
    page.goto(f"{live_server.url}/reviews/{review.pk}/report/")
    expect(page.get_by_role("heading", name="Timeline of the session")).to_be_visible()
    expect(page.get_by_text("Name a backup partner")).to_be_visible()
    screenshot(page, "retrospectives-report", full_page=True)
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    expect(page.locator("nav.navbar")).to_be_hidden()
    screenshot(page, "retrospectives-report-print", full_page=True)


def test_a_crowded_phase_still_fits_the_projector(new_page, live_server, log_in, fran, alice):
    review = ReviewFactory(facilitator=fran, status=Review.Status.LIVE, phase=Phase.ACTUAL)
    for n in range(9):
        ContributionFactory(
            review=review,
            phase=Phase.ACTUAL,
            author=alice,
            text=f"Event {n}: the notice was forwarded twice and then waited in a shared "
            "inbox over a long weekend while the partner was travelling.",
        )
    presenter = new_page(viewport={"width": 1280, "height": 720})
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    expect(presenter.locator(".presenter-more")).to_have_text("+ 5 more on your phones")
    for size, name in [((1280, 720), "1280x720"), ((1920, 1080), "1920x1080")]:
        presenter.set_viewport_size({"width": size[0], "height": size[1]})
        notes = presenter.locator(".presenter-notes")
        bottom = notes.bounding_box()["y"] + notes.bounding_box()["height"]
        assert presenter.locator(".presenter-note").count() == 4
        for note in presenter.locator(".presenter-note").all():
            box = note.bounding_box()
            assert box["y"] + box["height"] <= bottom + 1, f"a note is cut off at {name}"
        more = presenter.locator(".presenter-more").bounding_box()
        assert more["y"] + more["height"] <= size[1]
        screenshot(presenter, f"retrospectives-presenter-crowded-{name}")
