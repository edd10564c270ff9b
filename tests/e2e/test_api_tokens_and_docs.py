import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_token_made_on_the_page_works_and_the_docs_run_under_the_csp(
    page, live_server, log_in, pat
):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, pat)
    page.get_by_role("button", name="Pat Lindqvist").click()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Make a token").click()
    secret = page.get_by_label("Token").input_value()
    screenshot(page, "api-tokens", full_page=True)
    answer = page.request.get(
        f"{live_server.url}/api/v1/lessons/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 200
    assert answer.json()["results"] == []

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("/api/v1/clients/", exact=True).first).to_be_visible()
    screenshot(page, "api-docs")
    assert refused == []

    page.goto(f"{live_server.url}/accounts/tokens/")
    page.get_by_role("button", name="Revoke CRM sync").click()
    expect(page.get_by_text("no longer works")).to_be_visible()
    answer = page.request.get(
        f"{live_server.url}/api/v1/lessons/", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status == 401
