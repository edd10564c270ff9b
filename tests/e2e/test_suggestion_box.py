"""The suggestion box in a real browser: sam suggests anonymously from the page he is on and
keeps the receipt link, pat accepts the suggestion as an action, and sam's receipt shows the
answer. Also the perception question on a phone and the perception panel on the dashboard."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from feedback.models import Suggestion
from tests.e2e.conftest import ARTIFACTS, PHONE, screenshot
from tests.factories import (
    ActionFactory,
    ClientFactory,
    FeedbackRequestFactory,
    FeedbackResponseFactory,
    LearningCheckFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
IDEA = "Keep one shared calendar of every client filing deadline."


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_sam_suggests_anonymously_and_reads_pats_answer(new_page, live_server, log_in, sam, pat):
    sam_page = log_in(new_page(viewport=LAPTOP), sam)
    sam_page.goto(f"{live_server.url}/learning-check/")
    sam_page.get_by_role("link", name="Suggest an improvement").click()
    expect(sam_page.get_by_role("heading", name="Suggest an improvement")).to_be_visible()
    # Sending it empty says what is missing, next to the field.
    sam_page.get_by_role("button", name="Send suggestion").click()
    expect(sam_page.get_by_text("Write your suggestion first.")).to_be_visible()
    sam_page.get_by_label("Your suggestion").fill(IDEA)
    expect(sam_page.get_by_role("radio", name=re.compile("^Anonymously"))).to_be_checked()
    screenshot(sam_page, "suggestion-form-1280", full_page=True)
    sam_page.get_by_role("button", name="Send suggestion").click()
    expect(sam_page.get_by_role("heading", name="Thank you, your suggestion is in")).to_be_visible()
    receipt = sam_page.locator("a.receipt-link").get_attribute("href")
    assert re.fullmatch(rf"{live_server.url}/suggestions/receipt/[\w-]{{40,}}/", receipt)
    screenshot(sam_page, "suggestion-receipt-shown-once-1280", full_page=True)
    sam_page.get_by_role("link", name="Back to where you were").click()
    expect(sam_page).to_have_url(f"{live_server.url}/learning-check/")
    assert Suggestion.objects.get().author is None

    pat_page = log_in(new_page(viewport=LAPTOP), pat)
    pat_page.get_by_role("button", name="Learning").click()
    pat_page.get_by_role("link", name="Suggestions", exact=True).click()
    expect(pat_page.get_by_role("cell", name="Anonymous")).to_be_visible()
    screenshot(pat_page, "suggestion-triage-1280", full_page=True)
    pat_page.get_by_role("link", name=IDEA).click()
    # Declining without a reason is refused next to the field.
    pat_page.get_by_role("button", name="Decline").click()
    expect(
        pat_page.get_by_text("Say why, so the person who suggested it hears back.")
    ).to_be_visible()
    pat_page.get_by_label("Action").fill("Shared calendar of client filing deadlines")
    pat_page.get_by_label("Answer to the suggester (optional)").fill(
        "Good idea; Fran will set it up with the tax team."
    )
    screenshot(pat_page, "suggestion-detail-1280", full_page=True)
    pat_page.get_by_role("button", name="Accept and create the action").click()
    expect(
        pat_page.get_by_text("Accepted: the suggestion is now an improvement action.")
    ).to_be_visible()
    action = Action.objects.get()
    assert action.source_suggestion == Suggestion.objects.get()

    sam_page.goto(receipt)
    expect(sam_page.get_by_text("Accepted", exact=True)).to_be_visible()
    expect(
        sam_page.get_by_text("Good idea; Fran will set it up with the tax team.")
    ).to_be_visible()
    expect(sam_page.get_by_text("Shared calendar of client filing deadlines")).to_be_visible()
    screenshot(sam_page, "suggestion-receipt-answered-1280", full_page=True)

    phone = new_page(viewport=PHONE)
    log_in(phone, sam)
    phone.goto(receipt)
    expect(phone.get_by_text("Good idea; Fran will set it up with the tax team.")).to_be_visible()
    _fits(phone, PHONE)
    screenshot(phone, "suggestion-receipt-answered-375", full_page=True)
    phone.goto(f"{live_server.url}/actions/mine/")
    phone.get_by_role("button", name="Toggle navigation").click()
    phone.get_by_role("link", name="Suggest an improvement").click()
    expect(phone.get_by_label("Your suggestion")).to_be_visible()
    _fits(phone, PHONE)
    screenshot(phone, "suggestion-form-375", full_page=True)


def test_a_client_who_heard_back_is_asked_on_a_phone(new_page, live_server):
    client_a = ClientFactory(name="Acme Holdings")
    FeedbackResponseFactory(request__client=client_a, client=client_a, reply_sent_at=timezone.now())
    link = FeedbackRequestFactory(client=client_a)
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/f/{link.token}/")
    expect(page.get_by_text("Do you feel we acted on what you told us?")).to_be_visible()
    _fits(page, PHONE)
    page.get_by_label("4", exact=True).check()
    screenshot(page, "public-form-acted-on-375", full_page=True)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you")).to_be_visible()


def test_the_perception_panel_draws_its_chart(new_page, live_server, log_in, pat):
    client_a = ClientFactory(name="Acme Holdings")
    now = timezone.now()
    ActionFactory(status="verified", evidence="Done.", verified_at=now, client=client_a)
    FeedbackResponseFactory(request__client=client_a, client=client_a, acted_on=2)
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    LearningCheckFactory(respondent=pat, quarter=quarter, item5=4)
    Suggestion.objects.create(text="Fewer status meetings.", submitted_on=today)
    page = log_in(new_page(viewport=LAPTOP), pat)
    page.goto(f"{live_server.url}/dashboard/#perception")
    panel = page.locator("#perception")
    expect(panel.get_by_role("heading", name="Perception gap")).to_be_visible()
    expect(
        panel.get_by_role("row", name=re.compile(rf"^{quarter} 1 2 \(1\) 4 \(1\) 2$"))
    ).to_be_visible()
    # Chart.js drew on the canvas (it is not left blank).
    assert (
        page.evaluate(
            "Chart.getChart(document.getElementById('chart-perception')).data.datasets.length"
        )
        == 3
    )
    panel.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "dashboard-perception-1280.png"))
    learning = page.locator("#learning")
    expect(learning.get_by_text("Staff suggestions received in the period: 1")).to_be_visible()
    expect(learning.get_by_text("Suggestions answered: 0 of 1 (0 %)")).to_be_visible()
    learning.screenshot(path=str(ARTIFACTS / "dashboard-learning-1280.png"))
