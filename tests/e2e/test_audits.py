"""Recurring process audits and calendar invites in the browser."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from retrospectives.models import AuditSchedule, Review
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ParticipantFactory, ReviewFactory, ServiceLineFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_partner_schedules_a_monthly_audit_fixing_a_bad_time(
    new_page, live_server, log_in, pat, fran
):
    ServiceLineFactory(name="Payroll")
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, pat)
    page.goto(f"{live_server.url}/reviews/")
    page.get_by_role("link", name="Recurring audits").click()
    page.get_by_role("link", name="Schedule an audit").click()
    page.get_by_label("Service line").select_option(label="Payroll")
    page.get_by_label("Repeats").select_option(label="Every month")
    first = timezone.localdate() + dt.timedelta(days=40)
    page.get_by_label("First audit on").fill(first.isoformat())
    page.get_by_label("Time (firm's time zone)").fill("03:00")
    page.get_by_label("Facilitator").select_option(label="Fran Okafor")
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_text("Pick a time between 06:00 and 21:00.")).to_be_visible()
    expect(page.get_by_label("First audit on")).to_have_value(first.isoformat())
    screenshot(page, "audits-form-error-1280", full_page=True)
    page.get_by_label("Time (firm's time zone)").fill("09:00")
    page.get_by_role("button", name="Save the schedule").click()
    expect(page.get_by_role("heading", name="Payroll process audit")).to_be_visible()
    expect(page.get_by_text("Audit schedule saved")).to_be_visible()
    schedule = AuditSchedule.objects.get()
    assert schedule.time_of_day == dt.time(9, 0)
    screenshot(page, "audits-detail-1280", full_page=True)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("Schedule paused")).to_be_visible()
    schedule.refresh_from_db()
    assert schedule.status == AuditSchedule.Status.PAUSED


def test_the_dashboard_shows_an_overdue_audit_with_its_drill_down(
    new_page, live_server, log_in, pat, fran
):
    ReviewFactory(
        title="Payroll process audit, September 2026",
        kind=Review.Kind.PROCESS_AUDIT,
        facilitator=fran,
        scheduled_for=timezone.now() - dt.timedelta(days=20),
    )
    page = new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, pat)
    page.goto(f"{live_server.url}/dashboard/")
    panel = page.locator("#overdue-audits")
    expect(panel.get_by_role("link", name="Payroll process audit, September 2026")).to_be_visible()
    panel.scroll_into_view_if_needed()
    screenshot(page, "audits-dashboard-1920")
    panel.get_by_role("link", name="See all audits and their schedules").click()
    expect(page.get_by_role("heading", name="Overdue audits (1)")).to_be_visible()
    screenshot(page, "audits-list-1920", full_page=True)


def test_an_invitee_downloads_the_invite_and_the_facilitator_cancels(
    new_page, live_server, log_in, fran, sam
):
    review = ReviewFactory(title="Kessler: what did we promise?", facilitator=fran)
    ParticipantFactory(review=review, user=sam)
    phone = new_page(viewport=PHONE)
    log_in(phone, sam)
    phone.goto(f"{live_server.url}/reviews/{review.pk}/")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename == f"review-{review.pk}.ics"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "audits-review-invite-375", full_page=True)

    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, fran)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel the review").click()
    expect(page.get_by_text("Review cancelled.")).to_be_visible()
    expect(page.get_by_text("This review was cancelled on")).to_be_visible()
    screenshot(page, "audits-review-cancelled-1280", full_page=True)
    review.refresh_from_db()
    assert review.is_cancelled
