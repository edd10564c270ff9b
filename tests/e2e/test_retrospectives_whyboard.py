"""The why board and the five whys in Debian's Chromium: the facilitator groups notes by cause
with the keyboard and by dragging, the projector follows; a phone proposes a why, the
facilitator approves it, and it appears on the projector."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import LossReason
from retrospectives.models import Contribution, Phase, Review, WhyProposal
from tests.e2e.conftest import screenshot
from tests.factories import ContributionFactory, ParticipantFactory, ReviewFactory, VoteFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Polling screens make concurrent requests (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

LIVE = 3_000  # a change must reach the projector within 3 s
PROJECTOR_720 = {"width": 1280, "height": 720}
PHONE_812 = {"width": 375, "height": 812}


def _group(page, cause: LossReason | None):
    return page.locator(f'[data-drop-cause="{cause.pk if cause else ""}"]')


def test_the_facilitator_groups_causes_and_the_room_grows_the_five_whys(
    new_page, live_server, log_in, fran, alice
):
    review = ReviewFactory(
        title="Why we lost Harbor Dental",
        facilitator=fran,
        status=Review.Status.LIVE,
        phase=Phase.WHY,
        started_at=timezone.now(),
    )
    ParticipantFactory(review=review, user=alice)
    inbox = ContributionFactory(review=review, text="Notices landed in an inbox with no owner")
    backup = ContributionFactory(review=review, text="No backup partner for busy season")
    VoteFactory(contribution=inbox)
    first, second = LossReason.objects.filter(active=True).order_by("position", "name")[:2]

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    presenter = new_page(viewport=PROJECTOR_720)
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    expect(presenter.locator(".present-cause-group")).to_have_count(1)

    # By keyboard: focus the note, → moves it to the next group (the first cause); the focus
    # stays on it, visibly.
    note = console.locator(f"#note-{inbox.pk}")
    note.focus()
    console.keyboard.press("ArrowRight")
    expect(_group(console, first).locator(f"#note-{inbox.pk}")).to_be_visible()
    expect(console.locator(f"#note-{inbox.pk}")).to_be_focused()
    outline = console.locator(f"#note-{inbox.pk}").evaluate(
        "el => getComputedStyle(el).outlineWidth"
    )
    assert outline == "4px"
    assert Review.objects.get(pk=review.pk).phase == Phase.WHY  # not the phase shortcut
    expect(presenter.locator(f'[data-cause-group="{first.pk}"]')).to_contain_text(
        inbox.text, timeout=LIVE
    )

    # By pointer: drag the other note onto the second cause.
    console.locator(f"#note-{backup.pk} .why-note-text").drag_to(_group(console, second))
    expect(_group(console, second).locator(f"#note-{backup.pk}")).to_be_visible()
    expect(presenter.locator(f'[data-cause-group="{second.pk}"]')).to_contain_text(
        backup.text, timeout=LIVE
    )
    assert Contribution.objects.get(pk=backup.pk).cause == second

    # Hide, then Undo from the toast.
    console.locator(f"#note-{backup.pk}").get_by_role("button", name="Hide").click()
    toast = console.locator("#console-toast")
    expect(toast).to_contain_text("Note hidden from the screens.")
    expect(presenter.locator(f'[data-cause-group="{second.pk}"]')).to_have_count(0, timeout=LIVE)
    toast.get_by_role("button", name="Undo").click()
    expect(_group(console, second).locator(f"#note-{backup.pk}")).to_be_visible()
    expect(presenter.locator(f'[data-cause-group="{second.pk}"]')).to_contain_text(
        backup.text, timeout=LIVE
    )

    # A phone proposes a why; it waits for the facilitator, then grows the chain on the projector.
    phone = new_page(viewport=PHONE_812)
    log_in(phone, alice)
    phone.goto(f"{live_server.url}/join/{review.join_code}/")
    expect(phone.get_by_text(f"Digging into: {inbox.text}")).to_be_visible()
    phone.get_by_label("Why did that happen?").fill("The rota for the inbox lived in one head")
    assert phone.get_by_label("Send anonymously").is_checked()
    phone.get_by_role("button", name="Send this why to the facilitator").click()
    expect(phone.get_by_role("status").filter(has_text="Sent anonymously")).to_be_visible()
    proposal = WhyProposal.objects.get()
    assert proposal.status == WhyProposal.Status.PENDING

    pending = console.locator(f"#why-proposal-{proposal.pk}")
    expect(pending).to_contain_text("The rota for the inbox lived in one head", timeout=LIVE)
    expect(pending).to_contain_text("Anonymous")
    expect(presenter.locator(".present-why-chain")).not_to_contain_text("The rota")
    pending.get_by_role("button", name="Add to the chain").click()
    chain = presenter.locator(".present-chain-step")
    expect(chain).to_have_count(1, timeout=LIVE)
    expect(chain.first).to_contain_text("Why 1? The rota for the inbox lived in one head")
    expect(phone.locator(".why-chain-steps")).to_contain_text(
        "The rota for the inbox", timeout=LIVE
    )
    for chain_on_screen in (
        presenter.locator(".present-why"),
        console.locator("#why-chain"),
        phone.locator(".why-chain-phone"),
    ):
        expect(chain_on_screen).to_contain_text("The rota for the inbox")
        expect(chain_on_screen).not_to_contain_text("Alice")

    font = presenter.locator(".present-chain-step").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert font >= 32
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_812["width"]
    screenshot(presenter, "retrospectives-why-board-presenter-1280x720")
    presenter.keyboard.press("d")
    screenshot(presenter, "retrospectives-why-board-presenter-dark-1280x720")
    screenshot(phone, "retrospectives-why-board-phone-375", full_page=True)
    screenshot(console, "retrospectives-why-board-console", full_page=True)
