"""Demo improvement actions for `manage.py seed_demo`. Idempotent: actions are
found by title, so a second run updates them instead of adding more."""

import datetime as dt

from django.utils import timezone

from accounts.models import User

from . import services
from .models import Action, ActionEvent, QuietPeriod

Status = Action.Status

# (title, owner, client name or "", days from today to the due date, status, extra fields)
ACTIONS = [
    (
        "Call back every client notice within one business day",
        "alice",
        "Harbor Dental Group",
        -10,
        Status.OPEN,
        {"priority": Action.Priority.HIGH},
    ),
    (
        "Name a backup partner for each key client during busy season",
        "alice",
        "Harbor Dental Group",
        -2,
        Status.DONE,
        {"evidence": "Backup partner named for all 24 key clients; roster shared with the team."},
    ),
    (
        "Send engagement-letter template v4 to all payroll clients",
        "alice",
        "",
        -30,
        Status.VERIFIED,
        {
            "evidence": "Template v4 (scope table, turnaround times) sent to 41 payroll clients.",
            "evidence_link": "https://intranet.example.com/templates/engagement-letter-v4",
            "recheck_days": 120,
        },
    ),
    (
        "Publish the escalation roster on the intranet",
        "bob",
        "",
        5,
        Status.IN_PROGRESS,
        {"priority": Action.Priority.HIGH},
    ),
    (
        "Warn clients before billing for extra work",
        "bob",
        "",
        -20,
        Status.OPEN,
        {"detail": "Add a step to the billing checklist: call before any out-of-scope invoice."},
    ),
    (
        "Quarterly check-in call with the top 20 clients",
        "bob",
        "",
        -45,
        Status.VERIFIED,
        {"evidence": "Calls booked for Q1; notes template in the CRM."},
    ),
    (
        "Pilot: backup partner for the five largest tax clients",
        "alice",
        "",
        -20,
        Status.VERIFIED,
        {
            "is_pilot": True,
            "hypothesis": "A named backup partner for every key client cuts escalation "
            "response to one business day.",
            "success_measure": "9 of 10 escalations from the five clients answered within one "
            "business day.",
            "review_days": -21,
            "pilot_result": Action.PilotResult.WORKED,
            "pilot_learning": "10 of 11 escalations answered the same or next day (was 3.5 days "
            "on average). Backups need the client file shared in advance.",
            "rollout": True,
        },
    ),
    (
        "Pilot: same-day call-back on client notices in Boston",
        "bob",
        "",
        25,
        Status.IN_PROGRESS,
        {
            "is_pilot": True,
            "hypothesis": "Calling back the same day a client forwards a tax notice stops "
            "notices turning into complaints.",
            "success_measure": "No complaint about a notice from a Boston client during the pilot.",
            "review_days": 21,
        },
    ),
    ("Write a portal quick-start guide for clients", "sam", "", 2, Status.OPEN, {}),
    (
        "Shadow the payroll team's onboarding call",
        "sam",
        "",
        -5,
        Status.WONT_DO,
        {"wont_do_reason": "Payroll onboarding moved to recorded videos; watched those instead."},
    ),
    (
        "Run a learning-check follow-up session with the tax team",
        "fran",
        "",
        14,
        Status.OPEN,
        {},
    ),
    (
        "Add 'discussed before' lessons to the review template",
        "fran",
        "",
        -1,
        Status.DONE,
        {"evidence": "Review template now lists related published lessons."},
    ),
]


def _coming(month: int, day: int, today: dt.date) -> dt.date:
    this_year = dt.date(today.year, month, day)
    return this_year if this_year >= today else dt.date(today.year + 1, month, day)


def seed(*, users: dict[str, User]) -> None:
    """Actions in every state across alice, bob, sam and fran, some overdue, one verified with
    a re-check date; the coming busy season as a quiet period; reminders planned for all."""
    today = timezone.localdate()
    now = timezone.now()
    busy_start = _coming(2, 15, today)
    QuietPeriod.objects.update_or_create(
        name=f"Busy season {busy_start.year}",
        defaults={"starts_on": busy_start, "ends_on": dt.date(busy_start.year, 4, 15)},
    )
    holidays = _coming(12, 24, today)
    QuietPeriod.objects.update_or_create(
        name=f"Year-end holidays {holidays.year}",
        defaults={"starts_on": holidays, "ends_on": dt.date(holidays.year + 1, 1, 1)},
    )
    client_model = Action._meta.get_field("client").related_model
    partner = users["pat"]
    for title, owner, client_name, due_in, status, extra in ACTIONS:
        extra = dict(extra)
        recheck_days = extra.pop("recheck_days", None)
        review_days = extra.pop("review_days", None)
        rollout = extra.pop("rollout", False)
        if review_days is not None:
            extra["review_on"] = today + dt.timedelta(days=review_days)
        if extra.get("pilot_result"):
            extra["pilot_result_by"] = users[owner]
            label = Action.PilotResult(extra["pilot_result"]).label.lower()
            extra["evidence"] = f"Pilot result: {label}. {extra['pilot_learning']}"
        fields = {
            "owner": users[owner],
            "created_by": partner,
            "client": client_model.objects.filter(name=client_name).first()
            if client_name
            else None,
            "due_on": today + dt.timedelta(days=due_in),
            "status": status,
            "evidence": "",
            "evidence_link": "",
            "wont_do_reason": "",
            "done_at": None,
            "verified_by": None,
            "verified_at": None,
            "recheck_on": None,
            **extra,
        }
        if status in (Status.DONE, Status.VERIFIED):
            fields["done_at"] = now - dt.timedelta(days=max(1, -due_in))
        if extra.get("pilot_result"):
            fields["pilot_result_at"] = fields["done_at"]
        if status == Status.VERIFIED:
            fields["verified_by"], fields["verified_at"] = partner, fields["done_at"]
            if recheck_days:
                fields["recheck_on"] = today + dt.timedelta(days=recheck_days)
        action, created = Action.objects.update_or_create(title=title, defaults=fields)
        if fields["done_at"]:
            # created_at is set on insert; a closed demo action was opened weeks before it closed.
            opened = fields["done_at"] - dt.timedelta(days=21)
            Action.objects.filter(pk=action.pk).update(created_at=opened)
        if created:
            _history(action, users)
        services.replan_reminders(action=action)
        if rollout and not Action.objects.filter(rollout_of=action).exists():
            services.replan_reminders(action=services.rollout_pilot(pilot=action, by=partner))


def _history(action: Action, users: dict[str, User]) -> None:
    """A believable history for a new demo action."""
    events = [(users["pat"], "", Status.OPEN, "Created")]
    if action.is_pilot:
        note = (
            f"Marked as a pilot. Hypothesis: {action.hypothesis} Measure: "
            f"{action.success_measure.rstrip('.')}. Review on {action.review_on:%b %d, %Y}."
        )
        events.append((action.owner, Status.OPEN, Status.OPEN, note))
    if action.status != Status.OPEN:
        events.append((action.owner, Status.OPEN, Status.IN_PROGRESS, "Started"))
    if action.status in (Status.DONE, Status.VERIFIED):
        note = action.evidence
        if action.pilot_result:
            note = f"Pilot {action.get_pilot_result_display().lower()}: {action.pilot_learning}"
        events.append((action.owner, Status.IN_PROGRESS, Status.DONE, note))
    if action.status == Status.VERIFIED:
        note = "Verified"
        if action.recheck_on:
            note += f" Re-check on {action.recheck_on:%b %d, %Y}."
        events.append((action.verified_by, Status.DONE, Status.VERIFIED, note))
    if action.status == Status.WONT_DO:
        events.append((action.owner, Status.IN_PROGRESS, Status.WONT_DO, action.wont_do_reason))
    ActionEvent.objects.bulk_create(
        ActionEvent(action=action, actor=actor, from_status=old, to_status=new, note=note)
        for actor, old, new, note in events
    )
