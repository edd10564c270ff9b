"""Save alert journey: a client rates us low through the public form, the alert
task runs after the commit (Celery is eager in tests), and the account manager finds the
client at risk, records the first contact and closes the save attempt as saved."""

import pytest
from django.core import mail

from accounts.models import Role
from feedback.models import Client, SaveAttempt
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ClientFactory, FeedbackRequestFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def _fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_low_rating_becomes_a_save_the_account_manager_closes(
    new_page, live_server, log_in, alice
):
    quinn = UserFactory(username="quinn", display_name="Quinn Adler", roles=[Role.PARTNER])
    acme = ClientFactory(name="Acme Holdings", account_manager=alice, relationship_partner=quinn)
    link = FeedbackRequestFactory(client=acme)

    # The client, with no login, on a phone.
    public = new_page(viewport=PHONE)
    public.goto(f"{live_server.url}/f/{link.token}/")
    public.get_by_label("What should we do better?").fill(
        "We called three times about the notice and nobody called back."
    )
    public.get_by_label("How likely are you to recommend us").fill("3")
    public.get_by_role("button", name="Send feedback").click()
    public.get_by_role("heading", name="Thank you").wait_for()

    attempt = SaveAttempt.objects.get()
    assert (attempt.client, attempt.owner, attempt.status) == (acme, alice, "open")
    [alert] = mail.outbox
    assert sorted(alert.to) == sorted([alice.email, quinn.email])

    # The account manager, at her desk.
    page = new_page(viewport=DESKTOP)
    log_in(page, alice)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("button", name="Clients").click()
    nav.get_by_role("link", name="All clients").click()
    row = page.get_by_role("row", name="Acme Holdings")
    assert row.get_by_text("At risk").is_visible()
    row.get_by_role("link", name="Acme Holdings").click()
    page.get_by_role("heading", name="Save attempts").wait_for()
    screenshot(page, "save-client-detail-desktop", full_page=True)
    nav.get_by_role("button", name="Clients").click()
    nav.get_by_role("link", name="Save attempts").click()
    page.get_by_text("awaiting first contact").wait_for()
    assert _fits(page, DESKTOP)
    screenshot(page, "save-list-desktop", full_page=True)
    page.get_by_role("link", name="Acme Holdings").click()
    page.get_by_text("nobody called back").wait_for()
    screenshot(page, "save-detail-open-desktop", full_page=True)

    # A contact note left empty is refused next to the field; the date stays as typed.
    page.get_by_role("button", name="Record first contact").click()
    page.get_by_text("Write down what was said").wait_for()
    page.get_by_label("What you and the client said").fill(
        "Called Dana, their CFO. She wants one senior person who answers in a crisis."
    )
    page.get_by_role("button", name="Record first contact").click()
    page.get_by_text("First contact recorded.").wait_for()

    page.get_by_label("Saved: the client stays").check()
    page.get_by_label("What decided it").fill("Pat is now their named escalation contact.")
    page.get_by_role("button", name="Close the save attempt").click()
    page.get_by_text("is no longer at risk").wait_for()
    assert page.get_by_text("ask a facilitator or partner").is_visible()
    screenshot(page, "save-detail-saved-desktop", full_page=True)

    nav.get_by_role("button", name="Clients").click()
    nav.get_by_role("link", name="Feedback triage").click()
    page.get_by_role("link", name="Save attempt (saved)").wait_for()
    screenshot(page, "save-triage-desktop", full_page=True)

    attempt.refresh_from_db()
    acme.refresh_from_db()
    assert attempt.status == "saved" and attempt.first_contact_on is not None
    assert acme.status == Client.Status.ACTIVE


def test_the_save_pages_fit_a_phone(new_page, live_server, log_in, alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    link = FeedbackRequestFactory(client=acme)
    public = new_page(viewport=PHONE)
    public.goto(f"{live_server.url}/f/{link.token}/")
    public.get_by_label("What should we do better?").fill("Too many new faces every year.")
    public.get_by_label("How likely are you to recommend us").fill("6")
    public.get_by_role("button", name="Send feedback").click()
    public.get_by_role("heading", name="Thank you").wait_for()
    attempt = SaveAttempt.objects.get()

    page = new_page(viewport=PHONE)
    log_in(page, alice)
    page.goto(f"{live_server.url}/saves/")
    page.get_by_text("awaiting first contact").wait_for()
    assert _fits(page, PHONE)
    screenshot(page, "save-list-phone", full_page=True)
    page.goto(f"{live_server.url}/saves/{attempt.pk}/")
    page.get_by_role("button", name="Record first contact").click()
    page.get_by_text("Write down what was said").wait_for()
    assert _fits(page, PHONE)
    screenshot(page, "save-detail-phone", full_page=True)
