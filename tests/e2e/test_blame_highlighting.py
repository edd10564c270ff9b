"""Blame nudges in the browser: the flagged words are marked in the text box as people type, on
the interview form and on the phone page, with the hint for each kind."""

import pytest
from playwright.sync_api import expect

from retrospectives.models import Phase, Review
from tests.e2e.conftest import ARTIFACTS, PHONE, screenshot
from tests.factories import ClientFactory, ParticipantFactory, ReviewFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Polling screens make concurrent requests (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

WIDE = {"width": 1280, "height": 900}
HYPOTHESIS = (
    "sales over-promised on the turnaround and management was unreachable in escalations, "
    "as usual. Honestly a difficult client."
)
NOTE = "Bob never called them back. we should have escalated it"


def _marks(page, box):
    """The words marked behind the text box, and whether each sits where its words are."""
    return page.evaluate(
        """(box) => {
          const field = box.closest('.blame-field');
          const backdrop = field.querySelector('.blame-backdrop');
          return {
            text: backdrop.textContent,
            marks: Array.from(backdrop.querySelectorAll('mark')).map((m) => m.textContent),
            inside: Array.from(backdrop.querySelectorAll('mark')).every((m) => {
              const r = m.getBoundingClientRect(), b = box.getBoundingClientRect();
              return r.left >= b.left && r.right <= b.right + 1 && r.top >= b.top;
            }),
          };
        }""",
        box.element_handle(),
    )


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])
def test_the_interview_form_marks_blame_as_it_is_typed(
    new_page, live_server, log_in, alice, viewport
):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    page = new_page(viewport=viewport)
    log_in(page, alice)
    page.goto(f"{live_server.url}/clients/{acme.pk}/interviews/new/")
    box = page.get_by_label("Our hypothesis: why we think we lost them")
    box.press_sequentially(HYPOTHESIS, delay=5)
    hint = page.locator("#blame-hint")
    expect(hint).to_contain_text("puts the cause on a person or a team")
    expect(hint).to_contain_text("turns one event into a habit")
    expect(hint).to_contain_text("outside the firm")
    expect(page.locator(".blame-backdrop mark")).to_have_count(4)
    marked = _marks(page, box)
    assert marked["text"].rstrip("\n") == HYPOTHESIS
    assert marked["marks"] == [
        "sales over-promised",
        "management was unreachable",
        "as usual",
        "difficult client",
    ]
    assert marked["inside"]
    box.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("fieldset.hypothesis").screenshot(
        path=str(ARTIFACTS / f"blame-interview-form-{viewport['width']}.png")
    )
    screenshot(page, f"blame-interview-form-{viewport['width']}-page", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # Rewording takes the marks away; nothing typed is lost.
    box.fill("The escalation path had no named partner, so the request waited four days.")
    box.press("End")
    box.press_sequentially(" ", delay=5)
    expect(page.locator(".blame-backdrop mark")).to_have_count(0)
    expect(hint).not_to_contain_text("Check the wording")


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["375", "1280"])
def test_the_phone_page_marks_blame_as_a_note_is_typed(
    new_page, live_server, log_in, alice, bob, fran, viewport
):
    review = ReviewFactory(title="Harbor Freight loss", facilitator=fran, status=Review.Status.LIVE)
    review.phase = Phase.ACTUAL
    review.save()
    ParticipantFactory(review=review, user=alice)
    page = new_page(viewport=viewport)
    log_in(page, alice)
    page.goto(f"{live_server.url}/join/{review.join_code}/")
    if page.get_by_role("button", name="Join the review").is_visible():
        page.get_by_role("button", name="Join the review").click()
    box = page.get_by_label("Your note")
    box.press_sequentially(NOTE, delay=5)
    hint = page.locator("#blame-hint")
    expect(hint).to_contain_text("puts the cause on a person or a team")
    expect(hint).to_contain_text("make sense at the time")
    expect(page.locator(".blame-backdrop mark")).to_have_count(2)
    marked = _marks(page, box)
    assert marked["marks"] == ["Bob never called", "should have escalated"]
    assert marked["inside"]
    screenshot(page, f"blame-phone-note-{viewport['width']}", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
