"""Pilots: an open action tried small, against a hypothesis, a measure and a review
date; a result with what was learned; a pilot that worked rolled out once as a new action."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action, ActionEvent
from feedback.models import Suggestion
from tests.factories import ActionFactory, ClientFactory, ReviewFactory

pytestmark = pytest.mark.django_db

Status, Result = Action.Status, Action.PilotResult
HYPOTHESIS = "A named backup partner for every key client cuts escalation response to one day"
MEASURE = "9 of 10 escalations answered within one business day"


def _today():
    return timezone.localdate()


@pytest.fixture
def action(alice):
    return ActionFactory(owner=alice, title="Backup partner for key clients")


@pytest.fixture
def pilot(action, alice):
    return services.mark_pilot(
        action=action,
        by=alice,
        hypothesis=HYPOTHESIS,
        success_measure=MEASURE,
        review_on=_today() + dt.timedelta(days=30),
    )


def _worked(pilot, by, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    return services.record_pilot_result(
        action=pilot, by=by, result=Result.WORKED, learning="Response fell to 0.8 days."
    )


def _last_note(action):
    return ActionEvent.objects.filter(action=action).latest("id").note


# --- marking a pilot -------------------------------------------------------------------------


def test_piloting_marks_an_open_action_as_a_pilot_with_history(pilot, alice):
    pilot.refresh_from_db()
    assert pilot.is_pilot and pilot.hypothesis == HYPOTHESIS
    assert pilot.status == Status.OPEN and pilot.pilot_running
    review_on = pilot.review_on
    assert _last_note(pilot) == (
        f"Marked as a pilot. Hypothesis: {HYPOTHESIS}. Measure: {MEASURE}. "
        f"Review on {review_on:%b %d, %Y}."
    )


def test_piloting_changes_the_plan_of_a_running_pilot(pilot, alice):
    services.mark_pilot(
        action=pilot, by=alice, hypothesis="Faster", success_measure="Days", review_on=_today()
    )
    pilot.refresh_from_db()
    assert (pilot.hypothesis, pilot.review_on) == ("Faster", _today())
    assert _last_note(pilot).startswith("Pilot plan changed.")


def test_piloting_requires_hypothesis_measure_and_a_review_date_not_in_the_past(action, alice):
    with pytest.raises(ValidationError) as error:
        services.mark_pilot(
            action=action,
            by=alice,
            hypothesis=" ",
            success_measure="",
            review_on=_today() - dt.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"hypothesis", "success_measure", "review_on"}
    action.refresh_from_db()
    assert not action.is_pilot


@pytest.mark.parametrize("status", [Status.DONE, Status.VERIFIED, Status.WONT_DO])
def test_piloting_refuses_to_make_a_closed_action_a_pilot(alice, status):
    closed = ActionFactory(owner=alice, status=status, evidence="x", wont_do_reason="y")
    with pytest.raises(ValidationError, match="Only an open action"):
        services.mark_pilot(
            action=closed, by=alice, hypothesis="h", success_measure="m", review_on=_today()
        )


def test_only_the_owner_or_a_partner_makes_a_pilot(action, bob, fran, pat):
    for outsider in (bob, fran):
        with pytest.raises(ValidationError, match="owner or a partner"):
            services.mark_pilot(
                action=action, by=outsider, hypothesis="h", success_measure="m", review_on=_today()
            )
    services.mark_pilot(
        action=action, by=pat, hypothesis="h", success_measure="m", review_on=_today()
    )


def test_the_database_refuses_a_pilot_without_a_plan(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(owner=alice, is_pilot=True, hypothesis="h", success_measure="")


def test_the_database_refuses_a_result_without_learning(pilot):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=pilot.pk).update(pilot_result=Result.WORKED)


# --- recording the result --------------------------------------------------------------------


def test_a_result_closes_a_running_pilot_with_the_learning_as_evidence(pilot, alice, time_machine):
    _worked(pilot, alice, time_machine)
    pilot.refresh_from_db()
    assert (pilot.pilot_result, pilot.status) == (Result.WORKED, Status.DONE)
    assert pilot.evidence == "Pilot result: worked. Response fell to 0.8 days."
    assert pilot.pilot_result_by == alice and pilot.pilot_result_at is not None
    assert _last_note(pilot) == "Pilot worked: Response fell to 0.8 days."
    assert not pilot.reminders.filter(sent_at__isnull=True).exists()


def test_a_pilot_that_worked_is_verified_like_any_done_action(pilot, alice, pat, time_machine):
    _worked(pilot, alice, time_machine)
    services.verify_action(action=pilot, by=pat)
    pilot.refresh_from_db()
    assert pilot.status == Status.VERIFIED


def test_success_cannot_be_declared_before_the_review_date(pilot, alice):
    for result in (Result.WORKED, Result.INCONCLUSIVE):
        with pytest.raises(ValidationError) as error:
            services.record_pilot_result(action=pilot, by=alice, result=result, learning="x")
        assert "only “did not work”" in error.value.message_dict["result"][0]


def test_a_failing_pilot_can_stop_early(pilot, alice):
    services.record_pilot_result(
        action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="Nobody took the calls."
    )
    pilot.refresh_from_db()
    assert (pilot.pilot_result, pilot.status) == (Result.DID_NOT_WORK, Status.DONE)


def test_a_result_needs_learning_and_comes_once(pilot, alice):
    with pytest.raises(ValidationError) as error:
        services.record_pilot_result(
            action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="  "
        )
    assert "learning" in error.value.message_dict
    services.record_pilot_result(action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="No.")
    with pytest.raises(ValidationError, match="already has a result"):
        services.record_pilot_result(
            action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="Again."
        )


def test_only_a_pilot_has_a_result(action, alice):
    with pytest.raises(ValidationError, match="Only a pilot"):
        services.record_pilot_result(
            action=action, by=alice, result=Result.DID_NOT_WORK, learning="x"
        )


def test_a_dropped_pilot_has_no_result(pilot, alice):
    services.wont_do(action=pilot, by=alice, reason="The team was too small to try it.")
    with pytest.raises(ValidationError, match="dropped"):
        services.record_pilot_result(
            action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="x"
        )


def test_the_plan_cannot_change_after_a_result(pilot, alice):
    services.record_pilot_result(action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="x")
    services.reopen(action=pilot, by=alice)
    with pytest.raises(ValidationError, match="has a result"):
        services.mark_pilot(
            action=pilot, by=alice, hypothesis="h", success_measure="m", review_on=_today()
        )


# --- rolling out -----------------------------------------------------------------------------


def test_piloting_rolls_out_a_pilot_that_worked_as_a_new_action(alice, pat, time_machine):
    review = ReviewFactory()
    client = ClientFactory(name="Harbor Dental Group")
    source = ActionFactory(
        owner=alice,
        title="Backup partner",
        client=client,
        source_review=review,
        priority=Action.Priority.HIGH,
    )
    pilot = services.mark_pilot(
        action=source, by=alice, hypothesis=HYPOTHESIS, success_measure=MEASURE, review_on=_today()
    )
    services.record_pilot_result(
        action=pilot, by=alice, result=Result.WORKED, learning="Response fell to 0.8 days."
    )
    rollout = services.rollout_pilot(pilot=pilot, by=pat)
    assert rollout.rollout_of == pilot and rollout.pk != pilot.pk
    assert rollout.title == "Roll out: Backup partner"
    assert (rollout.owner, rollout.created_by, rollout.status) == (alice, pat, Status.OPEN)
    assert (rollout.client, rollout.source_review, rollout.priority) == (client, review, "high")
    assert not rollout.is_pilot
    assert rollout.due_on == _today() + services.ROLLOUT_DUE_IN
    assert "What we learned: Response fell to 0.8 days." in rollout.detail
    assert _last_note(rollout) == "Rolled out from the pilot “Backup partner”."
    assert _last_note(pilot) == "Rolled out as “Roll out: Backup partner”."


def test_a_pilot_is_rolled_out_once(pilot, alice, time_machine):
    _worked(pilot, alice, time_machine)
    services.rollout_pilot(pilot=pilot, by=alice)
    with pytest.raises(ValidationError, match="already been rolled out"):
        services.rollout_pilot(pilot=pilot, by=alice)
    assert Action.objects.filter(rollout_of=pilot).count() == 1


def test_the_database_allows_one_rollout_per_pilot(pilot, alice, time_machine):
    _worked(pilot, alice, time_machine)
    services.rollout_pilot(pilot=pilot, by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(owner=alice, rollout_of=pilot)


def test_piloting_refuses_to_roll_out_a_non_pilot_or_a_pilot_that_did_not_work(
    action, pilot, alice
):
    with pytest.raises(ValidationError, match="Only a pilot that worked"):
        services.rollout_pilot(pilot=ActionFactory(owner=alice), by=alice)
    with pytest.raises(ValidationError, match="Only a pilot that worked"):
        services.rollout_pilot(pilot=pilot, by=alice)  # still running
    services.record_pilot_result(action=pilot, by=alice, result=Result.DID_NOT_WORK, learning="x")
    with pytest.raises(ValidationError, match="Only a pilot that worked"):
        services.rollout_pilot(pilot=pilot, by=alice)


def test_only_the_owner_or_a_partner_rolls_out(pilot, alice, fran, bob, time_machine):
    _worked(pilot, alice, time_machine)
    for outsider in (fran, bob):
        with pytest.raises(ValidationError, match="owner or a partner"):
            services.rollout_pilot(pilot=pilot, by=outsider)
    assert not Action.objects.filter(rollout_of=pilot).exists()


def test_a_rollout_of_a_departed_owners_pilot_goes_to_whoever_rolls_it_out(
    pilot, alice, pat, time_machine
):
    _worked(pilot, alice, time_machine)
    alice.is_active = False
    alice.save()
    assert services.rollout_pilot(pilot=pilot, by=pat).owner == pat


# --- the pages -------------------------------------------------------------------------------


def test_the_page_marks_a_pilot_and_shows_the_panel(client, action, alice):
    client.force_login(alice)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Try it as a pilot" in page and 'id="pilot-panel-heading"' not in page
    review_on = (_today() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        reverse("actions:action_pilot", args=[action.pk]),
        {"hypothesis": HYPOTHESIS, "success_measure": MEASURE, "review_on": review_on},
    )
    assert response.status_code == 302
    page = client.get(action.get_absolute_url()).content.decode()
    assert 'id="pilot-panel-heading"' in page and HYPOTHESIS in page and "Running until" in page
    assert "Record the pilot result" in page


def test_bad_pilot_input_comes_back_next_to_the_fields_and_keeps_what_was_typed(
    client, action, alice
):
    client.force_login(alice)
    response = client.post(
        reverse("actions:action_pilot", args=[action.pk]),
        {"hypothesis": "Calls get answered", "success_measure": "", "review_on": "2001-01-01"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say how you will know whether it worked." in page
    assert "Choose a review date from today on." in page
    assert "Calls get answered" in page


def test_the_page_shows_the_early_result_rule(client, pilot, alice):
    client.force_login(alice)
    response = client.post(
        reverse("actions:action_pilot_result", args=[pilot.pk]),
        {"result": "worked", "learning": "Looks good"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "only “did not work”" in page
    assert "Looks good" in page
    pilot.refresh_from_db()
    assert not pilot.pilot_result


def test_one_click_rolls_out_and_opens_the_new_action(client, pilot, alice, time_machine):
    _worked(pilot, alice, time_machine)
    client.force_login(alice)
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert "Roll out as a new action" in page
    response = client.post(reverse("actions:action_rollout", args=[pilot.pk]))
    rollout = Action.objects.get(rollout_of=pilot)
    assert response.status_code == 302 and response["Location"] == rollout.get_absolute_url()
    page = client.get(rollout.get_absolute_url()).content.decode()
    assert "Rolled out from" in page and pilot.get_absolute_url() in page
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert "Roll out as a new action" not in page and rollout.get_absolute_url() in page


def test_rolling_out_a_non_pilot_shows_a_message_not_an_error(client, action, alice):
    client.force_login(alice)
    response = client.post(reverse("actions:action_rollout", args=[action.pk]))
    assert response.status_code == 200
    assert "Only a pilot that worked can be rolled out." in response.content.decode()
    assert not Action.objects.filter(rollout_of=action).exists()


def test_a_facilitator_sees_the_pilot_but_cannot_roll_it_out(
    client, pilot, alice, fran, time_machine
):
    _worked(pilot, alice, time_machine)
    client.force_login(fran)
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert HYPOTHESIS in page and "Roll out as a new action" not in page
    response = client.post(reverse("actions:action_rollout", args=[pilot.pk]))
    assert "Only the owner or a partner can roll out" in response.content.decode()
    assert not Action.objects.filter(rollout_of=pilot).exists()


@pytest.mark.parametrize("name", ["action_pilot", "action_pilot_result", "action_rollout"])
def test_other_staff_get_404(client, pilot, bob, name):
    client.force_login(bob)
    assert client.post(reverse(f"actions:{name}", args=[pilot.pk])).status_code == 404


def test_the_detail_page_of_a_pilot_runs_a_fixed_number_of_queries(
    client, pilot, alice, time_machine, django_assert_max_num_queries
):
    _worked(pilot, alice, time_machine)
    services.rollout_pilot(pilot=pilot, by=alice)
    client.force_login(alice)
    client.get(pilot.get_absolute_url())
    with django_assert_max_num_queries(14):
        client.get(pilot.get_absolute_url())


def test_a_rollout_keeps_the_staff_suggestion_it_came_from(alice, pat, time_machine):
    suggestion = Suggestion.objects.create(
        text="Name a backup partner", submitted_on=timezone.localdate()
    )
    pilot = services.mark_pilot(
        action=ActionFactory(owner=alice, source_suggestion=suggestion),
        by=alice,
        hypothesis=HYPOTHESIS,
        success_measure=MEASURE,
        review_on=_today(),
    )
    services.record_pilot_result(action=pilot, by=alice, result=Result.WORKED, learning="It did.")
    assert services.rollout_pilot(pilot=pilot, by=pat).source_suggestion == suggestion
