"""The lifecycle services: every change is checked, recorded with who and when, and refused with
a message (a ValidationError) rather than a crash."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import services
from actions.models import Action, ActionEvent, Reminder
from tests.factories import ActionFactory, ReminderFactory, ReviewFactory

pytestmark = pytest.mark.django_db

Status = Action.Status


@pytest.fixture
def action(alice):
    return ActionFactory(owner=alice, title="Name a backup partner for busy season")


def _last_event(action):
    return ActionEvent.objects.filter(action=action).latest("id")


def test_the_lifecycle_creates_an_action_with_history_and_a_reminder_plan(
    alice, pat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = services.create_action(
            title="Call back within a day",
            owner=alice,
            due_on=timezone.localdate() + dt.timedelta(days=10),
            created_by=pat,
        )
    event = _last_event(action)
    assert (event.actor, event.to_status, event.note) == (pat, Status.OPEN, "Created")
    kinds = set(action.reminders.values_list("kind", flat=True))
    assert {Reminder.Kind.UPCOMING, Reminder.Kind.DUE, Reminder.Kind.OVERDUE} <= kinds


def test_the_lifecycle_starts_an_action(action, alice):
    services.start_action(action=action, by=alice)
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    event = _last_event(action)
    assert (event.actor, event.from_status, event.to_status) == (alice, "open", "in_progress")


def test_the_lifecycle_completes_with_evidence_and_link(action, alice):
    services.complete_action(
        action=action,
        by=alice,
        evidence="Backup partner roster published",
        link="https://intranet.example.com/roster",
    )
    action.refresh_from_db()
    assert action.status == Status.DONE
    assert action.evidence_link == "https://intranet.example.com/roster"
    assert action.done_at is not None
    assert _last_event(action).note == "Backup partner roster published"


def test_the_lifecycle_refuses_done_without_evidence(action, alice):
    with pytest.raises(ValidationError) as error:
        services.complete_action(action=action, by=alice, evidence="   ")
    assert "evidence" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_the_lifecycle_refuses_wont_do_without_reason(action, alice):
    with pytest.raises(ValidationError) as error:
        services.wont_do(action=action, by=alice, reason="")
    assert "reason" in error.value.message_dict


def test_the_lifecycle_drops_an_action_with_a_reason(action, alice):
    services.wont_do(action=action, by=alice, reason="The client merged; no longer relevant")
    action.refresh_from_db()
    assert action.status == Status.WONT_DO
    assert action.wont_do_reason.startswith("The client merged")


def test_a_partner_verifies_with_a_recheck_date(action, alice, pat):
    services.complete_action(action=action, by=alice, evidence="Roster published")
    recheck = timezone.localdate() + dt.timedelta(days=90)
    services.verify_action(action=action, by=pat, recheck_on=recheck, note="Seen it")
    action.refresh_from_db()
    assert (action.status, action.verified_by, action.recheck_on) == (
        Status.VERIFIED,
        pat,
        recheck,
    )
    assert "Re-check on" in _last_event(action).note


def test_the_review_facilitator_may_verify(alice, fran):
    action = ActionFactory(owner=alice, source_review=ReviewFactory(facilitator=fran))
    services.complete_action(action=action, by=alice, evidence="Checklist v2")
    services.verify_action(action=action, by=fran)
    assert action.status == Status.VERIFIED


def test_a_non_partner_cannot_verify(action, alice, bob, fran):
    services.complete_action(action=action, by=alice, evidence="Roster published")
    for person in (bob, fran, alice):
        with pytest.raises(ValidationError, match="Only a partner"):
            services.verify_action(action=action, by=person)
    action.refresh_from_db()
    assert action.status == Status.DONE


def test_the_lifecycle_only_verifies_done_actions(action, pat):
    with pytest.raises(ValidationError, match="marked done"):
        services.verify_action(action=action, by=pat)


def test_the_recheck_date_must_be_in_the_future(action, alice, pat):
    services.complete_action(action=action, by=alice, evidence="Roster published")
    with pytest.raises(ValidationError) as error:
        services.verify_action(action=action, by=pat, recheck_on=timezone.localdate())
    assert "recheck_on" in error.value.message_dict


def test_someone_else_cannot_complete_or_drop(action, bob):
    with pytest.raises(ValidationError):
        services.complete_action(action=action, by=bob, evidence="x")
    with pytest.raises(ValidationError):
        services.wont_do(action=action, by=bob, reason="x")


def test_the_lifecycle_reopens_a_verified_action_and_clears_verification(action, alice, pat):
    services.complete_action(action=action, by=alice, evidence="Roster published")
    services.verify_action(
        action=action, by=pat, recheck_on=timezone.localdate() + dt.timedelta(days=30)
    )
    with pytest.raises(ValidationError):
        services.reopen(action=action, by=alice)
    services.reopen(action=action, by=pat, note="The roster lapsed")
    action.refresh_from_db()
    assert (action.status, action.verified_by, action.recheck_on) == (Status.OPEN, None, None)
    assert action.evidence == "Roster published"


def test_the_owner_snoozes_once_for_at_most_a_week(action, alice):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.snooze_action(
            action=action, by=alice, until=today + dt.timedelta(days=8), reason="Holiday"
        )
    assert "until" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.snooze_action(
            action=action, by=alice, until=today + dt.timedelta(days=3), reason=""
        )
    assert "reason" in error.value.message_dict
    services.snooze_action(
        action=action, by=alice, until=today + dt.timedelta(days=7), reason="Holiday"
    )
    with pytest.raises(ValidationError, match="already been snoozed"):
        services.snooze_action(
            action=action, by=alice, until=today + dt.timedelta(days=2), reason="Again"
        )


def test_only_the_owner_snoozes(action, pat):
    with pytest.raises(ValidationError, match="Only the owner"):
        services.snooze_action(
            action=action, by=pat, until=timezone.localdate() + dt.timedelta(days=2), reason="x"
        )


def test_a_partner_reassigns_and_the_old_owners_nudges_go(action, alice, bob, pat):
    ReminderFactory(action=action, recipient=alice)
    with pytest.raises(ValidationError):
        services.reassign(action=action, by=alice, owner=bob)
    services.reassign(action=action, by=pat, owner=bob)
    action.refresh_from_db()
    assert action.owner == bob
    assert not Reminder.objects.filter(recipient=alice).exists()
    assert "Reassigned from Alice Moreno to Bob Chen" in _last_event(action).note


def test_the_lifecycle_will_not_reassign_to_a_deactivated_user(action, pat, deactivated):
    with pytest.raises(ValidationError) as error:
        services.reassign(action=action, by=pat, owner=deactivated)
    assert "owner" in error.value.message_dict


def test_the_lifecycle_moves_the_due_date_and_records_it(action, alice):
    new_due = action.due_on + dt.timedelta(days=7)
    services.change_due_date(action=action, by=alice, due_on=new_due)
    action.refresh_from_db()
    assert action.due_on == new_due
    assert "Due date moved" in _last_event(action).note
