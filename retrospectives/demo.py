"""Demo reviews for `manage.py seed_demo`: one closed review of a recent loss,
with notes, votes, a five-whys chain, lessons and actions, and one planned review ready to run;
a monthly payroll process audit on the 31st (held, one missed and overdue, the next planned) and
a paused quarterly tax audit.
Idempotent: reviews are found by title (audits by schedule and date), notes rebuilt every run."""

import calendar
import datetime as dt

from django.utils import timezone

from accounts.models import User
from actions.models import Action
from actions.services import create_action
from feedback.models import Client, ExitInterview, LossReason, ServiceLine

from .models import (
    AUDIT_GRACE,
    AuditSchedule,
    BreakoutGroup,
    Contribution,
    Lesson,
    Participant,
    Phase,
    ProcessStep,
    Review,
    Vote,
    WhyStep,
    add_months,
)

CLOSED_TITLE = "Why we lost Harbor Dental Group"
PLANNED_TITLE = "Kessler Manufacturing: what did we promise?"

# (phase, author, anonymous, text, cause fragment or "", votes from)
NOTES = [
    (Phase.WORKING, "sam", True, "Year-end tax work was thorough; the client said so too.", "", []),
    (Phase.WORKING, "alice", False, "Junior staff built a good rapport with the practice.", "", []),
    (
        Phase.INTENDED,
        "alice",
        False,
        "Engagement letter: notices answered within two business days, partner on call.",
        "",
        [],
    ),
    (Phase.ACTUAL, "riley", True, "Mar 3: state audit letter arrives at the client.", "", []),
    (
        Phase.ACTUAL,
        "jordan",
        True,
        "Mar 4–17: four calls logged to the main line; messages went to a shared inbox.",
        "",
        [],
    ),
    (Phase.ACTUAL, "sam", True, "Mar 18: deadline passes; the client pays the penalty.", "", []),
    (
        Phase.WHY,
        "riley",
        True,
        "No named backup when the relationship partner is out in busy season.",
        "not reachable",
        ["alice", "sam", "riley", "jordan"],
    ),
    (
        Phase.WHY,
        "jordan",
        True,
        "The shared inbox has no owner, so notices wait for whoever looks.",
        "Slow responses",
        ["alice", "jordan"],
    ),
    (
        Phase.WHY,
        "bob",
        True,
        "We assumed they left over fees, but they never mentioned price.",
        "Fees",
        ["sam"],
    ),
    (
        Phase.SUSTAIN_IMPROVE,
        "alice",
        False,
        "Keep: the year-end checklist. Change: a named backup for every key client.",
        "",
        [],
    ),
    (
        Phase.ACTIONS,
        "sam",
        True,
        "Route client notices to a monitored queue with a one-day callback.",
        "",
        [],
    ),
]
# The "why" phase ran in two breakout groups of three, juniors paired, then merged back to vote.
BREAKOUT = [("alice", "sam", "jordan"), ("quinn", "bob", "riley")]
# The client's journey as the review mapped it: (month, day, lane, text, pain point note or None).
JOURNEY = [
    (3, 3, ProcessStep.Lane.CLIENT, "State audit letter arrives at the practice", None),
    (
        3,
        4,
        ProcessStep.Lane.CLIENT,
        "Calls the main line; the message goes to a shared inbox",
        None,
    ),
    (
        3,
        5,
        ProcessStep.Lane.STAFF,
        "Message sits unassigned in the shared inbox",
        "Nobody owned it",
    ),
    (3, 10, ProcessStep.Lane.ACCOUNT_MANAGER, "Emails the relationship partner, on leave", None),
    (3, 17, ProcessStep.Lane.STAFF, "Notice found; a reply is drafted", None),
    (
        3,
        18,
        ProcessStep.Lane.CLIENT,
        "Deadline passes; the client pays the penalty",
        "A fine we could have avoided",
    ),
    (4, 2, ProcessStep.Lane.PARTNER, "Calls to apologise; the client gives notice", None),
]
WHYS = [
    "The relationship partner was on leave during the audit window.",
    "Nobody else was named as the client's senior contact.",
    "Backup contacts are not part of the engagement set-up checklist.",
    "The checklist was written before we had clients this size.",
    "Nobody owns reviewing the checklist each year.",
]
LESSONS = [
    (
        "Harbor needed a senior voice during the audit and got voicemail.",
        "Every key client needs a named backup senior contact during busy season.",
        "not reachable",
        Lesson.Status.PUBLISHED,
    ),
    (
        "Dr. Ortiz's notice sat in the shared inbox for two weeks.",
        "A client notice needs an owner within one business day, even when the inbox is shared.",
        "Slow responses",
        Lesson.Status.PUBLISHED,
    ),
    (
        "We told ourselves it was about fees; the client never said so.",
        "",
        "Fees",
        Lesson.Status.DRAFT,
    ),
]
# (title, owner, days until due, status, fields set directly for the demo)
ACTIONS = [
    (
        "Add a named backup contact to the engagement set-up checklist",
        "alice",
        -6,
        Action.Status.OPEN,
        {},
    ),
    (
        "Route client notices from the shared inbox to a monitored queue",
        "bob",
        -15,
        Action.Status.IN_PROGRESS,
        {},
    ),
    (
        "Call back every escalated notice within one business day",
        "sam",
        -12,
        Action.Status.VERIFIED,
        {"evidence": "Callback rule in the notice procedure; 14 of 14 notices met it since."},
    ),
    (
        "Review the set-up checklist every year before busy season",
        "fran",
        40,
        Action.Status.OPEN,
        {},
    ),
]


def _reason(fragment: str) -> LossReason | None:
    return LossReason.objects.filter(name__icontains=fragment).first() if fragment else None


def _lost_client(name: str) -> Client | None:
    return (
        Client.objects.filter(name=name).first()
        or Client.objects.filter(status=Client.Status.LOST).order_by("-lost_on").first()
    )


def seed(*, users: dict[str, User]) -> None:
    _seed_closed_review(users)
    _seed_planned_review(users)
    _seed_audits(users)


def _seed_closed_review(users: dict[str, User]) -> Review:
    now = timezone.now()
    today = timezone.localdate()
    client = _lost_client("Harbor Dental Group")
    held = now - dt.timedelta(days=10)
    review, _ = Review.objects.update_or_create(
        title=CLOSED_TITLE,
        defaults={
            "kind": Review.Kind.CLIENT_LOSS,
            "facilitator": users["fran"],
            "created_by": users["fran"],
            "scheduled_for": held,
            "started_at": held,
            "closed_at": held + dt.timedelta(minutes=75),
            "status": Review.Status.CLOSED,
            "phase": Phase.CLOSE,
            "timer_ends_at": None,
            "timer_remaining": None,
            "anonymous_by_default": True,
            "summary": (
                "The client could not reach a senior person during an audit escalation. "
                "We agreed a named backup contact for key clients and an owner for notices."
            ),
        },
    )
    if client is not None:
        review.clients.set([client])
        review.exit_interviews.set(ExitInterview.objects.filter(client=client))
    ratings = {"alice": 4, "bob": 3, "sam": 5, "riley": 4, "jordan": 4, "quinn": 4}
    for username, rating in ratings.items():
        Participant.objects.update_or_create(
            review=review,
            user=users[username],
            defaults={"speak_freely": rating, "joined_at": held},
        )
    review.contributions.all().delete()
    groups = _seed_breakout(review, users, ended_at=held + dt.timedelta(minutes=40))
    _seed_journey(review)
    notes = []
    for phase, author, anonymous, text, cause, voters in NOTES:
        note = Contribution.objects.create(
            review=review,
            phase=phase,
            author=users[author],
            anonymous=anonymous,
            text=text,
            cause=_reason(cause),
            group=groups.get(author) if phase == Phase.WHY else None,
        )
        notes.append(note)
        for username in voters:
            slot = Vote.objects.filter(review=review, user=users[username], phase=phase).count()
            Vote.objects.create(
                review=review, contribution=note, user=users[username], phase=phase, slot=slot + 1
            )
    top = next(note for note in notes if note.phase == Phase.WHY)
    for depth, text in enumerate(WHYS, start=1):
        WhyStep.objects.create(cause=top, depth=depth, text=text)
    for internal, public, cause, status in LESSONS:
        reason = _reason(cause)
        lesson, _ = Lesson.objects.update_or_create(
            review=review,
            statement_internal=internal,
            defaults={
                "statement_public": public,
                "cause": reason,
                "category": reason.category if reason else "",
                "status": status,
                "created_by": users["fran"],
                "published_at": held if status == Lesson.Status.PUBLISHED else None,
            },
        )
        if client is not None:
            lesson.service_lines.set(client.service_lines.all())
    for title, owner, due_in, status, fields in ACTIONS:
        action = Action.objects.filter(title=title, source_review=review).first()
        if action is None:
            action = create_action(
                title=title,
                owner=users[owner],
                due_on=today + dt.timedelta(days=due_in),
                created_by=users["fran"],
                source_review=review,
                client=client,
                cause=top.cause,
            )
        done = status in (Action.Status.DONE, Action.Status.VERIFIED)
        Action.objects.filter(pk=action.pk).update(
            source_contribution=top,
            due_on=today + dt.timedelta(days=due_in),
            status=status,
            evidence=fields.get("evidence", ""),
            done_at=now - dt.timedelta(days=5) if done else None,
            verified_by=users["pat"] if status == Action.Status.VERIFIED else None,
            verified_at=now - dt.timedelta(days=3) if status == Action.Status.VERIFIED else None,
            # Created at the review, before it was done and verified.
            created_at=now - dt.timedelta(days=12) if done else action.created_at,
        )
    return review


def _seed_breakout(review: Review, users: dict[str, User], *, ended_at) -> dict:
    """The closed review's breakout groups; returns each member's group by username."""
    review.breakout_groups.all().delete()
    by_user = {}
    for number, usernames in enumerate(BREAKOUT, start=1):
        group = BreakoutGroup.objects.create(
            review=review, phase=Phase.WHY, number=number, ended_at=ended_at
        )
        group.members.set(review.participants.filter(user__username__in=usernames))
        by_user.update(dict.fromkeys(usernames, group))
    return by_user


def _seed_journey(review: Review) -> None:
    """The process map, in the most recent spring that has fully passed."""
    today = timezone.localdate()
    year = today.year if today > dt.date(today.year, 4, 30) else today.year - 1
    review.process_steps.all().delete()
    for position, (month, day, lane, text, pain) in enumerate(JOURNEY, start=1):
        ProcessStep.objects.create(
            review=review,
            position=position,
            lane=lane,
            text=text,
            happened_on=dt.date(year, month, day),
            pain_point=pain is not None,
            pain_note=pain or "",
        )


def _seed_planned_review(users: dict[str, User]) -> Review:
    client = _lost_client("Kessler Manufacturing")
    start = timezone.localtime() + dt.timedelta(days=2)
    review, _ = Review.objects.update_or_create(
        title=PLANNED_TITLE,
        defaults={
            "kind": Review.Kind.CLIENT_LOSS,
            "facilitator": users["fran"],
            "created_by": users["fran"],
            "scheduled_for": start.replace(hour=10, minute=0, second=0, microsecond=0),
            "status": Review.Status.PLANNED,
            "phase": Phase.GROUND_RULES,
            "timer_ends_at": None,
            "timer_remaining": None,
            "started_at": None,
            "closed_at": None,
            "anonymous_by_default": True,
            "summary": "",
        },
    )
    review.contributions.all().delete()
    if client is not None:
        review.clients.set([client])
        review.exit_interviews.set(ExitInterview.objects.filter(client=client))
    for username in ("alice", "bob", "sam"):
        # Invited to the planned review; they join on the day.
        Participant.objects.update_or_create(
            review=review, user=users[username], defaults={"speak_freely": None, "joined_at": None}
        )
    return review


def _seed_audits(users: dict[str, User]) -> list[Review]:
    """A monthly payroll audit anchored on the 31st since three months ago: dates up to two
    weeks ago were held, except the latest of them, which was missed (overdue on the
    dashboard); the next date is planned. Plus a paused quarterly tax audit."""
    today = timezone.localdate()
    payroll, _ = ServiceLine.objects.get_or_create(name="Payroll")
    tax, _ = ServiceLine.objects.get_or_create(name="Tax")
    # The 31st of a month about three months ago, to show the month ends (30 Sep, 28 Feb…).
    start = add_months(today.replace(day=1), -3)
    if calendar.monthrange(start.year, start.month)[1] < 31:
        start = add_months(start, -1)
    starts_on = start.replace(day=31)
    schedule, _ = AuditSchedule.objects.update_or_create(
        service_line=payroll,
        frequency=AuditSchedule.Frequency.MONTHLY,
        defaults={
            "facilitator": users["fran"],
            "starts_on": starts_on,
            "time_of_day": dt.time(9, 0),
            "status": AuditSchedule.Status.ACTIVE,
            "created_by": users["pat"],
        },
    )
    AuditSchedule.objects.update_or_create(
        service_line=tax,
        frequency=AuditSchedule.Frequency.QUARTERLY,
        defaults={
            "facilitator": users["fran"],
            "starts_on": add_months(today, 1).replace(day=15),
            "time_of_day": dt.time(14, 0),
            "status": AuditSchedule.Status.PAUSED,
            "created_by": users["pat"],
        },
    )
    days = [schedule.date_of(0)]
    while days[-1] <= today:  # up to the first date after today, as the beat task would
        days.append(schedule.date_of(len(days)))
    missed = max((day for day in days if day < today - AUDIT_GRACE), default=None)
    reviews = []
    for day in days:
        when = schedule.start_of(day)
        held = day < today and day != missed
        review, _ = Review.objects.update_or_create(
            schedule=schedule,
            occurrence_on=day,
            defaults={
                "title": f"{payroll} process audit, {day:%B %Y}",
                "kind": Review.Kind.PROCESS_AUDIT,
                "facilitator": users["fran"],
                "created_by": users["pat"],
                "scheduled_for": when,
                "status": Review.Status.CLOSED if held else Review.Status.PLANNED,
                "phase": Phase.CLOSE if held else Phase.GROUND_RULES,
                "started_at": when if held else None,
                "closed_at": when + dt.timedelta(hours=1) if held else None,
            },
        )
        reviews.append(review)
    return reviews
