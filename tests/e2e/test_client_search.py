"""The client menu of a new action at a firm with many clients: the menu shows a few, the search
box above it finds the rest (htmx under the strict CSP), and the chosen client is saved."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from tests.e2e.conftest import screenshot
from tests.factories import ClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pat_finds_a_client_beyond_the_first_few_by_typing(page, live_server, log_in, pat):
    for n in range(40):
        ClientFactory(name=f"Alder & Co {n:02}")
    wanted = ClientFactory(name="Willow Creek Dental")
    log_in(page, pat)
    page.goto(f"{live_server.url}/actions/new/")
    menu = page.get_by_label("Client", exact=True)
    expect(menu.locator("option")).to_have_count(21)  # the empty choice and the first 20
    expect(menu.locator("option", has_text="Willow Creek Dental")).to_have_count(0)

    page.get_by_placeholder("Search clients by name").fill("willow")
    expect(menu.locator("option", has_text="Willow Creek Dental")).to_have_count(1)
    menu.select_option(label="Willow Creek Dental")
    screenshot(page, "actions-new-client-search")
    page.get_by_role("textbox", name="Title").fill("Call Willow Creek about the delayed return")
    page.get_by_role("textbox", name="Due date").fill(
        (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    )
    page.get_by_role("button", name="Create action").click()
    expect(
        page.get_by_role("heading", name="Call Willow Creek about the delayed return")
    ).to_be_visible()
    assert Action.objects.get().client == wanted
