"""Closing the loop in a real browser: alice marks her action done from her list (htmx),
pat verifies it with a re-check date, and alice sees it verified."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ActionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pat_verifies_an_action_alice_marked_done(new_page, live_server, log_in, alice, pat):
    action = ActionFactory(
        owner=alice,
        title="Name a backup partner for busy season",
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    ActionFactory(
        owner=alice,
        title="Call back every notice within a day",
        due_on=timezone.localdate() - dt.timedelta(days=4),
    )

    alice_page = log_in(new_page(), alice)
    alice_page.get_by_role("link", name="My actions").click()  # alice has no "All actions"
    expect(alice_page.get_by_role("heading", name="My actions")).to_be_visible()
    row = alice_page.locator(f"#action-{action.pk}")
    row.get_by_text("Mark done…").click()
    row.get_by_role("button", name="Mark done").click()
    # Empty evidence: the browser or the server says what is missing; nothing is saved.
    assert Action.objects.get(pk=action.pk).status == "open"
    row.get_by_label("What changed?").fill("Backup partner named for all 24 key clients.")
    row.get_by_role("button", name="Mark done").click()
    expect(alice_page.locator(f"#action-{action.pk} .action-status")).to_have_text("Done")
    screenshot(alice_page, "actions-mine-done", full_page=True)

    pat_page = log_in(new_page(), pat)
    pat_page.get_by_role("button", name="Actions").click()
    pat_page.get_by_role("link", name="All actions").click()
    pat_page.get_by_label("Status").select_option("done")
    pat_page.get_by_role("button", name="Filter").click()
    screenshot(pat_page, "actions-list-partner", full_page=True)
    pat_page.get_by_role("link", name="Name a backup partner for busy season").click()
    evidence = pat_page.get_by_role("region", name="What changed")
    expect(evidence.get_by_text("Backup partner named for all 24 key clients.")).to_be_visible()
    recheck = timezone.localdate() + dt.timedelta(days=180)
    pat_page.get_by_label("Re-check on (optional)").fill(recheck.isoformat())
    pat_page.get_by_label("Note (optional)").fill("Checked the roster on the intranet.")
    pat_page.get_by_role("button", name="Verify", exact=True).click()
    expect(pat_page.get_by_text("Verified. Thank you for closing the loop.")).to_be_visible()
    screenshot(pat_page, "actions-detail-verified", full_page=True)

    alice_page.goto(f"{live_server.url}{action.get_absolute_url()}")
    expect(alice_page.locator("#action-status .action-status")).to_have_text("Verified")
    expect(alice_page.get_by_text("Verified by Pat Lindqvist")).to_be_visible()
    expect(alice_page.get_by_text("Checked the roster on the intranet.")).to_be_visible()
    screenshot(alice_page, "actions-detail-alice-sees-verified", full_page=True)
    action.refresh_from_db()
    assert (action.status, action.verified_by, action.recheck_on) == ("verified", pat, recheck)


def test_my_actions_fits_a_phone(new_page, live_server, log_in, alice):
    ActionFactory(owner=alice, title="Publish the escalation roster on the intranet")
    page = log_in(new_page(viewport=PHONE), alice)
    page.goto(f"{live_server.url}/actions/mine/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "actions-mine-phone", full_page=True)
