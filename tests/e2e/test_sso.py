import pytest

from accounts.models import User
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sso_a_newcomer_signs_in_through_the_provider_and_lands_on_home(page, live_server, sso):
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "sso-login")
    page.get_by_role("link", name="Sign in with Test ID").click()
    # The provider's own login page, on its own port.
    page.wait_for_url(f"{sso.url}/accounts/login/**")
    assert page.get_by_role("heading", name="Test identity provider").is_visible()
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(sso.password)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Welcome, Nina New").is_visible()
    nina = User.objects.get(email="nina.new@firm.example")
    assert list(nina.groups.all()) == []
    screenshot(page, "sso-home")


def test_sso_a_refused_address_comes_back_to_the_login_page_with_why(page, live_server, sso):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    page.get_by_label("Username").fill("eve")
    page.get_by_label("Password").fill(sso.password)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert (
        page.get_by_role("alert")
        .filter(has_text="eve@elsewhere.example is not one of this firm's addresses")
        .is_visible()
    )
    assert not User.objects.filter(email="eve@elsewhere.example").exists()


def test_sso_logging_out_ends_the_provider_session_too(page, live_server, sso):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test ID").click()
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill(sso.password)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="Nina New").click()
    page.get_by_role("button", name="Log out").click()
    # Through the provider's logout endpoint and back to learnorg's login page.
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    screenshot(page, "sso-logged-out")
    # On a shared computer the button asks the next person who they are, not signs Nina back in.
    page.get_by_role("link", name="Sign in with Test ID").click()
    page.wait_for_url(f"{sso.url}/accounts/login/**")
    assert page.get_by_role("heading", name="Test identity provider").is_visible()
