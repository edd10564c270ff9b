"""Breakout groups and the process map in Debian's Chromium: the facilitator splits the room
from the console, the projector shows the groups side by side, a 375px phone shows its group;
then the facilitator lays out the client's journey with the keyboard and the projector shows it."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from retrospectives import services
from retrospectives.models import Phase, ProcessStep, Review
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ParticipantFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE = 3_000
PROJECTOR_720 = {"width": 1280, "height": 720}
PROJECTOR_1080 = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def db_turn(live_server):
    """Polling windows make concurrent requests; in-memory SQLite shares one connection between
    the live server's threads, so serialise them there (PostgreSQL serves them concurrently).
    The test's own ORM calls take the same turn: `with db_turn: ...`."""
    if connection.vendor != "sqlite":
        yield contextlib.nullcontext()
        return
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()

    def serialised(environ, start_response):
        with lock:
            return app(environ, start_response)

    server.set_app(serialised)
    yield lock
    server.set_app(app)


def _font_px(locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


def _fits(page) -> bool:
    """Nothing sticks out of the projector's width."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _live_review(fran, phase) -> Review:
    return ReviewFactory(
        title="Why we lost Harbor Dental",
        facilitator=fran,
        status=Review.Status.LIVE,
        phase=phase,
        started_at=timezone.now(),
    )


def test_the_facilitator_splits_the_room_and_the_projector_shows_the_groups(
    new_page, live_server, log_in, db_turn, fran, alice, bob, sam
):
    review = _live_review(fran, Phase.WHY)
    people = [alice, bob, sam]
    people += [
        UserFactory(username="quinn", display_name="Quinn Adler", seniority=User.Seniority.PARTNER),
        UserFactory(username="riley", display_name="Riley Brooks", seniority=User.Seniority.SENIOR),
        UserFactory(username="jordan", display_name="Jordan Patel"),
        UserFactory(username="kim", display_name="Kim Nakamura-Oyelaran"),
    ]
    for user in people:
        ParticipantFactory(review=review, user=user)

    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    presenter = new_page(viewport=PROJECTOR_720)
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    phone = new_page(viewport=PHONE)
    log_in(phone, alice)
    phone.goto(f"{live_server.url}/join/{review.join_code}/")
    expect(phone.get_by_role("heading", name="Why the difference")).to_be_visible()

    console.get_by_role("button", name="Split into random groups").click()
    expect(console.get_by_text("Split into groups.")).to_be_visible()
    breakout = console.locator("#breakout")
    expect(breakout.get_by_text("Group 1", exact=True)).to_be_visible()
    expect(breakout.get_by_text("Group 2", exact=True)).to_be_visible()

    groups = presenter.locator(".presenter-group")
    expect(groups).to_have_count(2, timeout=LIVE)
    with db_turn:
        alices = services.group_of(review=review, user=alice)
    expect(phone.get_by_role("heading", name=f"You are in {alices.name}")).to_be_visible(
        timeout=LIVE
    )

    phone.get_by_label("Your note").fill("Notices landed in a shared inbox nobody owned.")
    phone.get_by_role("button", name=f"Post note to {alices.name}").click()
    expect(phone.get_by_role("status").filter(has_text="Posted")).to_be_visible()
    with db_turn:
        other = review.breakout_groups.active().exclude(pk=alices.pk).get()
        author = other.members.select_related("user").first().user
        services.add_note(
            review=review,
            author=author,
            text="No backup partner was named for the busy season, so calls went nowhere.",
            anonymous=True,
        )
    mine = groups.filter(has_text=alices.name)
    expect(mine).to_contain_text("Notices landed in a shared inbox", timeout=LIVE)
    expect(groups.filter(has_text=other.name)).to_contain_text("No backup partner", timeout=LIVE)
    # The notes are anonymous: no author beside them on the projector.
    expect(presenter.locator(".presenter-group-note").first).not_to_contain_text("Alice")
    # Side by side: both groups start on the same line.
    boxes = [groups.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]

    assert _font_px(presenter.locator(".presenter-group-note").first) >= 32
    assert _font_px(presenter.locator(".presenter-group-members").first) >= 32
    assert _fits(presenter)
    screenshot(presenter, "retrospectives-breakout-presenter-1280x720")
    presenter.set_viewport_size(PROJECTOR_1080)
    assert _font_px(presenter.locator(".presenter-group-note").first) >= 40
    assert _fits(presenter)
    screenshot(presenter, "retrospectives-breakout-presenter-1920x1080")

    # Voting waits for the merge; the phone says which group it is in.
    expect(phone.get_by_role("button", name="Vote for this")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "retrospectives-breakout-participant-375", full_page=True)

    console.get_by_role("button", name="Merge back").click()
    expect(console.get_by_text("Everyone is back together")).to_be_visible()
    expect(groups).to_have_count(0, timeout=LIVE)
    # Back together in "why": the why board, both notes not yet grouped under a cause.
    expect(presenter.locator(".present-cause-note")).to_have_count(2, timeout=LIVE)
    expect(phone.get_by_role("button", name="Vote for this")).to_have_count(2, timeout=LIVE)
    expect(phone.get_by_role("heading", name=f"You are in {alices.name}")).to_have_count(0)

    # By hand: a group of two is refused next to its people, and the choices are kept.
    console.get_by_role("link", name="Group by hand").click()
    for name in ("Alice Moreno", "Bob Chen", "Sam Rivera", "Quinn Adler", "Riley Brooks"):
        console.get_by_label(name).select_option(label="Group 1")
    console.get_by_label("Jordan Patel").select_option(label="Group 2")
    console.get_by_label("Kim Nakamura-Oyelaran").select_option(label="Group 2")
    console.get_by_role("button", name="Save the groups").click()
    expect(console.locator(".invalid-feedback")).to_have_count(2)
    expect(console.get_by_text("Group 2 would have 2 people; groups need 3 to 5.")).to_have_count(2)
    expect(console.get_by_label("Jordan Patel")).to_have_value("2")
    screenshot(console, "retrospectives-breakout-by-hand", full_page=True)


def test_the_facilitator_maps_the_journey_by_keyboard_and_the_projector_shows_it(
    new_page, live_server, log_in, db_turn, fran
):
    review = _live_review(fran, Phase.ACTUAL)
    console = new_page()
    log_in(console, fran)
    console.goto(f"{live_server.url}/reviews/{review.pk}/console/")
    console.get_by_role("link", name="Edit the process map").click()
    expect(console.get_by_role("heading", name="Add a step at the end")).to_be_visible()

    # A bad date is named next to its field and the text typed is kept.
    console.get_by_label("Who acted").select_option(label="Client")
    console.get_by_label("What happened").fill("State audit letter arrives")
    console.get_by_label("Date").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    console.get_by_label("What happened").press("Enter")
    expect(console.locator("#error_1_id_happened_on")).to_contain_text("pick a past date")
    expect(console.get_by_label("What happened")).to_have_value("State audit letter arrives")

    year = timezone.localdate().year - 1
    steps = [
        ("Client", "State audit letter arrives", f"{year}-03-03", ""),
        ("Staff", "Message sits unassigned in the shared inbox", f"{year}-03-05", "Nobody owned"),
        (
            "Account manager",
            "Emails the relationship partner, who is on leave",
            f"{year}-03-10",
            "",
        ),
        ("Client", "Deadline passes; the client pays the penalty", f"{year}-03-18", "A fine"),
        ("Partner", "Calls to apologise; the client gives notice", f"{year}-04-02", ""),
        ("Client", "Calls the main line four times", f"{year}-03-04", ""),
    ]
    for lane, text, day, pain in steps:
        console.get_by_label("Who acted").select_option(label=lane)
        console.get_by_label("What happened").fill(text)
        console.get_by_label("Date").fill(day)
        pain_box = console.get_by_label("Pain point for the client")
        if pain_box.is_checked() != bool(pain):
            pain_box.press("Space")
        console.get_by_label("What hurt").fill(pain)
        console.get_by_role("button", name="Add the step").press("Enter")
        expect(console.get_by_text("Step added to the map.")).to_be_visible()

    # The last step happened second: move it up with the keyboard, four times.
    for position in (6, 5, 4, 3):
        console.get_by_role("button", name=f"Move step {position} earlier").focus()
        console.keyboard.press("Enter")
        expect(
            console.get_by_role("button", name=f"Move step {position - 1} earlier")
        ).to_be_visible()
    with db_turn:
        assert list(review.process_steps.values_list("text", flat=True))[:2] == [
            "State audit letter arrives",
            "Calls the main line four times",
        ]
        assert ProcessStep.objects.filter(pain_point=True).count() == 2
    screenshot(console, "retrospectives-process-map-console", full_page=True)

    with db_turn:
        services.add_note(review=review, author=fran, text="Mar 4: four calls", anonymous=True)
    presenter = new_page(viewport=PROJECTOR_720)
    log_in(presenter, fran)
    presenter.goto(f"{live_server.url}/reviews/{review.pk}/present/")
    expect(presenter.locator(".presenter-more")).to_have_text("1 note on your phones")
    swimlane = presenter.locator(".swimlane-projector")
    expect(swimlane).to_be_visible()
    expect(presenter.locator(".presenter-prompt")).to_contain_text("steps 4–6 of 6")
    # Steps 4-6 (account manager, client, partner), in lane order; one pain point among them.
    expect(swimlane.get_by_role("rowheader")).to_have_text(["Client", "Account manager", "Partner"])
    expect(swimlane.locator(".swimlane-step.is-pain")).to_have_count(1)
    expect(swimlane.locator(".is-pain").first).to_contain_text("Pain point")
    assert _font_px(swimlane.locator(".swimlane-text").first) >= 32
    screenshot(presenter, "retrospectives-process-map-presenter-1280x720")
    assert _fits(presenter)
    # The map stays inside the board, clear of the join panel.
    map_box = swimlane.bounding_box()
    join_box = presenter.locator(".presenter-join").bounding_box()
    assert map_box["x"] + map_box["width"] <= join_box["x"] + 1
    area = presenter.locator(".presenter-map").bounding_box()
    assert map_box["y"] + map_box["height"] <= area["y"] + area["height"], "rows cut off"
    lane_label = swimlane.get_by_role("rowheader", name="Account manager").bounding_box()
    first_cell = swimlane.locator("tbody td").first.bounding_box()
    assert lane_label["x"] + lane_label["width"] <= first_cell["x"]
    presenter.set_viewport_size(PROJECTOR_1080)
    assert _fits(presenter)
    screenshot(presenter, "retrospectives-process-map-presenter-1920x1080")

    # A change on the console reaches the projector by polling.
    with db_turn:
        step = review.process_steps.get(position=6)
    console.goto(f"{live_server.url}/reviews/{review.pk}/map/{step.pk}/")
    console.get_by_label("What happened").fill("Calls to apologise; the client leaves")
    console.get_by_role("button", name="Save the step").click()
    expect(swimlane).to_contain_text("the client leaves", timeout=LIVE)
