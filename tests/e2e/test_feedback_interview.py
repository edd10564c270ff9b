import datetime as dt

import pytest
from django.utils import timezone

from feedback.models import ExitInterview
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import ClientFactory, FeedbackRequestFactory, loss_reason

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_alice_logs_an_exit_interview_and_bob_cannot_open_it(
    new_page, live_server, log_in, alice, bob
):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    page = new_page(viewport=DESKTOP)
    log_in(page, alice)
    page.goto(f"{live_server.url}/clients/{acme.pk}/")
    page.get_by_role("link", name="Log exit interview").click()
    page.get_by_label("Date of the interview").fill(
        (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Who we spoke to").fill("Dana Ortiz")
    page.get_by_label("What the client said, in their own words").fill(
        "Nobody called us back for two weeks when the notice came."
    )
    page.get_by_label("The client's main reason for leaving").select_option(
        label=loss_reason("not reachable").name
    )
    page.get_by_label("Our hypothesis: why we think we lost them").fill(
        "They should have sent the papers earlier."
    )
    page.get_by_text("Check the wording").wait_for()
    screenshot(page, "feedback-interview-form-desktop", full_page=True)
    page.get_by_role("button", name="Save and finalise").click()
    page.get_by_role("heading", name="Exit interview on").wait_for()
    interview = ExitInterview.objects.get()
    assert interview.status == "final"
    assert page.locator(".hypothesis-text mark.blame-mark", has_text="should have").is_visible()
    screenshot(page, "feedback-interview-detail-desktop", full_page=True)
    page.get_by_role("link", name="Acme Holdings").click()
    assert page.get_by_role("link", name="Interview on").is_visible()
    screenshot(page, "feedback-client-detail-desktop", full_page=True)
    assert page.get_by_text("Lost", exact=True).is_visible()

    bobs = new_page(viewport=DESKTOP)
    log_in(bobs, bob)
    response = bobs.goto(f"{live_server.url}/interviews/{interview.pk}/")
    assert response.status == 404


def test_the_interview_form_fits_a_phone(new_page, live_server, log_in, alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    page = new_page(viewport=PHONE)
    log_in(page, alice)
    page.goto(f"{live_server.url}/clients/{acme.pk}/interviews/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Save and finalise").click()
    page.get_by_text("Nothing you typed has been lost").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "feedback-interview-form-phone", full_page=True)


def test_the_public_form_fits_a_phone(new_page, live_server):
    link = FeedbackRequestFactory(client=ClientFactory(name="Acme Holdings"))
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/f/{link.token}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    honeypot = page.get_by_label("Leave this empty").bounding_box()
    assert honeypot["x"] + honeypot["width"] < 0  # off-screen for people, there for bots
    screenshot(page, "feedback-public-form-phone", full_page=True)
    page.get_by_label("What should we do better?").fill("Call us back sooner.")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_role("heading", name="Thank you").wait_for()
