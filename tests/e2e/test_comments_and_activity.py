"""Comments and the home page's "while you were away", in the browser: Alice comments on her
action and mentions Pat without a reload; Pat's bell counts it and his home page lists it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from actions import services
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_mention_reaches_pat_and_his_home_page_tells_him(
    new_page, live_server, log_in, alice, pat
):
    action = services.create_action(
        title="Publish the escalation roster",
        owner=alice,
        due_on=dt.date.today() + dt.timedelta(days=10),
        created_by=pat,
    )
    page = new_page()
    log_in(page, alice)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    page.evaluate("window.loadedOnce = true")
    page.get_by_role("textbox", name="Comment").fill(
        "@pat the draft is on the intranet, can you look?"
    )
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_text("Told Pat Lindqvist.")).to_be_visible()
    expect(page.locator(".action-comment")).to_contain_text("the draft is on the intranet")
    assert page.evaluate("window.loadedOnce") is True  # no reload
    screenshot(page, "action-comment", full_page=True)

    partner = new_page()
    log_in(partner, pat)
    expect(partner.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    feed = partner.locator(".activity-feed")
    expect(feed).to_contain_text("Alice Moreno commented on “Publish the escalation roster”")
    screenshot(partner, "home-activity", full_page=True)
