"""Sharing what you see, in the browser: an account manager e-mails a client its feedback link in
words they edited, and takes their own actions and a filtered review list to a spreadsheet."""

import csv
import io

import pytest
from django.core import mail
from playwright.sync_api import expect

from feedback.models import FeedbackLinkEmail, FeedbackRequest
from tests.e2e.conftest import screenshot
from tests.factories import ActionFactory, ClientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_alice_emails_the_feedback_link_in_her_own_words(page, live_server, log_in, alice):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    log_in(page, alice)
    page.goto(f"{live_server.url}{acme.get_absolute_url()}")
    page.get_by_role("link", name="E-mail it to the client").click()
    page.locator("#id_to").fill("not-an-address")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#id_to.is-invalid")).to_be_visible()

    page.locator("#id_to").fill("cfo@acme.example")
    body = page.get_by_label("Message")
    body.fill("Dear Dana,\n\nTwo minutes of your honest view would help us: {link}\n\nAlice")
    screenshot(page, "feedback-link-email")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("The feedback link is on its way to cfo@acme.example.")).to_be_visible()
    expect(page.get_by_text("to cfo@acme.example by Alice Moreno")).to_be_visible()

    link = FeedbackRequest.objects.get(client=acme, revoked_at__isnull=True)
    [message] = mail.outbox
    assert message.to == ["cfo@acme.example"] and link.public_url in message.body
    assert FeedbackLinkEmail.objects.get().sent_at is not None


def test_alice_downloads_her_actions_as_csv(page, live_server, log_in, alice, bob):
    ActionFactory(owner=alice, title="Call Acme about the late return")
    ActionFactory(owner=bob, title="Bob's own action")
    log_in(page, alice)
    page.goto(f"{live_server.url}/actions/mine/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = download.value.path().read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["title"] for row in rows] == ["Call Acme about the late return"]
