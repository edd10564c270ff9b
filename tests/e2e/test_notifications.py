"""The bell, in the browser: Alice is given an action, sees the count, opens her inbox, follows the
notification to the action; the count is gone. Her settings keep what she chose."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from actions import services
from actions.models import Notification, NotificationPreference
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def test_alice_follows_the_bell_to_her_new_action(page, live_server, log_in, alice, pat):
    action = services.create_action(
        title="Publish the escalation roster",
        owner=alice,
        due_on=dt.date.today() + dt.timedelta(days=14),
        created_by=pat,
    )
    log_in(page, alice)
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    screenshot(page, "notifications-bell")
    bell.click()
    page.get_by_role("link", name="Pat Lindqvist gave you the action").click()
    expect(page.get_by_role("heading", name="Publish the escalation roster")).to_be_visible()
    assert page.url.endswith(action.get_absolute_url())
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert Notification.objects.get().read_at is not None


def test_alice_chooses_a_digest_for_feedback_on_her_phone(new_page, live_server, log_in, alice):
    page = new_page(viewport=PHONE)
    log_in(page, alice)
    page.goto(f"{live_server.url}/notifications/settings/")
    page.get_by_role("group", name="New feedback about a client of mine").get_by_label(
        "Daily digest e-mail"
    ).check()
    screenshot(page, "notifications-settings-phone", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    chosen = NotificationPreference.objects.get(user=alice, event="feedback")
    assert chosen.channel == NotificationPreference.Channel.DIGEST
