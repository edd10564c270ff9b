"""Pilots and the team goal in a real browser: alice makes her action a pilot, records that it
worked and rolls it out in one click; everyone's home page shows the firm's and the office's
goal, on a laptop and on a phone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import Action
from dashboard.models import Goal
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import ActionFactory, OfficeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}


def test_alice_pilots_an_action_records_it_worked_and_rolls_it_out(
    new_page, live_server, log_in, alice
):
    action = ActionFactory(
        owner=alice,
        title="Backup partner for the five largest tax clients",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    page = log_in(new_page(viewport=WIDE), alice)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")

    pilot = page.get_by_role("region", name="Try it as a pilot")
    pilot.get_by_label("Hypothesis").fill(
        "A named backup partner for every key client cuts escalation response to one day."
    )
    pilot.get_by_role("button", name="Make this a pilot").click()
    # The measure and the date are missing: said next to the fields, the hypothesis kept.
    expect(page.get_by_text("Say how you will know whether it worked.")).to_be_visible()
    expect(page.get_by_label("Hypothesis")).to_have_value(
        "A named backup partner for every key client cuts escalation response to one day."
    )
    page.get_by_label("How will we know it worked?").fill(
        "9 of 10 escalations answered within one business day"
    )
    page.get_by_label("Review date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Make this a pilot").click()
    panel = page.get_by_role("region", name="Pilot", exact=True)
    expect(panel.get_by_text("Running until")).to_be_visible()

    result = page.get_by_role("region", name="Record the pilot result")
    result.get_by_label("Worked").check()
    result.get_by_label("What did we learn?").fill(
        "10 of 11 escalations answered the same or next day. Share the client file in advance."
    )
    result.get_by_role("button", name="Record result").click()
    expect(page.get_by_text("Pilot result recorded.")).to_be_visible()
    expect(panel.locator(".pilot-result")).to_have_text("Worked")
    expect(page.locator("#action-status .action-status")).to_have_text("Done")
    screenshot(page, "pilot-worked-1280", full_page=True)

    page.get_by_role("button", name="Roll out as a new action").click()
    rollout = Action.objects.get(rollout_of=action)
    page.wait_for_url(f"{live_server.url}{rollout.get_absolute_url()}")
    expect(page.get_by_role("heading", name=f"Roll out: {action.title}")).to_be_visible()
    expect(page.get_by_role("link", name=action.title)).to_be_visible()
    screenshot(page, "pilot-rollout-1280", full_page=True)

    page.goto(f"{live_server.url}{action.get_absolute_url()}")
    expect(page.get_by_role("button", name="Roll out as a new action")).to_have_count(0)
    expect(panel.get_by_role("link", name=rollout.title)).to_be_visible()

    phone = log_in(new_page(viewport=PHONE), alice)
    phone.goto(f"{live_server.url}{action.get_absolute_url()}")
    expect(phone.get_by_role("region", name="Pilot", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "pilot-action-375", full_page=True)
    action.refresh_from_db()
    assert (action.pilot_result, action.status) == ("worked", "done")
    assert (rollout.owner, rollout.status, rollout.is_pilot) == (alice, "open", False)


def test_the_home_page_shows_the_goals_on_a_laptop_and_a_phone(
    new_page, live_server, log_in, alice, pat
):
    boston = OfficeFactory(name="Boston")
    alice.office = boston
    alice.save()
    today = timezone.localdate()
    Goal.objects.create(
        title="Verify six improvement actions",
        measure=Goal.Measure.ACTIONS_VERIFIED,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=90),
        baseline=2,
        target=6,
        set_by=pat,
    )
    Goal.objects.create(
        title="Every key client has a named backup partner",
        office=boston,
        measure=Goal.Measure.MANUAL,
        manual_label="Key clients with a named backup partner (of 24)",
        starts_on=today - dt.timedelta(days=45),
        ends_on=today + dt.timedelta(days=75),
        baseline=6,
        target=24,
        manual_value=Decimal(15),
        set_by=pat,
    )
    ActionFactory(owner=alice, status="verified", evidence="Roster published.")
    Action.objects.update(verified_at=timezone.now())
    for viewport, name in ((WIDE, "home-goal-1280"), (PHONE, "home-goal-375")):
        page = log_in(new_page(viewport=viewport), alice)
        goals = page.get_by_role("region", name="Our goals")
        expect(goals.get_by_role("heading", name="Verify six improvement actions")).to_be_visible()
        expect(goals.get_by_text("50% of the way")).to_be_visible()  # 15 between 6 and 24
        expect(goals.get_by_text("16% of the way")).to_be_visible()  # 1 of 6, rounded down
        expect(goals.get_by_role("button", name="End this goal")).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, name, full_page=True)


def test_a_partner_sets_the_firm_goal_from_the_dashboard(new_page, live_server, log_in, pat):
    page = log_in(new_page(viewport=WIDE), pat)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Set a goal").click()
    page.locator("#id_title").fill("Halve controllable losses")
    page.get_by_label("Measured by").select_option("controllable_losses")
    today = timezone.localdate()
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Baseline (where we are now)").fill("4")
    page.get_by_label("Target (where we want to be at the end)").fill("4")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("The goal must end after it starts.")).to_be_visible()
    expect(page.get_by_text("The target must differ from the baseline.")).to_be_visible()
    screenshot(page, "goal-form-errors-1280", full_page=True)
    page.get_by_label("Ends on").fill((today + dt.timedelta(days=120)).isoformat())
    page.get_by_label("Target (where we want to be at the end)").fill("2")
    page.get_by_role("button", name="Set the goal").click()
    expect(page.get_by_text("Goal set for whole firm")).to_be_visible()
    goals = page.get_by_role("region", name="Our goal")
    expect(goals.get_by_text("0 of at most 2")).to_be_visible()
    screenshot(page, "dashboard-goal-1280")
    assert Goal.objects.get().title == "Halve controllable losses"
