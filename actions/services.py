"""Workflows of improvement actions: every change of state made on a page goes through a function
here (an edit in admin bypasses them, and only has the reminders replanned).

Who may do what (decided by Action.manageable_by and its siblings; views show the same rules and
the services enforce them):
- the owner or a partner starts, completes, drops (won't do) and re-dates an action;
- a partner, or the facilitator of the review the action came from, verifies it (never the
  owner) and reassigns it; the owner alone snoozes it, once;
- anyone who may verify, and the owner of an unverified action, reopens it;
- the owner or a partner marks an open action as a pilot, records its result and rolls out a
  pilot that worked (once) as a new action.
A refused change raises ValidationError with a message the page shows next to the form.
"""

import datetime as dt
import hashlib
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import events
from accounts.mail import Email, render_subject
from accounts.models import User

from . import notifications, tasks
from .models import Action, ActionEvent, Notification, QuietPeriod, Reminder, ReminderPolicy

logger = logging.getLogger(__name__)

MAX_SNOOZE_DAYS = 7
# A roll-out action is due this long after the pilot is rolled out; its owner can move it.
ROLLOUT_DUE_IN = dt.timedelta(days=30)
# How many future overdue nudges are planned ahead; the sweeper replans after sending one.
OVERDUE_HORIZON = 2
# A claim older than this belongs to a worker that died mid-send: another sweep may take it.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
SWEEP_BATCH = 500
MAX_RETRY_DELAY = dt.timedelta(hours=6)

Status = Action.Status
Kind = Reminder.Kind


# --- who may do what: Action.manageable_by and its siblings decide; these refuse the rest ---


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise ValidationError(message)


def _require_status(action: Action, allowed: tuple[str, ...], message: str) -> None:
    if action.status not in allowed:
        raise ValidationError(message)


def _record(*, action: Action, by: User | None, from_status: str, note: str) -> ActionEvent:
    return ActionEvent.objects.create(
        action=action, actor=by, from_status=from_status, to_status=action.status, note=note
    )


def _tell(recipient: User | None, event: str, action: Action, text: str, by: User | None) -> None:
    """Notify `recipient`; the link goes with it only if they may open the action (an account
    manager who asked a colleague for it hears it is done, but cannot open it)."""
    url = action.get_absolute_url()
    if (
        recipient is not None
        and not Action.objects.visible_to(recipient).filter(pk=action.pk).exists()
    ):
        url = ""
    notifications.notify(recipient=recipient, event=event, text=text, url=url, actor=by)


def _assigned(action: Action, by: User | None) -> None:
    who = f"{by} gave you" if by else "You own"
    _tell(
        action.owner,
        Notification.Event.ASSIGNED,
        action,
        f"{who} the action “{action.title}”, due {action.due_on:%b %d, %Y}.",
        by,
    )


def queue_replan(*, action: Action) -> None:
    """Recompute the reminder plan once the change is committed (and visible to the worker)."""
    tasks.replan_reminders.delay_on_commit(action.pk)


def _stop_reminders(action: Action) -> None:
    """Closed actions get no more nudges: drop the unsent ones now rather than after the replan,
    so a sweep in between cannot nag about something already finished."""
    action.reminders.filter(sent_at__isnull=True).exclude(kind=Kind.RECHECK).delete()


# --- lifecycle -------------------------------------------------------------------------------


@transaction.atomic
def create_action(
    *,
    title: str,
    owner: User,
    due_on: dt.date,
    created_by: User | None,
    detail: str = "",
    priority: str = Action.Priority.NORMAL,
    rollout_of: Action | None = None,
    **origin,
) -> Action:
    """Create an action and its first history row. `origin` says what it is about and where it
    came from: any of Action.ORIGIN_FIELDS (client, cause and the foreign keys of
    Action.SOURCES). Reminders are planned after commit."""
    unknown = sorted(set(origin) - set(Action.ORIGIN_FIELDS))
    if unknown:
        raise TypeError(f"create_action() got origins Action does not know: {', '.join(unknown)}")
    action = Action.objects.create(
        title=title,
        detail=detail,
        owner=owner,
        due_on=due_on,
        priority=priority,
        created_by=created_by,
        rollout_of=rollout_of,
        **origin,
    )
    ActionEvent.objects.create(
        action=action, actor=created_by, to_status=action.status, note="Created"
    )
    _assigned(action, created_by)
    queue_replan(action=action)
    events.emit("action.created", lambda: {"action": action.as_event()})
    return action


@transaction.atomic
def start_action(*, action: Action, by: User, note: str = "") -> Action:
    """Open → in progress."""
    _require(action.manageable_by(by), "Only the owner or a partner can start this action.")
    _require_status(action, (Status.OPEN,), "Only an open action can be started.")
    before = action.status
    action.status = Status.IN_PROGRESS
    action.save(update_fields=["status", "updated_at"])
    _record(action=action, by=by, from_status=before, note=note or "Started")
    return action


@transaction.atomic
def complete_action(*, action: Action, by: User, evidence: str, link: str = "") -> Action:
    """Mark an action done; evidence of what changed is required so a partner can verify it."""
    _require(action.manageable_by(by), "Only the owner or a partner can mark this action done.")
    _require_status(action, Action.OPEN_STATUSES, "This action is already closed.")
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError(
            {
                "evidence": "Say what changed (a new roster, a template, a checklist…) "
                "so a partner can verify it."
            }
        )
    before = action.status
    action.status, action.evidence, action.evidence_link = Status.DONE, evidence, link.strip()
    action.done_at = timezone.now()
    action.save(update_fields=["status", "evidence", "evidence_link", "done_at", "updated_at"])
    _record(action=action, by=by, from_status=before, note=evidence)
    asker = action.created_by
    if asker is not None and asker.pk != action.owner_id:
        verify = " It awaits your verification." if action.verifiable_by(asker) else ""
        _tell(
            asker,
            Notification.Event.DONE,
            action,
            f"{action.owner} marked “{action.title}” done.{verify}",
            by,
        )
    _stop_reminders(action)
    queue_replan(action=action)
    events.emit("action.done", lambda: {"action": action.as_event()})
    return action


@transaction.atomic
def verify_action(
    *, action: Action, by: User, note: str = "", recheck_on: dt.date | None = None
) -> Action:
    """A partner (or the source review's facilitator) confirms the change happened; with a
    re-check date they are asked again then whether it held."""
    _require(
        action.verifiable_by(by),
        "Only a partner or the facilitator of the source review can verify an action, "
        "and never its owner.",
    )
    _require_status(action, (Status.DONE,), "Only an action marked done can be verified.")
    today = timezone.localdate()
    if recheck_on is not None and recheck_on <= today:
        raise ValidationError({"recheck_on": "Choose a re-check date after today."})
    before = action.status
    action.status, action.verified_by, action.verified_at = Status.VERIFIED, by, timezone.now()
    action.recheck_on = recheck_on
    action.save(update_fields=["status", "verified_by", "verified_at", "recheck_on", "updated_at"])
    parts = [note.strip() or "Verified"]
    if recheck_on:
        parts.append(f"Re-check on {recheck_on:%b %d, %Y}.")
    _record(action=action, by=by, from_status=before, note=" ".join(parts))
    _tell(
        action.owner,
        Notification.Event.VERIFIED,
        action,
        f"{by} verified “{action.title}”.",
        by,
    )
    _stop_reminders(action)
    queue_replan(action=action)
    events.emit("action.verified", lambda: {"action": action.as_event()})
    return action


@transaction.atomic
def wont_do(*, action: Action, by: User, reason: str) -> Action:
    """Drop an action; the reason is kept so the decision can be revisited."""
    _require(action.manageable_by(by), "Only the owner or a partner can drop this action.")
    _require_status(action, Action.OPEN_STATUSES, "This action is already closed.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this will not be done."})
    before = action.status
    action.status, action.wont_do_reason = Status.WONT_DO, reason
    action.save(update_fields=["status", "wont_do_reason", "updated_at"])
    _record(action=action, by=by, from_status=before, note=reason)
    _stop_reminders(action)
    queue_replan(action=action)
    return action


@transaction.atomic
def reopen(*, action: Action, by: User, note: str = "") -> Action:
    """Done, verified or dropped → open again (for instance when a re-check shows it did not
    hold). Verification is cleared; the evidence stays for reference."""
    _require_status(
        action,
        (Status.DONE, Status.VERIFIED, Status.WONT_DO),
        "Only a closed action can be reopened.",
    )
    _require(action.reopenable_by(by), "You cannot reopen this action.")
    before = action.status
    action.status = Status.OPEN
    action.verified_by, action.verified_at, action.recheck_on = None, None, None
    action.wont_do_reason = ""
    action.save(
        update_fields=[
            "status",
            "verified_by",
            "verified_at",
            "recheck_on",
            "wont_do_reason",
            "updated_at",
        ]
    )
    _record(action=action, by=by, from_status=before, note=note.strip() or "Reopened")
    _tell(
        action.owner,
        Notification.Event.REOPENED,
        action,
        f"{by} reopened “{action.title}”" + (f": {note.strip()}" if note.strip() else "."),
        by,
    )
    # No re-check of a change that is being redone.
    action.reminders.filter(sent_at__isnull=True, kind=Kind.RECHECK).delete()
    queue_replan(action=action)
    return action


@transaction.atomic
def comment_on_action(
    *, action: Action, by: User, text: str
) -> tuple[ActionEvent, notifications.Mentions]:
    """Add a comment to the action's thread (its history). Colleagues @mentioned hear of it if
    they may see the action; the others are named back to the writer, not told."""
    _require(
        Action.objects.visible_to(by).filter(pk=action.pk).exists(),
        "Only people who can see this action can comment on it.",
    )
    text = notifications.comment_text(text)
    event = ActionEvent.objects.create(
        action=action, actor=by, note=text, is_comment=True, at=timezone.now()
    )
    mentions = notifications.tell_mentioned(
        text=text,
        by=by,
        on=f"“{action.title}”",
        url=action.get_absolute_url(),
        may_see=lambda person: Action.objects.visible_to(person).filter(pk=action.pk).exists(),
    )
    return event, mentions


@transaction.atomic
def snooze_action(*, action: Action, by: User, until: dt.date, reason: str) -> Action:
    """The owner pauses reminders, once, for at most a week. The due date does not move."""
    _require(action.snoozable_by(by), "Only the owner can snooze an action.")
    _require_status(action, Action.OPEN_STATUSES, "Only an open action can be snoozed.")
    if action.snoozed_until is not None:
        raise ValidationError("This action has already been snoozed once.")
    today = timezone.localdate()
    errors = {}
    if until <= today:
        errors["until"] = "Choose a day after today."
    elif until > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        errors["until"] = f"Snooze for at most {MAX_SNOOZE_DAYS} days."
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why the reminders should wait."
    if errors:
        raise ValidationError(errors)
    action.snoozed_until, action.snooze_reason = until, reason
    action.save(update_fields=["snoozed_until", "snooze_reason", "updated_at"])
    _record(
        action=action,
        by=by,
        from_status=action.status,
        note=f"Reminders snoozed until {until:%b %d}: {reason}",
    )
    queue_replan(action=action)
    return action


@transaction.atomic
def reassign(*, action: Action, by: User, owner: User, note: str = "") -> Action:
    """Give the action to someone else (for instance when its owner left the firm)."""
    _require(
        action.reassignable_by(by),
        "Only a partner or the facilitator of the source review can reassign an action.",
    )
    if not owner.is_active:
        raise ValidationError({"owner": "Choose someone who still works here."})
    if owner.pk == action.owner_id:
        return action
    previous = action.owner
    action.owner = owner
    action.save(update_fields=["owner", "updated_at"])
    text = f"Reassigned from {previous} to {owner}."
    _record(action=action, by=by, from_status=action.status, note=f"{text} {note}".strip())
    # The old owner's pending nudges no longer apply; the replan creates the new owner's.
    action.reminders.filter(sent_at__isnull=True, recipient=previous).delete()
    _assigned(action, by)
    queue_replan(action=action)
    return action


@transaction.atomic
def change_due_date(*, action: Action, by: User, due_on: dt.date, note: str = "") -> Action:
    """Move the due date; the reminder plan follows it."""
    _require(action.manageable_by(by), "Only the owner or a partner can change the due date.")
    if due_on == action.due_on:
        return action
    previous = action.due_on
    action.due_on = due_on
    action.save(update_fields=["due_on", "updated_at"])
    text = f"Due date moved from {previous:%b %d, %Y} to {due_on:%b %d, %Y}."
    _record(action=action, by=by, from_status=action.status, note=f"{text} {note}".strip())
    queue_replan(action=action)
    return action


@transaction.atomic
def edit_action(
    *,
    action: Action,
    by: User,
    title: str,
    detail: str,
    priority: str,
    due_on: dt.date,
    owner: User,
    client=None,
) -> Action:
    """Save the edit form: plain fields in place, the due date and owner through their own
    services so that history and reminders follow."""
    _require(action.manageable_by(by), "Only the owner or a partner can edit this action.")
    changed = [
        label
        for label, old, new in [
            ("title", action.title, title),
            ("detail", action.detail, detail),
            ("priority", action.priority, priority),
            ("client", action.client_id, client.pk if client else None),
        ]
        if old != new
    ]
    if changed:
        action.title, action.detail, action.priority, action.client = (
            title,
            detail,
            priority,
            client,
        )
        action.save(update_fields=["title", "detail", "priority", "client", "updated_at"])
        _record(
            action=action, by=by, from_status=action.status, note=f"Edited {', '.join(changed)}."
        )
    change_due_date(action=action, by=by, due_on=due_on)
    if owner.pk != action.owner_id:
        reassign(action=action, by=by, owner=owner)
    return action


# --- pilots ----------------------------------------------------------------------------------

Result = Action.PilotResult


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else f"{text}."


@transaction.atomic
def mark_pilot(
    *, action: Action, by: User, hypothesis: str, success_measure: str, review_on: dt.date
) -> Action:
    """Make an open action a pilot, or change the plan of a pilot that has no result yet."""
    _require(action.manageable_by(by), "Only the owner or a partner can make this a pilot.")
    _require_status(action, Action.OPEN_STATUSES, "Only an open action can become a pilot.")
    if action.pilot_result:
        raise ValidationError("This pilot has a result; its plan can no longer change.")
    errors = {}
    hypothesis, success_measure = hypothesis.strip(), success_measure.strip()
    if not hypothesis:
        errors["hypothesis"] = "Say what you expect the change to achieve."
    if not success_measure:
        errors["success_measure"] = "Say how you will know whether it worked."
    if review_on < timezone.localdate():
        errors["review_on"] = "Choose a review date from today on."
    if errors:
        raise ValidationError(errors)
    was_pilot = action.is_pilot
    action.is_pilot, action.hypothesis = True, hypothesis
    action.success_measure, action.review_on = success_measure, review_on
    action.save(
        update_fields=["is_pilot", "hypothesis", "success_measure", "review_on", "updated_at"]
    )
    lead = "Pilot plan changed" if was_pilot else "Marked as a pilot"
    _record(
        action=action,
        by=by,
        from_status=action.status,
        note=f"{lead}. Hypothesis: {_sentence(hypothesis)} Measure: {_sentence(success_measure)} "
        f"Review on {review_on:%b %d, %Y}.",
    )
    return action


@transaction.atomic
def record_pilot_result(*, action: Action, by: User, result: str, learning: str) -> Action:
    """Record whether a pilot worked and what was learned. A running pilot is thereby done (the
    learning is its evidence, for a partner to verify). Before the review date only "did not
    work" may be recorded: a pilot that has clearly failed can stop early, a success cannot be
    declared early."""
    _require(action.manageable_by(by), "Only the owner or a partner can record the result.")
    if not action.is_pilot:
        raise ValidationError("Only a pilot has a result.")
    if action.pilot_result:
        raise ValidationError("This pilot already has a result.")
    _require_status(
        action,
        (*Action.OPEN_STATUSES, Status.DONE, Status.VERIFIED),
        "This pilot was dropped; reopen it before recording a result.",
    )
    errors = {}
    learning = learning.strip()
    if result not in Result.values:
        errors["result"] = "Choose worked, did not work or inconclusive."
    elif result != Result.DID_NOT_WORK and timezone.localdate() < action.review_on:
        errors["result"] = (
            f"The review date is {action.review_on:%b %d, %Y}. Until then only “did not work” "
            "can be recorded; move the review date if you know sooner."
        )
    if not learning:
        errors["learning"] = "Say what was learned, whatever the result."
    if errors:
        raise ValidationError(errors)
    before = action.status
    label = Result(result).label
    action.pilot_result, action.pilot_learning = result, learning
    action.pilot_result_by, action.pilot_result_at = by, timezone.now()
    fields = ["pilot_result", "pilot_learning", "pilot_result_by", "pilot_result_at"]
    if action.is_open:
        action.status, action.done_at = Status.DONE, timezone.now()
        action.evidence = f"Pilot result: {label.lower()}. {learning}"
        fields += ["status", "done_at", "evidence"]
    action.save(update_fields=[*fields, "updated_at"])
    _record(action=action, by=by, from_status=before, note=f"Pilot {label.lower()}: {learning}")
    if before != action.status:
        _stop_reminders(action)
        queue_replan(action=action)
    return action


@transaction.atomic
def rollout_pilot(*, pilot: Action, by: User, due_on: dt.date | None = None) -> Action:
    """Turn a pilot that worked into a firm-wide action, once. The new action keeps the
    pilot's owner (or `by`, when the owner has left), priority, client, cause and every source
    (Action.ORIGIN_FIELDS), and says in its details what the pilot showed."""
    _require(pilot.manageable_by(by), "Only the owner or a partner can roll out this pilot.")
    # Lock the pilot so that two clicks cannot both roll it out.
    pilot = Action.objects.select_for_update().select_related("owner").get(pk=pilot.pk)
    if not (pilot.is_pilot and pilot.pilot_result == Result.WORKED):
        raise ValidationError("Only a pilot that worked can be rolled out.")
    if Action.objects.filter(rollout_of=pilot).exists():
        raise ValidationError("This pilot has already been rolled out.")
    detail = "\n".join(
        line
        for line in [
            f"Rolled out from the pilot “{pilot.title}”, which worked.",
            f"Hypothesis: {pilot.hypothesis}",
            f"Measure: {pilot.success_measure}",
            f"What we learned: {pilot.pilot_learning}",
            pilot.detail,
        ]
        if line
    )
    rollout = create_action(
        title=f"Roll out: {pilot.title}"[:200],
        detail=detail,
        owner=pilot.owner if pilot.owner.is_active else by,
        due_on=due_on or timezone.localdate() + ROLLOUT_DUE_IN,
        priority=pilot.priority,
        created_by=by,
        rollout_of=pilot,
        **pilot.origin(),
    )
    _record(
        action=rollout,
        by=by,
        from_status=rollout.status,
        note=f"Rolled out from the pilot “{pilot.title}”.",
    )
    _record(action=pilot, by=by, from_status=pilot.status, note=f"Rolled out as “{rollout}”.")
    return rollout


# --- reminder planning -----------------------------------------------------------------------


@dataclass(frozen=True)
class Nudge:
    kind: str
    sequence: int
    recipient_id: int
    at: dt.datetime

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.kind, self.sequence, self.recipient_id)


def _at_start_of_day(day: dt.date, policy: ReminderPolicy) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, policy.workday_starts))


def next_allowed_slot(
    when: dt.datetime, *, policy: ReminderPolicy, quiet_periods: list[QuietPeriod]
) -> dt.datetime:
    """The first moment at or after `when` that is a working day, inside working hours in the
    firm's time zone (settings.TIME_ZONE) and outside every quiet period."""
    local = timezone.localtime(when)
    for _ in range(1000):
        day = local.date()
        quiet = next((q for q in quiet_periods if q.starts_on <= day <= q.ends_on), None)
        if quiet is not None:
            local = _at_start_of_day(quiet.ends_on + dt.timedelta(days=1), policy)
        elif policy.weekends_off and day.weekday() >= 5:
            local = _at_start_of_day(day + dt.timedelta(days=7 - day.weekday()), policy)
        elif local.time() < policy.workday_starts:
            local = _at_start_of_day(day, policy)
        elif local.time() >= policy.workday_ends:
            local = _at_start_of_day(day + dt.timedelta(days=1), policy)
        else:
            return local
    raise ValueError("No allowed reminder slot within 1000 steps; check the quiet periods.")


def _mailable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def escalation_recipient(action: Action) -> User | None:
    """The relationship partner of the action's client, else the source review's facilitator;
    never the owner, never someone who cannot receive mail."""
    candidates = [
        action.client.relationship_partner if action.client else None,
        action.source_review.facilitator if action.source_review else None,
    ]
    for person in candidates:
        if _mailable(person) and person.pk != action.owner_id:
            return person
    return None


def _current_and_future(
    nudges: list[Nudge], now: dt.datetime, catch_up: dt.datetime
) -> list[Nudge]:
    """Of one stream of nudges, keep the future ones and the latest one already past (moved to
    `catch_up`, the next allowed slot): a nudge missed while nothing was planned goes out once,
    the older missed ones not at all."""
    past = [n for n in nudges if n.at <= now]
    future = [n for n in nudges if n.at > now]
    if past:
        latest = max(past, key=lambda n: (n.at, n.sequence))
        future.insert(0, Nudge(latest.kind, latest.sequence, latest.recipient_id, catch_up))
    return future


def _candidate_nudges(
    *, action: Action, policy: ReminderPolicy, quiet_periods: list[QuietPeriod], now: dt.datetime
) -> tuple[list[Nudge], list[Nudge]]:
    """(every nudge the plan knows about, the ones that should exist as unsent rows), each at
    its next allowed slot: `days_before_due` before the due date, on it, then every
    `overdue_every_days` (the next OVERDUE_HORIZON of them; each send extends the plan); the
    escalation partner is copied on overdue nudges after the first `escalate_after_overdue`;
    the verifier is asked on the re-check date. Closed actions only keep their re-check."""

    def slot(when: dt.datetime) -> dt.datetime:
        return next_allowed_slot(when, policy=policy, quiet_periods=quiet_periods)

    known: list[Nudge] = []
    wanted: list[Nudge] = []
    if action.status == Status.VERIFIED and action.recheck_on and _mailable(action.verified_by):
        recheck = Nudge(
            Kind.RECHECK,
            1,
            action.verified_by_id,
            slot(_at_start_of_day(action.recheck_on, policy)),
        )
        known.append(recheck)
        if recheck.at > now:
            wanted.append(recheck)
    if not action.is_open or not _mailable(action.owner):
        return known, wanted

    snooze_ends = _at_start_of_day(action.snoozed_until, policy) if action.snoozed_until else None

    def when(day: dt.date) -> dt.datetime:
        start = _at_start_of_day(day, policy)
        return slot(max(start, snooze_ends) if snooze_ends else start)

    owner_id = action.owner_id
    stream = []
    if policy.days_before_due:
        upcoming_on = action.due_on - dt.timedelta(days=policy.days_before_due)
        stream.append(Nudge(Kind.UPCOMING, 1, owner_id, when(upcoming_on)))
    stream.append(Nudge(Kind.DUE, 1, owner_id, when(action.due_on)))
    escalations = []
    partner = escalation_recipient(action)
    if policy.overdue_every_days:
        ahead = 0
        for n in range(1, 600):
            at = when(action.due_on + dt.timedelta(days=n * policy.overdue_every_days))
            stream.append(Nudge(Kind.OVERDUE, n, owner_id, at))
            if partner is not None and n > policy.escalate_after_overdue:
                escalations.append(Nudge(Kind.ESCALATION, n, partner.pk, at))
            ahead += at > now
            if ahead >= OVERDUE_HORIZON:
                break
    known += stream + escalations
    catch_up = slot(max(now, snooze_ends) if snooze_ends else now)
    wanted += _current_and_future(stream, now, catch_up)
    wanted += _current_and_future(escalations, now, catch_up)
    return known, wanted


def _policy_and_quiet_periods(
    action: Action, now: dt.datetime
) -> tuple[ReminderPolicy, list[QuietPeriod]]:
    policy = ReminderPolicy.current()
    # Quiet periods that ended before the earliest possible nudge cannot matter.
    earliest = min(action.due_on - dt.timedelta(days=policy.days_before_due), now.date())
    return policy, list(QuietPeriod.objects.filter(ends_on__gte=earliest))


@dataclass
class ReplanResult:
    created: int = 0
    moved: int = 0
    deleted: int = 0


@transaction.atomic
def replan_reminders(*, action: Action, now: dt.datetime | None = None) -> ReplanResult:
    """Bring the action's unsent Reminder rows in line with its plan. Sent rows are never
    touched, and the unique constraint means a nudge that already exists is not created again."""
    now = now or timezone.now()
    action = (
        Action.objects.select_related(
            "owner", "verified_by", "client__relationship_partner", "source_review__facilitator"
        )
        .select_for_update(of=("self",) if connection.features.has_select_for_update_of else ())
        .get(pk=action.pk)
    )
    policy, quiet = _policy_and_quiet_periods(action, now)
    known, wanted = _candidate_nudges(action=action, policy=policy, quiet_periods=quiet, now=now)
    known_keys = {n.key for n in known}
    wanted_at = {n.key: n.at for n in wanted}
    result = ReplanResult()
    rows = list(action.reminders.all())
    sent_keys = {(r.kind, r.sequence, r.recipient_id) for r in rows if r.sent_at}
    unsent = {(r.kind, r.sequence, r.recipient_id): r for r in rows if not r.sent_at}
    stale = [r.pk for key, r in unsent.items() if key not in known_keys]
    if stale:
        result.deleted = Reminder.objects.filter(pk__in=stale).delete()[0]
    for key, row in unsent.items():
        at = wanted_at.get(key)
        if at is not None and at > now and row.scheduled_for != at and row.claim_token is None:
            row.scheduled_for = at
            row.save(update_fields=["scheduled_for"])
            result.moved += 1
    new = [
        Reminder(action=action, kind=kind, sequence=seq, recipient_id=who, scheduled_for=at)
        for (kind, seq, who), at in wanted_at.items()
        if (kind, seq, who) not in unsent and (kind, seq, who) not in sent_keys
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    result.created = len(new)
    return result


def replan_open_actions() -> int:
    """Replan every action that may still get a nudge (open, or verified with a re-check);
    returns how many."""
    count = 0
    for action in Action.objects.filter(
        status__in=[*Action.OPEN_STATUSES, Action.Status.VERIFIED]
    ).iterator(chunk_size=500):
        replan_reminders(action=action)
        count += 1
    return count


def reminder_calendar_changed() -> None:
    """The reminder policy or the firm's quiet periods changed: every pending plan may move,
    once the change is committed."""
    tasks.replan_open_actions.delay_on_commit()


# --- sending ---------------------------------------------------------------------------------

# In a digest each action appears once, under its most pressing nudge.
_URGENCY = {Kind.ESCALATION: 5, Kind.OVERDUE: 4, Kind.DUE: 3, Kind.UPCOMING: 2, Kind.RECHECK: 1}


@dataclass
class SweepResult:
    emails: int = 0
    reminders: int = 0
    failed: int = 0
    dropped: int = 0
    notifications: int = 0


def _claimable(now: dt.datetime) -> Q:
    return Q(sent_at__isnull=True, scheduled_for__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def claim_due_reminders(*, now: dt.datetime, limit: int = SWEEP_BATCH) -> uuid.UUID | None:
    """Claim up to `limit` due reminders, whole recipients at a time, and return the claim token
    (None when nothing was due). Rows another sweeper holds are skipped, not waited for; the
    conditional UPDATE makes the claim exclusive even where row locks do not exist (SQLite)."""
    features = connection.features
    with transaction.atomic():
        due = Reminder.objects.filter(_claimable(now)).order_by("recipient_id", "id")
        if features.has_select_for_update_skip_locked:
            of = ("self",) if features.has_select_for_update_of else ()
            due = due.select_for_update(skip_locked=True, of=of)
        picked = list(due.values_list("pk", "recipient_id")[:limit])
        if not picked:
            return None
        if len(picked) == limit:
            # The last recipient may have more due rows: leave them all for the next batch so
            # that each person still gets one digest; unless they alone fill the batch.
            last = picked[-1][1]
            whole = [row for row in picked if row[1] != last]
            picked = whole or list(due.filter(recipient_id=last).values_list("pk", "recipient_id"))
        token = uuid.uuid4()
        claimed = Reminder.objects.filter(pk__in=[pk for pk, _ in picked]).filter(_claimable(now))
        # Stamped on the sweep's clock, which its takeover check reads: a sweep run as at a
        # later moment (the benchmark at night) must not see its own claims as expired.
        if not claimed.update(claimed_at=now, claim_token=token):
            return None
    return token


def _message_id(reminder_ids: list[int]) -> str:
    digest = hashlib.sha256(",".join(map(str, sorted(reminder_ids))).encode()).hexdigest()
    domain = urlsplit(settings.SITE_URL).hostname or "learnorg.local"
    return f"<reminders.{digest[:40]}@{domain}>"


def build_digest(
    *, recipient: User, reminders: list[Reminder], notes: list[Notification] = ()
) -> Email:
    """One e-mail listing every action this person is being nudged about, and the notifications
    due to be e-mailed to them now."""
    by_action: dict[int, Reminder] = {}
    for reminder in reminders:
        current = by_action.get(reminder.action_id)
        if current is None or _URGENCY[reminder.kind] > _URGENCY[current.kind]:
            by_action[reminder.action_id] = reminder
    items = sorted(
        by_action.values(), key=lambda r: (-_URGENCY[r.kind], r.action.due_on, r.action_id)
    )
    today = timezone.localdate()
    context = {
        "recipient": recipient,
        "items": [
            {
                "reminder": r,
                "action": r.action,
                "kind": r.kind,
                "days_overdue": (today - r.action.due_on).days,
                "url": settings.SITE_URL + r.action.get_absolute_url(),
            }
            for r in items
        ],
        "site_url": settings.SITE_URL,
        "mine_url": settings.SITE_URL + "/actions/mine/",
        "notifications": notifications.as_email_items(list(notes)),
    }
    subject = render_subject("emails/reminder_subject.txt", context)
    ids = [r.pk for r in reminders]
    message = Email(
        subject=subject,
        body=render_to_string("emails/reminder_body.txt", context),
        to=[recipient.email],
        headers={
            "Message-ID": _message_id(ids),
            "X-Learnorg-Reminders": ",".join(map(str, sorted(ids))),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("emails/reminder_body.html", context), "text/html")
    return message


def _retry_later(rows: list[Reminder], now: dt.datetime) -> None:
    attempts = max(r.attempts for r in rows) + 1
    delay = min(dt.timedelta(minutes=2**attempts), MAX_RETRY_DELAY)
    Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(
        attempts=F("attempts") + 1, claimed_at=None, claim_token=None, scheduled_for=now + delay
    )


def deliver_claimed(*, token: uuid.UUID, now: dt.datetime | None = None) -> SweepResult:
    """Send one digest per recipient for the rows claimed under `token`, marking each digest's
    rows sent right after it goes: a worker killed here re-sends at most the one digest it was
    sending (its claim expires after CLAIM_TIMEOUT)."""
    now = now or timezone.now()
    result = SweepResult()
    rows = Reminder.objects.filter(claim_token=token, sent_at__isnull=True).select_related(
        "recipient", "action", "action__owner"
    )
    per_person: dict[int, list[Reminder]] = defaultdict(list)
    pointless: list[int] = []
    for row in rows:
        closed = not row.action.is_open and row.kind != Kind.RECHECK
        if closed or not _mailable(row.recipient):
            pointless.append(row.pk)
        else:
            per_person[row.recipient_id].append(row)
    if pointless:
        result.dropped = Reminder.objects.filter(pk__in=pointless, claim_token=token).delete()[0]
        logger.info("Dropped %d reminders for closed actions or unmailable people", result.dropped)
    extend: set[int] = set()
    for reminders in per_person.values():
        recipient = reminders[0].recipient
        notes = notifications.claim_for(recipient=recipient, token=token, now=now)
        message = build_digest(recipient=recipient, reminders=reminders, notes=notes)
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            notifications.retry_later(notes, now=now)
            logger.warning(
                "Reminder digest to %s failed (attempt %d): %s",
                recipient.email,
                max(r.attempts for r in reminders) + 1,
                error,
            )
            _retry_later(reminders, timezone.now())
            result.failed += len(reminders)
            continue
        Reminder.objects.filter(pk__in=[r.pk for r in reminders], claim_token=token).update(
            sent_at=timezone.now()
        )
        notifications.sent(notes, token=token)
        result.emails += 1
        result.reminders += len(reminders)
        extend.update(r.action_id for r in reminders if r.kind in (Kind.OVERDUE, Kind.ESCALATION))
    for action_id in sorted(extend):
        # The plan holds only the next few overdue nudges; add the following ones.
        tasks.replan_reminders.delay_on_commit(action_id)
    return result


def _sending_policy(now: dt.datetime) -> tuple[ReminderPolicy, list[QuietPeriod]]:
    policy = ReminderPolicy.current()
    return policy, list(QuietPeriod.objects.filter(ends_on__gte=timezone.localdate(now)))


def next_sending_time(now: dt.datetime) -> dt.datetime:
    """The first moment at or after `now` when the policy lets reminders go out."""
    policy, quiet = _sending_policy(now)
    return next_allowed_slot(now, policy=policy, quiet_periods=quiet)


def hold_until_allowed(*, now: dt.datetime) -> int:
    """Move due reminders that may not go out now to the next moment they may, and return how
    many moved. A plan is made ahead, so the policy is checked again at send time: nudges missed
    while the worker was down must not all go out when it comes back at 03:00 on a Saturday, in
    a quiet period added since, or while the owner has snoozed the action. Rows a sweeper has
    claimed are left to it, and no claim is touched, so each nudge still goes out once."""
    policy, quiet = _sending_policy(now)
    due = Reminder.objects.filter(_claimable(now))
    allowed = next_allowed_slot(now, policy=policy, quiet_periods=quiet)
    if allowed > now:
        return due.update(scheduled_for=allowed)
    snoozed = due.exclude(kind=Kind.RECHECK).filter(
        action__snoozed_until__gt=timezone.localdate(now)
    )
    held = 0
    for day in snoozed.order_by().values_list("action__snoozed_until", flat=True).distinct():
        at = next_allowed_slot(_at_start_of_day(day, policy), policy=policy, quiet_periods=quiet)
        held += snoozed.filter(action__snoozed_until=day).update(scheduled_for=at)
    return held


def send_due_reminders(*, now: dt.datetime | None = None, batch: int = SWEEP_BATCH) -> SweepResult:
    """The sweep the beat task runs every minute: hold what the policy does not allow now, then
    claim due reminders batch by batch and send each person one digest (with the notifications
    due to be e-mailed to them), then e-mail the other due notifications. Safe to run in several
    workers at once."""
    now = now or timezone.now()
    total = SweepResult()
    if held := hold_until_allowed(now=now):
        logger.info("Reminder sweep: %d reminders wait for the next allowed time", held)
    while (token := claim_due_reminders(now=now, limit=batch)) is not None:
        result = deliver_claimed(token=token, now=now)
        total.emails += result.emails
        total.reminders += result.reminders
        total.failed += result.failed
        total.dropped += result.dropped
    # Notifications to be e-mailed now went with their recipient's digest above, if they had
    # one; the rest go in an e-mail of their own, under the same rules.
    allowed = next_sending_time(now)
    if allowed > now:
        notifications.hold_until(allowed=allowed, now=now)
    else:
        total.notifications = notifications.send_due(now=now)
    if total.emails or total.failed:
        logger.info(
            "Reminder sweep: %d e-mails, %d reminders sent, %d failed, %d dropped",
            total.emails,
            total.reminders,
            total.failed,
            total.dropped,
        )
    return total
