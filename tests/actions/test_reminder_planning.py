"""Reminder planning with time travel: the reminder cadence across a working-hours
boundary, a weekend and a quiet period; escalation; stopping when the action is closed."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase

from actions import services
from actions.models import Reminder, ReminderPolicy
from tests.factories import (
    ActionFactory,
    ClientFactory,
    QuietPeriodFactory,
    ReminderFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _pending(action):
    return [
        (r.kind, r.sequence, r.recipient.username, r.scheduled_for)
        for r in action.reminders.filter(sent_at__isnull=True).order_by(
            "scheduled_for", "kind", "sequence"
        )
    ]


def _sweep():
    """The sweep as a worker runs it: outside this test's transaction, what it queues (the
    next overdue nudges) runs as soon as the sweep is done."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.send_due_reminders()


def _sweep_at(traveller, when):
    """Sweep one minute before `when` (nothing may go) and at `when`; return the mails sent."""
    traveller.move_to(when - dt.timedelta(minutes=1))
    before = len(mail.outbox)
    _sweep()
    assert len(mail.outbox) == before, f"something was sent before {when}"
    traveller.move_to(when)
    _sweep()
    return mail.outbox[before:]


def test_the_full_cadence_for_one_action(alice, pat, fran, django_capture_on_commit_callbacks):
    # Busy week: Wednesday 10 March to Tuesday 16 March 2027.
    QuietPeriodFactory(
        name="Busy week", starts_on=dt.date(2027, 3, 10), ends_on=dt.date(2027, 3, 16)
    )
    customer = ClientFactory(relationship_partner=pat)
    with time_machine.travel(local(2027, 2, 18, 18, 10), tick=False) as traveller:
        # Thursday evening, after working hours; due on Sunday 21 February.
        with django_capture_on_commit_callbacks(execute=True):
            action = services.create_action(
                title="Publish the escalation roster",
                owner=alice,
                due_on=dt.date(2027, 2, 21),
                created_by=fran,
                client=customer,
            )
        # The "due soon" nudge (Thursday 9:00) was missed: it goes at the next working
        # morning. The due date is a Sunday: Monday. Two overdue nudges are planned ahead.
        assert _pending(action) == [
            (Kind.UPCOMING, 1, "alice", local(2027, 2, 19, 9, 0)),
            (Kind.DUE, 1, "alice", local(2027, 2, 22, 9, 0)),
            (Kind.OVERDUE, 1, "alice", local(2027, 3, 1, 9, 0)),
            (Kind.OVERDUE, 2, "alice", local(2027, 3, 8, 9, 0)),
        ]
        sent = _sweep_at(traveller, local(2027, 2, 19, 9, 0))
        assert [m.to for m in sent] == [["alice@example.com"]]
        assert sent[0].subject == "Due soon: Publish the escalation roster"
        # Being given the action (Thursday evening, after hours) goes in the same morning's
        # digest, not in an e-mail of its own.
        assert "Fran Okafor gave you the action “Publish the escalation roster”" in sent[0].body

        assert _sweep_at(traveller, local(2027, 2, 22, 9, 0))[0].subject.startswith("Due today")
        sent = _sweep_at(traveller, local(2027, 3, 1, 9, 0))
        assert sent[0].subject == "Overdue: Publish the escalation roster"
        # Sending an overdue nudge plans the next one; the third falls on Sunday 14 March,
        # inside the busy week, so it waits for Wednesday 17 March, and from the third on
        # the client's relationship partner is copied.
        assert (Kind.OVERDUE, 3, "alice", local(2027, 3, 17, 9, 0)) in _pending(action)
        assert (Kind.ESCALATION, 3, "pat", local(2027, 3, 17, 9, 0)) in _pending(action)

        sent = _sweep_at(traveller, local(2027, 3, 8, 9, 0))
        assert [m.to for m in sent] == [["alice@example.com"]]

        # Nothing at all during the busy week.
        traveller.move_to(local(2027, 3, 16, 16, 0))
        services.send_due_reminders()
        assert len(mail.outbox) == 4

        sent = _sweep_at(traveller, local(2027, 3, 17, 9, 0))
        assert sorted(m.to[0] for m in sent) == ["alice@example.com", "pat@example.com"]
        to_pat = next(m for m in sent if m.to == ["pat@example.com"])
        assert "is overdue" in to_pat.subject
        assert "Alice Moreno's action is overdue by 24 days" in to_pat.body
        assert f"{settings.SITE_URL}/actions/{action.pk}/" in to_pat.alternatives[0][0]

        # Alice closes it: every pending nudge goes, and no more are planned.
        traveller.move_to(local(2027, 3, 18, 11, 0))
        with django_capture_on_commit_callbacks(execute=True):
            services.complete_action(action=action, by=alice, evidence="Roster on the intranet")
        assert _pending(action) == []
        traveller.move_to(local(2027, 4, 30, 10, 0))
        services.send_due_reminders()
        # No more nudges; only Fran, who asked for it, hears that it is done.
        assert len(mail.outbox) == 7
        assert mail.outbox[-1].to == ["fran@example.com"]
        assert "Alice Moreno marked “Publish the escalation roster” done" in mail.outbox[-1].body


def test_escalation_goes_to_the_review_facilitator_without_a_partner(alice, fran):
    action = ActionFactory(owner=alice, source_review=ReviewFactory(facilitator=fran))
    assert services.escalation_recipient(action) == fran


def test_escalation_prefers_the_relationship_partner(alice, fran, pat):
    action = ActionFactory(
        owner=alice,
        client=ClientFactory(relationship_partner=pat),
        source_review=ReviewFactory(facilitator=fran),
    )
    assert services.escalation_recipient(action) == pat


def test_escalation_skips_the_owner_and_people_who_left(pat, fran, deactivated):
    owned_by_partner = ActionFactory(
        owner=pat,
        client=ClientFactory(relationship_partner=pat),
        source_review=ReviewFactory(facilitator=fran),
    )
    assert services.escalation_recipient(owned_by_partner) == fran
    orphan = ActionFactory(owner=fran, client=ClientFactory(relationship_partner=deactivated))
    assert services.escalation_recipient(orphan) is None


def test_escalation_rows_follow_the_policy(alice, pat):
    policy = ReminderPolicy.current()
    policy.escalate_after_overdue = 0
    policy.save()
    action = ActionFactory(
        owner=alice, client=ClientFactory(relationship_partner=pat), due_on=dt.date(2027, 6, 1)
    )
    with time_machine.travel(local(2027, 5, 3, 10, 0), tick=False):
        services.replan_reminders(action=action)
    escalations = action.reminders.filter(kind=Kind.ESCALATION)
    assert sorted(escalations.values_list("sequence", flat=True)) == [1, 2]
    assert {r.recipient for r in escalations} == {pat}


def test_replanning_is_idempotent_and_follows_the_due_date(alice):
    action = ActionFactory(owner=alice, due_on=dt.date(2027, 6, 10))
    with time_machine.travel(local(2027, 5, 3, 10, 0), tick=False):
        first = services.replan_reminders(action=action)
        again = services.replan_reminders(action=action)
        assert (first.created, again.created, again.moved, again.deleted) == (4, 0, 0, 0)
        due = action.reminders.get(kind=Kind.DUE)
        assert due.scheduled_for == local(2027, 6, 10, 9, 0)
        action.due_on = dt.date(2027, 6, 17)
        action.save()
        moved = services.replan_reminders(action=action)
        due.refresh_from_db()
        assert due.scheduled_for == local(2027, 6, 17, 9, 0)
        assert moved.moved == 4
        assert action.reminders.count() == 4


def test_sent_nudges_are_never_planned_again(alice):
    action = ActionFactory(owner=alice, due_on=dt.date(2027, 6, 10))
    with time_machine.travel(local(2027, 6, 10, 9, 30), tick=False):
        ReminderFactory(
            action=action,
            kind=Kind.DUE,
            scheduled_for=local(2027, 6, 10, 9, 0),
            sent_at=local(2027, 6, 10, 9, 0),
        )
        services.replan_reminders(action=action)
        assert action.reminders.filter(kind=Kind.DUE).count() == 1
        assert not action.reminders.filter(kind=Kind.UPCOMING).exists()


def test_a_verified_action_keeps_only_its_recheck(alice, pat):
    action = ActionFactory(owner=alice, due_on=dt.date(2027, 6, 10))
    with time_machine.travel(local(2027, 5, 3, 10, 0), tick=False):
        services.replan_reminders(action=action)
        services.complete_action(action=action, by=alice, evidence="Template v4")
        services.verify_action(action=action, by=pat, recheck_on=dt.date(2027, 9, 4))
        services.replan_reminders(action=action)
    # 4 September 2027 is a Saturday: the verifier is asked on Monday morning.
    assert _pending(action) == [(Kind.RECHECK, 1, "pat", local(2027, 9, 6, 9, 0))]


def test_snoozing_postpones_nudges_but_not_the_due_date(alice):
    action = ActionFactory(owner=alice, due_on=dt.date(2027, 6, 9))
    with time_machine.travel(local(2027, 6, 7, 10, 0), tick=False):
        services.snooze_action(
            action=action, by=alice, until=dt.date(2027, 6, 11), reason="Client visit"
        )
        services.replan_reminders(action=action)
    # Both nudges before the snooze ends wait for Friday morning (one digest line).
    pending = _pending(action)
    assert set(pending[:2]) == {
        (Kind.UPCOMING, 1, "alice", local(2027, 6, 11, 9, 0)),
        (Kind.DUE, 1, "alice", local(2027, 6, 11, 9, 0)),
    }
    action.refresh_from_db()
    assert action.due_on == dt.date(2027, 6, 9)


def test_no_reminders_for_a_deactivated_owner(deactivated):
    action = ActionFactory(owner=deactivated, due_on=dt.date(2027, 6, 9))
    with time_machine.travel(local(2027, 6, 1, 10, 0), tick=False):
        services.replan_reminders(action=action)
    assert not action.reminders.exists()


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (local(2027, 6, 7, 8, 59), local(2027, 6, 7, 9, 0)),  # Monday, before hours
        (local(2027, 6, 7, 12, 0), local(2027, 6, 7, 12, 0)),  # inside hours
        (local(2027, 6, 7, 17, 30), local(2027, 6, 8, 9, 0)),  # closing time
        (local(2027, 6, 11, 18, 0), local(2027, 6, 14, 9, 0)),  # Friday evening
        (local(2027, 6, 12, 10, 0), local(2027, 6, 14, 9, 0)),  # Saturday
    ],
)
def test_the_next_allowed_slot_is_inside_working_hours(db, when, expected):
    slot = services.next_allowed_slot(when, policy=ReminderPolicy.current(), quiet_periods=[])
    assert slot == expected


def test_weekends_can_be_allowed(db):
    policy = ReminderPolicy.current()
    policy.weekends_off = False
    when = local(2027, 6, 12, 10, 0)
    assert services.next_allowed_slot(when, policy=policy, quiet_periods=[]) == when
