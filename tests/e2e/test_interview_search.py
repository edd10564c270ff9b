"""An account manager finds what a client said: the navigation leads to the exit interviews, a
search shows the matching interview with the words highlighted, and a click opens it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ClientFactory, ExitInterviewFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_alice_searches_what_clients_said_and_sees_the_match_highlighted(
    page, new_page, live_server, log_in, alice, bob
):
    wanted = ExitInterviewFactory(
        client=ClientFactory(name="Willow Creek Dental", account_manager=alice),
        client_words="Our extension was filed late and the portal <b>kept</b> logging us out.",
        team_hypothesis="The busy season overloaded the team.",
    )
    ExitInterviewFactory(
        client=ClientFactory(name="Alder & Co", account_manager=alice),
        client_words="The fees went up without a conversation.",
    )
    ExitInterviewFactory(
        client=ClientFactory(name="Birch Dental", account_manager=bob),
        client_words="The portal was slow too.",
    )
    log_in(page, alice)
    page.get_by_role("button", name="Clients").click()
    page.get_by_role("link", name="Exit interviews").click()
    expect(page.get_by_role("heading", name="Exit interviews")).to_be_visible()

    page.get_by_label("Search what was said").fill("portal")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.interview-list tbody")
    expect(rows).to_have_count(1)  # bob's client's interview is not alice's to read
    expect(rows.locator("mark")).to_have_text("portal")
    expect(rows.locator("b")).to_have_count(0)  # the client's markup is never markup here
    screenshot(page, "interview-search")

    phone = new_page(viewport=PHONE)
    log_in(phone, alice)
    phone.goto(f"{live_server.url}/interviews/?q=portal")
    expect(phone.locator("mark")).to_have_count(1)
    screenshot(phone, "interview-search-phone", full_page=True)

    rows.get_by_role("link", name="Willow Creek Dental").click()
    expect(page).to_have_url(f"{live_server.url}{wanted.get_absolute_url()}")
