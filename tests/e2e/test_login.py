import pytest

from tests.e2e.conftest import PHONE, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_alice_logs_in_and_sees_her_home(page, live_server, log_in, alice):
    log_in(page, alice)
    assert page.get_by_role("heading", name="Welcome, Alice Moreno").is_visible()
    assert page.get_by_text("Log what clients told us").is_visible()
    screenshot(page, "home-desktop", full_page=True)


def test_the_login_page_fits_a_phone(new_page, live_server):
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "login-phone")
