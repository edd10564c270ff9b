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
