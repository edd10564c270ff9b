"""Workflows of a live after-action review. Live screens follow the rows these write on their
own (retrospectives.freshness); only a bulk update, which the models cannot see, calls `touch`."""

import datetime as dt
import math
import random
from collections import Counter
from email.mime.text import MIMEText

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import audit, events
from accounts.forms import is_one_line
from accounts.mail import Email, render_subject
from accounts.models import User
from actions.models import Action
from actions.services import create_action
from feedback import blame
from feedback.blame import names as blame_names
from feedback.models import ExitInterview, LossReason

from . import tasks
from .freshness import touch
from .models import (
    VOTES_PER_PHASE,
    AuditSchedule,
    BreakoutGroup,
    Contribution,
    Lesson,
    LessonsDigest,
    Participant,
    Phase,
    ProcessStep,
    Review,
    Vote,
    WhyProposal,
    WhyStep,
)

# A five-whys chain stops at the fifth why.
MAX_WHYS = 5


class VoteRefused(Exception):
    """A dot vote the rules do not allow; the message says why, in plain words."""


def clean_note_text(text: str) -> str:
    """The text of a note as stored, or a ValidationError a participant can act on."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": "Write something before posting."})
    if len(text) > Contribution.MAX_LENGTH:
        raise ValidationError(
            {
                "text": f"Keep a note under {Contribution.MAX_LENGTH} characters "
                f"(this one has {len(text)}). Split it into two notes."
            }
        )
    return text


def blame_flags(text: str) -> list[dict]:
    """What a note keeps of its blame check: each flag's kind, words and where they are."""
    return [flag.as_dict() for flag in blame.detect(text)]


# The session ---------------------------------------------------------------------------------


def _require_runner(review: Review, by: User) -> None:
    """The views only fetch reviews the person runs; this refuses any other caller."""
    if not review.is_runnable_by(by):
        raise ValidationError("Only the review's facilitator or a partner can do this.")


def _require_audit_setter(by: User) -> None:
    if not by.has_any_role(*AuditSchedule.SET_UP_BY):
        raise ValidationError("Only a partner can set up or change a recurring audit.")


def plan_review(
    *,
    review: Review,
    by: User,
    clients=(),
    exit_interviews=(),
    invited=(),
) -> Review:
    """Save a new (or edited) review with what it looks at and who is invited. The planner
    attaches only what Review.*_attachable_by allows them; interviews already attached that
    they may not attach (a partner's choice) stay. Each newly attached interview is audited:
    it opens the interview to the review's facilitator. A new review's facilitator and
    invitees get an invitation with a calendar invite, once committed."""

    if not Review.can_be_planned_by(by):
        raise ValidationError("Only facilitators and partners plan reviews.")

    def ids(queryset, among: set[int]) -> set[int]:
        return set(queryset.filter(pk__in=among).values_list("pk", flat=True))

    is_new = review.pk is None
    attached = set() if is_new else set(review.exit_interviews.values_list("pk", flat=True))
    chosen = {interview.pk for interview in exit_interviews}
    client_ids = {client.pk for client in clients}
    interviews_allowed = Review.interviews_attachable_by(by)
    if chosen - attached - ids(interviews_allowed, chosen):
        raise ValidationError({"exit_interviews": "You may not attach one of these interviews."})
    if client_ids - ids(Review.clients_attachable_by(by), client_ids):
        raise ValidationError({"clients": "You may not attach one of these clients."})
    kept = attached - ids(interviews_allowed, attached)
    if is_new:
        review.created_by = by
    review.save()
    review.clients.set(client_ids)
    review.exit_interviews.set(chosen | kept)
    for interview in ExitInterview.objects.filter(pk__in=chosen - attached):
        audit.record(
            actor=by, verb="update", obj=interview, detail={"attached_to_review": review.pk}
        )
    for user in invited:
        Participant.objects.get_or_create(review=review, user=user)
    if is_new:
        tasks.send_review_invitations.delay_on_commit(review.pk)
    return review


def reschedule_review(*, review: Review, by: User, scheduled_for: dt.datetime) -> Review:
    """Move a planned review; invitees get an updated invite (the next SEQUENCE)."""
    _require_runner(review, by)
    if review.status != Review.Status.PLANNED:
        raise ValidationError(
            {"scheduled_for": "Only a planned review can move; this one has started or ended."}
        )
    if scheduled_for == review.scheduled_for:
        return review
    previous = review.scheduled_for
    review.scheduled_for = scheduled_for
    review.invite_sequence += 1
    review.save(update_fields=["scheduled_for", "invite_sequence"])
    audit.record(
        actor=by,
        verb="update",
        obj=review,
        detail={"scheduled_for": [str(previous), str(scheduled_for)]},
    )
    tasks.send_review_invitations.delay_on_commit(review.pk)
    return review


def edit_review(
    *,
    review: Review,
    by: User,
    title: str,
    kind: str,
    clients=(),
    exit_interviews=(),
    invited=(),
) -> Review:
    """Change a planned or live review's title, kind, clients, interviews and invitees, with
    plan_review's attach rules. Someone who has joined stays in the room. When the invite
    changes (its title, kind or attendees), its SEQUENCE moves on and, once committed, people
    added get an invitation, everyone still invited the updated invite, and people removed a
    cancellation. The change is audited, field by field."""
    _require_runner(review, by)
    if review.is_over:
        raise ValidationError("A closed or cancelled review can no longer be changed.")
    title = (title or "").replace("\x00", "").strip()
    if not title or len(title) > 200 or not is_one_line(title):
        raise ValidationError({"title": "Give the review a title of one line, up to 200 letters."})
    if kind not in Review.Kind.values:
        raise ValidationError({"kind": "Pick one of the kinds of review."})
    stored = Review.objects.values("title", "kind").get(pk=review.pk)
    if review.schedule_id and kind != Review.Kind.PROCESS_AUDIT:
        raise ValidationError(
            {"kind": "This review is a date of a recurring process audit; it stays an audit."}
        )
    seats = {p.user_id: p for p in review.participants.select_related("user")}
    wanted = {user.pk for user in invited}
    staying = [seats[pk] for pk in seats.keys() - wanted if seats[pk].has_joined]
    if staying:
        names = ", ".join(sorted(p.user.name for p in staying))
        raise ValidationError({"invited": f"Already joined, so they stay in the review: {names}."})
    before = {
        "clients": sorted(review.clients.values_list("pk", flat=True)),
        "exit_interviews": sorted(review.exit_interviews.values_list("pk", flat=True)),
    }
    review.title, review.kind = title, kind
    plan_review(
        review=review,
        by=by,
        clients=clients,
        exit_interviews=exit_interviews,
        invited=invited,
    )
    removed = set(
        review.participants.filter(
            user_id__in=seats.keys() - wanted, joined_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    review.participants.filter(user_id__in=removed, joined_at__isnull=True).delete()
    added = wanted - seats.keys()
    after = {
        "clients": sorted(review.clients.values_list("pk", flat=True)),
        "exit_interviews": sorted(review.exit_interviews.values_list("pk", flat=True)),
    }
    detail = {
        field: [stored[field], value]
        for field, value in (("title", title), ("kind", kind))
        if stored[field] != value
    }
    for field, value in after.items():
        if before[field] != value:
            detail[field] = [before[field], value]
    if added:
        detail["invited_added"] = sorted(added)
    if removed:
        detail["invited_removed"] = sorted(removed)
    if not detail:
        return review
    audit.record(actor=by, verb="update", obj=review, detail=detail)
    if detail.keys() & {"title", "kind", "invited_added", "invited_removed"}:
        review.invite_sequence += 1
        review.save(update_fields=["invite_sequence"])
        added_ids, removed_ids = sorted(added), sorted(removed)
        tasks.send_review_update.delay_on_commit(review.pk, added_ids, removed_ids)
    return review


def cancel_review(*, review: Review, by: User) -> Review:
    """Call off a planned review; invitees get a cancellation that removes it from calendars."""
    _require_runner(review, by)
    if review.status != Review.Status.PLANNED:
        raise ValidationError(
            "Only a planned review can be cancelled; this one has started or ended."
        )
    review.status = Review.Status.CANCELLED
    review.cancelled_at = timezone.now()
    review.invite_sequence += 1
    review.save(update_fields=["status", "cancelled_at", "invite_sequence"])
    audit.record(actor=by, verb="update", obj=review, detail={"status": "cancelled"})
    tasks.send_review_invitations.delay_on_commit(review.pk)
    return review


def invitation_recipients(review: Review) -> list[User]:
    """The facilitator and everyone invited, who can receive mail."""
    people = {p.user for p in review.participants.select_related("user")}
    if review.facilitator:
        people.add(review.facilitator)
    return sorted((u for u in people if u.is_active and u.email), key=lambda u: u.pk)


def send_invitations(*, review: Review) -> int:
    """E-mail the review's current invite (new, moved or cancelled) to each recipient, with the
    .ics attached; returns how many were sent."""
    from . import invites

    if review.scheduled_for is None:
        return 0
    recipients = invitation_recipients(review)
    ics = invites.build(review, recipients)
    news = "invited" if review.invite_sequence == 0 else "moved"
    return _send_invite(review, recipients, ics, invites.method_for(review), news=news)


def send_review_update(*, review: Review, added: list[int], removed: list[int]) -> int:
    """After an edit: people added get an invitation, everyone else still invited the updated
    invite, people removed a cancellation for their calendar; returns how many were sent."""
    from . import invites

    if review.scheduled_for is None or review.is_cancelled:
        return 0
    recipients = invitation_recipients(review)
    ics = invites.build(review, recipients)
    newcomers = [user for user in recipients if user.pk in added]
    others = [user for user in recipients if user.pk not in added]
    gone = [
        user
        for user in User.objects.filter(pk__in=removed, is_active=True).exclude(email="")
        if user not in recipients
    ]
    sent = _send_invite(review, newcomers, ics, invites.REQUEST, news="invited")
    sent += _send_invite(review, others, ics, invites.REQUEST, news="changed")
    for user in gone:
        cancel = invites.build(review, [user], method=invites.CANCEL)
        sent += _send_invite(review, [user], cancel, invites.CANCEL, news="uninvited")
    return sent


def _send_invite(
    review: Review, recipients: list[User], ics: bytes, method: str, *, news: str
) -> int:
    """One e-mail per recipient with the calendar invite attached. `news` says what it tells:
    invited, moved, changed or uninvited (a cancelled review says so whatever it is)."""
    from . import invites

    context = {
        "review": review,
        "join_url": invites.join_url(review),
        "site_url": settings.SITE_URL,
        "news": news,
    }
    subject = render_subject("emails/review_invitation_subject.txt", context)
    text = render_to_string("emails/review_invitation.txt", context)
    html = render_to_string("emails/review_invitation.html", context)
    sent = 0
    for user in recipients:
        message = Email(
            subject,
            text,
            to=[user.email],
            headers={
                "Message-ID": f"<review-{review.pk}-invite-{review.invite_sequence}-"
                f"{user.pk}@learnorg>"
            },
        )
        message.attach_alternative(html, "text/html")
        part = MIMEText(ics.decode(), "calendar", "utf-8")
        part.set_param("method", method)
        part.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(part)
        sent += message.send()
    return sent


def facilitator_manages_reviewed_client(review: Review) -> list:
    """Clients under review whose account manager is the facilitator (a warning, not a rule)."""
    if review.facilitator_id is None:
        return []
    return list(review.clients.filter(account_manager_id=review.facilitator_id))


def start_review(*, review: Review) -> Review:
    if review.status != Review.Status.PLANNED:
        raise ValidationError("This review has already started.")
    review.status = Review.Status.LIVE
    review.started_at = timezone.now()
    review.phase = Phase.GROUND_RULES
    review.save(update_fields=["status", "started_at", "phase"])
    return review


def move_phase(*, review: Review, step: int) -> Review:
    """Go forward (step=1) or back (step=-1) one phase; the timer stops on a phase change."""
    if not review.is_live:
        raise ValidationError("Start the review before moving between phases.")
    new_phase = review.phase + step
    if new_phase not in Phase.values:
        raise ValidationError("There is no phase in that direction.")
    review.phase = new_phase
    review.timer_ends_at = None
    review.timer_remaining = None
    review.save(update_fields=["phase", "timer_ends_at", "timer_remaining"])
    # Groups talk through one phase; a new phase starts with everyone together.
    review.breakout_groups.active().update(ended_at=timezone.now())
    return review


def set_timer(*, review: Review, command: str, minutes: int | None = None) -> Review:
    """start (with minutes), pause, resume, add_minute or clear the phase timer."""
    now = timezone.now()
    if command == "start":
        if not minutes or not 1 <= minutes <= 120:
            raise ValidationError("Set the timer to between 1 and 120 minutes.")
        review.timer_ends_at, review.timer_remaining = now + dt.timedelta(minutes=minutes), None
    elif command == "pause" and review.timer_running:
        review.timer_remaining, review.timer_ends_at = review.seconds_left(now), None
    elif command == "resume" and review.timer_paused:
        review.timer_ends_at = now + dt.timedelta(seconds=review.timer_remaining)
        review.timer_remaining = None
    elif command == "add_minute":
        if review.timer_running:
            review.timer_ends_at = max(review.timer_ends_at, now) + dt.timedelta(minutes=1)
        else:
            review.timer_remaining = (review.timer_remaining or 0) + 60
    elif command == "clear":
        review.timer_ends_at = review.timer_remaining = None
    else:
        raise ValidationError("That timer command does not apply now.")
    review.save(update_fields=["timer_ends_at", "timer_remaining"])
    return review


def close_review(*, review: Review, summary: str = "") -> Review:
    """End the session and e-mail the report to everyone who took part, once committed."""
    if review.is_closed:
        raise ValidationError("This review is already closed.")
    review.status = Review.Status.CLOSED
    review.phase = Phase.CLOSE
    review.closed_at = timezone.now()
    review.timer_ends_at = review.timer_remaining = None
    review.breakout_groups.active().update(ended_at=review.closed_at)
    if summary:
        review.summary = summary
    review.save(
        update_fields=[
            "status",
            "phase",
            "closed_at",
            "timer_ends_at",
            "timer_remaining",
            "summary",
        ]
    )
    tasks.send_review_report.delay_on_commit(review.pk)
    return review


def join_review(*, review: Review, user: User) -> Participant:
    """Join from the join page; an invitee keeps their seat, now marked as joined."""
    participant, _ = Participant.objects.get_or_create(review=review, user=user)
    if participant.joined_at is None:
        participant.joined_at = timezone.now()
        participant.save(update_fields=["joined_at"])
    return participant


def rate_speak_freely(*, participant: Participant, rating: int) -> Participant:
    if not participant.review.accepts_ratings:
        raise ValidationError("Ratings open in the closing phase.")
    if rating not in range(1, 6):
        raise ValidationError("Choose a rating from 1 to 5.")
    participant.speak_freely = rating
    participant.save(update_fields=["speak_freely"])
    return participant


# Notes ---------------------------------------------------------------------------------------


def _check_phase_open(review: Review, phase: int | None) -> None:
    if review.is_closed:
        raise ValidationError("This review has ended, so it takes no more notes.")
    if not review.accepts_notes:
        raise ValidationError(
            f"The phase “{review.phase_title}” takes no notes. Your text is kept below."
        )
    if phase is not None and phase != review.phase:
        raise ValidationError(
            f"The facilitator has moved on to “{review.phase_title}”. "
            "Your text is kept below: post it again if it still fits."
        )


def add_note(
    *, review: Review, author: User, text: str, anonymous: bool, phase: int | None = None
) -> Contribution:
    """Add a note to the current phase. `phase` is the phase the author saw when writing."""
    _check_phase_open(review, phase)
    text = clean_note_text(text)
    note = Contribution.objects.create(
        review=review,
        phase=review.phase,
        text=text,
        author=author,
        anonymous=anonymous,
        blame_flags=blame_flags(text),
        group=group_of(review=review, user=author),
    )
    return note


def _check_own_note(note: Contribution, user: User) -> None:
    review = note.review
    if note.author_id != user.pk:
        raise ValidationError("You can only change your own notes.")
    if not review.is_live or note.phase != review.phase:
        raise ValidationError("Notes can be changed only during the phase they were added in.")


def edit_note(*, note: Contribution, by: User, text: str, anonymous: bool) -> Contribution:
    _check_own_note(note, by)
    note.text = clean_note_text(text)
    note.anonymous = anonymous
    note.blame_flags = blame_flags(note.text)
    note.save(update_fields=["text", "anonymous", "blame_flags", "updated_at"])
    return note


def delete_note(*, note: Contribution, by: User) -> None:
    _check_own_note(note, by)
    note.delete()


def set_hidden(*, note: Contribution, by: User, hidden: bool) -> Contribution:
    """Moderation: a hidden note disappears from the presenter and phones, not from admin;
    showing it again undoes the hide."""
    _require_runner(note.review, by)
    note.hidden = hidden
    note.save(update_fields=["hidden", "updated_at"])
    return note


def assign_cause(*, note: Contribution, by: User, cause: LossReason | None) -> Contribution:
    """Tag a note with a cause, which moves it to that cause's group on the why board; no
    cause puts it back among the notes not yet grouped."""
    _require_runner(note.review, by)
    note.cause = cause
    note.save(update_fields=["cause", "updated_at"])
    return note


@transaction.atomic
def merge_notes(*, duplicate: Contribution, into: Contribution, by: User) -> Contribution:
    """Fold a duplicate into another note of the same phase; its votes follow where they can,
    remembering where they came from so that un-merging gives them back."""
    _require_runner(duplicate.review, by)
    if duplicate.pk == into.pk or duplicate.review_id != into.review_id:
        raise ValidationError("Pick a different note of the same review to merge into.")
    if duplicate.phase != into.phase:
        raise ValidationError("Only notes of the same phase can be merged.")
    if duplicate.merged_into_id is not None:
        raise ValidationError("That note is already merged into another.")
    if into.merged_into_id is not None:
        raise ValidationError("That note was itself merged; merge into the note it went to.")
    already_voted = Vote.objects.filter(contribution=into).values("user_id")
    # A vote that came with a note merged earlier keeps that note as its origin.
    Vote.objects.filter(contribution=duplicate).exclude(user_id__in=already_voted).update(
        contribution=into, merged_from=Coalesce("merged_from", Value(duplicate.pk))
    )
    # A person who voted for both gets the duplicate's vote back to spend again.
    Vote.objects.filter(contribution=duplicate).delete()
    Contribution.objects.filter(merged_into=duplicate).update(merged_into=into)
    duplicate.merged_into = into
    duplicate.save(update_fields=["merged_into", "updated_at"])
    if into.cause_id is None and duplicate.cause_id is not None:
        into.cause_id = duplicate.cause_id
        into.save(update_fields=["cause", "updated_at"])
    return into


@transaction.atomic
def unmerge_note(*, note: Contribution, by: User) -> Contribution:
    """Split a merged note out again: it is back on the board with the votes it brought. A vote
    its voter also had on the other note was given back to spend at the merge, so it stays
    spent or free as they chose since."""
    _require_runner(note.review, by)
    if note.merged_into_id is None:
        raise ValidationError("That note is not merged into another.")
    Vote.objects.filter(contribution_id=note.merged_into_id, merged_from=note).update(
        contribution=note, merged_from=None
    )
    note.merged_into = None
    note.save(update_fields=["merged_into", "updated_at"])
    return note


# Breakouts -----------------------------------------------------------------------------------

# Seniority ranks, most senior first; "juniors" are staff.
_RANKS = [
    User.Seniority.PARTNER,
    User.Seniority.MANAGER,
    User.Seniority.SENIOR,
    User.Seniority.STAFF,
]
# How many random groupings to weigh; enough for a room of forty, fast enough for a click.
_GROUPING_TRIES = 300


def group_sizes(count: int) -> list[int]:
    """Sizes of the fewest groups of 3–5 for `count` people, as even as possible. Fewer than
    three people make no breakout: they already are a small group."""
    if count < BreakoutGroup.MIN_SIZE:
        raise ValidationError(
            f"A breakout needs at least {BreakoutGroup.MIN_SIZE} participants; "
            f"with {count} you are already a small group."
        )
    groups = math.ceil(count / BreakoutGroup.MAX_SIZE)
    base, extra = divmod(count, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def _grouping_cost(groups: list[list[User]]) -> tuple[int, int]:
    """Lower is better: first, juniors alone in a group with a partner; then how unevenly each
    seniority rank is spread over the groups."""
    lone_juniors = 0
    counts = [Counter(user.seniority for user in group) for group in groups]
    for count in counts:
        if count[User.Seniority.PARTNER] and count[User.Seniority.STAFF] == 1:
            lone_juniors += 1
    spread = sum(max(c[rank] for c in counts) - min(c[rank] for c in counts) for rank in _RANKS)
    return lone_juniors, spread


def _deal_by_rank(users: list[User], sizes: list[int], rng: random.Random) -> list[list[User]]:
    """Deal people out rank by rank, each to a group with room and fewest of their rank."""
    groups: list[list[User]] = [[] for _ in sizes]
    for rank in _RANKS:
        people = [user for user in users if user.seniority == rank]
        rng.shuffle(people)
        for user in people:
            open_groups = [i for i, group in enumerate(groups) if len(group) < sizes[i]]
            fewest = min(sum(u.seniority == rank for u in groups[i]) for i in open_groups)
            choices = [
                i for i in open_groups if sum(u.seniority == rank for u in groups[i]) == fewest
            ]
            groups[rng.choice(choices)].append(user)
    return groups


def propose_groups(users: list[User], *, rng: random.Random | None = None) -> list[list[User]]:
    """A random grouping into groups of 3–5 that mixes seniority and never leaves one junior
    alone with a partner when another grouping avoids it."""
    rng = rng or random.Random()
    sizes = group_sizes(len(users))
    best, best_cost = None, None
    for attempt in range(_GROUPING_TRIES):
        if attempt % 2:
            shuffled = list(users)
            rng.shuffle(shuffled)
            rng.shuffle(sizes)
            start, candidate = 0, []
            for size in sizes:
                candidate.append(shuffled[start : start + size])
                start += size
        else:
            candidate = _deal_by_rank(users, sizes, rng)
        cost = _grouping_cost(candidate)
        if best_cost is None or cost < best_cost:
            best, best_cost = candidate, cost
        if best_cost == (0, 0) or (best_cost[0] == 0 and best_cost[1] <= len(_RANKS)):
            break
    return best


def active_groups(review: Review):
    """The running breakout's groups with their members, for the screens."""
    return review.breakout_groups.active().prefetch_related("members__user")


def group_of(*, review: Review, user: User) -> BreakoutGroup | None:
    return review.breakout_groups.active().filter(members__user=user).first()


def _check_breakout_open(review: Review) -> None:
    if not review.accepts_notes:
        raise ValidationError("Split into groups during a live phase that takes notes.")


@transaction.atomic
def split_into_groups(
    *, review: Review, assignment: dict[Participant, int] | None = None, rng=None
) -> list[BreakoutGroup]:
    """Start (or rearrange) the breakout of the current phase. Without `assignment`, groups are
    drawn at random, mixing seniority; with it, each participant goes to the group numbered
    there. A rearrangement keeps the groups, so notes stay tagged with theirs."""
    _check_breakout_open(review)
    participants = list(
        review.participants.joined().select_related("user").order_by("joined_at", "id")
    )
    if assignment is None:
        by_user = {p.user_id: p for p in participants}
        proposal = propose_groups([p.user for p in participants], rng=rng)
        assignment = {by_user[u.pk]: n for n, group in enumerate(proposal, start=1) for u in group}
    check_assignment(participants, assignment)
    numbers = sorted(set(assignment.values()))
    existing = {g.number: g for g in review.breakout_groups.active().filter(phase=review.phase)}
    groups = []
    for new_number, old_number in enumerate(numbers, start=1):
        group = existing.pop(new_number, None) or BreakoutGroup.objects.create(
            review=review, phase=review.phase, number=new_number
        )
        group.members.set([p for p, n in assignment.items() if n == old_number])
        groups.append(group)
    for leftover in existing.values():
        leftover.members.clear()
        leftover.ended_at = timezone.now()
        leftover.save(update_fields=["ended_at"])
    review.breakout_groups.active().exclude(phase=review.phase).update(ended_at=timezone.now())
    touch(review.pk)
    return groups


def check_assignment(participants: list[Participant], assignment: dict[Participant, int]) -> None:
    """Every participant in exactly one group, each group of 3–5; errors name the people."""
    group_sizes(len(participants))
    errors: dict[str, list[str]] = {}
    for participant in participants:
        if participant not in assignment:
            errors.setdefault(f"participant_{participant.pk}", []).append(
                "Put this person in a group."
            )
    sizes = Counter(assignment.values())
    for participant, number in assignment.items():
        size = sizes[number]
        if not BreakoutGroup.MIN_SIZE <= size <= BreakoutGroup.MAX_SIZE:
            errors.setdefault(f"participant_{participant.pk}", []).append(
                f"Group {number} would have {size} {'person' if size == 1 else 'people'}; "
                f"groups need {BreakoutGroup.MIN_SIZE} to {BreakoutGroup.MAX_SIZE}."
            )
    if errors:
        raise ValidationError(errors)


def merge_back(*, review: Review) -> int:
    """End the breakout: everyone is back together (for voting); notes keep their group tag."""
    ended = review.breakout_groups.active().update(ended_at=timezone.now())
    if not ended:
        raise ValidationError("There is no breakout to merge back.")
    touch(review.pk)
    return ended


# The process map -----------------------------------------------------------------------------


def _check_map_open(review: Review) -> None:
    if not review.is_live or review.phase != Phase.ACTUAL:
        raise ValidationError(
            f"Lay out the process map in the live “{review.script.title(Phase.ACTUAL)}” phase."
        )


def add_process_step(
    *,
    review: Review,
    lane: str,
    text: str,
    happened_on: dt.date,
    pain_point: bool = False,
    pain_note: str = "",
) -> ProcessStep:
    """Add a step at the end of the client's journey."""
    _check_map_open(review)
    last = review.process_steps.order_by("-position").values_list("position", flat=True).first()
    step = ProcessStep(
        review=review,
        position=(last or 0) + 1,
        lane=lane,
        text=text,
        happened_on=happened_on,
        pain_point=pain_point,
        pain_note=pain_note if pain_point else "",
    )
    step.full_clean()
    step.save()
    return step


def edit_process_step(*, step: ProcessStep, **fields) -> ProcessStep:
    _check_map_open(step.review)
    for name, value in fields.items():
        setattr(step, name, value)
    if not step.pain_point:
        step.pain_note = ""
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def move_process_step(*, step: ProcessStep, step_by: int) -> ProcessStep:
    """Swap a step with its neighbour: earlier (-1) or later (+1)."""
    _check_map_open(step.review)
    steps = list(step.review.process_steps.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index + step_by
    if step_by not in (-1, 1) or not 0 <= other < len(steps):
        raise ValidationError(
            "This step is already the first." if step_by < 0 else "This step is already the last."
        )
    steps[index], steps[other] = steps[other], steps[index]
    for position, each in enumerate(steps, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    return step


@transaction.atomic
def delete_process_step(*, step: ProcessStep) -> None:
    """Remove a step; the ones after it move up, so positions stay step numbers."""
    _check_map_open(step.review)
    step.delete()
    for position, each in enumerate(step.review.process_steps.order_by("position", "id"), 1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


# Votes ---------------------------------------------------------------------------------------


def cast_vote(*, note: Contribution, user: User) -> Vote:
    """One dot vote. The database refuses a second vote on a note and a vote beyond the limit,
    even when two clicks race each other; the loser gets VoteRefused."""
    review = note.review
    if not review.accepts_votes or note.phase != review.phase:
        raise VoteRefused("Voting is open only in the voting phases, on notes of that phase.")
    if note.hidden or note.merged_into_id is not None:
        raise VoteRefused("That note is no longer on the board.")
    if review.breakout_groups.active().exists():
        raise VoteRefused("Voting opens when the groups merge back.")
    if Vote.objects.filter(contribution=note, user=user).exists():
        raise VoteRefused("You already voted for this note.")
    used = set(
        Vote.objects.filter(review=review, user=user, phase=note.phase).values_list(
            "slot", flat=True
        )
    )
    free = [slot for slot in range(1, VOTES_PER_PHASE + 1) if slot not in used]
    if not free:
        raise VoteRefused(
            f"You have used all {VOTES_PER_PHASE} votes in this phase. "
            "Take one back to vote for another note."
        )
    try:
        # A savepoint, so a refused vote leaves the request's transaction usable.
        with transaction.atomic():
            vote = Vote.objects.create(
                review=review, contribution=note, user=user, phase=note.phase, slot=free[0]
            )
    except IntegrityError as error:
        raise VoteRefused(
            "That vote did not count: you voted from two places at once. Try again."
        ) from error
    return vote


def withdraw_vote(*, note: Contribution, user: User) -> None:
    if not note.review.accepts_votes:
        raise VoteRefused("Voting has closed for this phase.")
    Vote.objects.filter(contribution=note, user=user).delete()


# Five whys, actions and lessons --------------------------------------------------------------


def top_voted_cause(review: Review) -> Contribution | None:
    """The note of the "why" phase with the most votes (the earliest wins a tie)."""
    return (
        Contribution.objects.on_board()
        .filter(review=review, phase=Phase.WHY)
        .order_by("-vote_count", "created_at", "id")
        .first()
    )


def why_focus(review: Review) -> Contribution | None:
    """The cause note whose five whys the screens show: the facilitator's pick while it is still
    on the board, otherwise the top-voted cause."""
    if review.why_cause_id is not None:
        picked = Contribution.objects.on_board().filter(pk=review.why_cause_id).first()
        if picked is not None:
            return picked
    return top_voted_cause(review)


def pick_why_cause(*, review: Review, by: User, cause: Contribution | None) -> Review:
    """Dig into this cause on the screens; no cause goes back to the top-voted one."""
    _require_runner(review, by)
    if cause is not None and (
        cause.review_id != review.pk
        or cause.phase != Phase.WHY
        or cause.hidden
        or cause.merged_into_id is not None
    ):
        raise ValidationError({"cause": "Pick a cause of this review that is on the board."})
    review.why_cause = cause
    review.save(update_fields=["why_cause"])
    return review


def clean_why_text(text: str) -> str:
    """The text of a proposed why as stored, or a ValidationError its author can act on."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": "Write the why before sending it."})
    if len(text) > WhyProposal.MAX_LENGTH:
        raise ValidationError(
            {
                "text": f"Keep a why under {WhyProposal.MAX_LENGTH} characters "
                f"(this one has {len(text)})."
            }
        )
    return text


def _check_chain_open(review: Review) -> None:
    if not review.is_live or review.phase != Phase.WHY:
        raise ValidationError(
            f"Whys are added in the live “{review.script.title(Phase.WHY)}” phase."
        )


def propose_why(
    *, review: Review, author: User, text: str, anonymous: bool, cause_id: int | None = None
) -> WhyProposal:
    """A participant proposes the next why of the chain on the screens; it waits for the
    facilitator. `cause_id` is the cause the author saw when writing: if the facilitator has
    moved to another since, the why is refused (its text stays with the author)."""
    _check_chain_open(review)
    cause = why_focus(review)
    if cause is None:
        raise ValidationError("There is no cause to dig into yet: add causes and vote first.")
    if cause_id is not None and cause_id != cause.pk:
        raise ValidationError(
            "The facilitator has moved to another cause. Your text is kept below: "
            "send it again if it still fits."
        )
    text = clean_why_text(text)
    if cause.whys.count() >= MAX_WHYS:
        raise ValidationError("This chain has its five whys already.")
    return WhyProposal.objects.create(
        review=review,
        cause=cause,
        text=text,
        author=author,
        anonymous=anonymous,
        blame_flags=blame_flags(text),
    )


def _check_pending(proposal: WhyProposal, by: User) -> None:
    _require_runner(proposal.review, by)
    if proposal.status != WhyProposal.Status.PENDING:
        raise ValidationError("That why was already dealt with.")


@transaction.atomic
def approve_why(*, proposal: WhyProposal, by: User) -> WhyStep:
    """Add a proposed why to the end of its chain, where every screen shows it; it carries its
    author's name only when it was not sent anonymously."""
    _check_pending(proposal, by)
    _check_chain_open(proposal.review)
    depth = (proposal.cause.whys.aggregate(deepest=Max("depth"))["deepest"] or 0) + 1
    if depth > MAX_WHYS:
        raise ValidationError("This chain has its five whys already; edit it or decline the rest.")
    try:
        with transaction.atomic():
            step = WhyStep.objects.create(
                cause=proposal.cause, depth=depth, text=proposal.text, author=proposal.shown_author
            )
    except IntegrityError as error:
        raise ValidationError("Another why was added at the same moment; try again.") from error
    proposal.status = WhyProposal.Status.APPROVED
    proposal.step = step
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "step", "decided_at"])
    return step


def reject_why(*, proposal: WhyProposal, by: User) -> WhyProposal:
    """Decline a proposed why: it never reaches the screens."""
    _check_pending(proposal, by)
    proposal.status = WhyProposal.Status.REJECTED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    return proposal


@transaction.atomic
def save_whys(*, cause: Contribution, answers: list[str]) -> list[WhyStep]:
    """Replace the five-whys chain of a cause note with the non-empty answers, in order. A why
    kept word for word keeps the name it was shown with."""
    answers = [answer.replace("\x00", "").strip() for answer in answers if answer.strip()]
    if len(answers) > MAX_WHYS:
        raise ValidationError("Five whys are enough.")
    authors = {step.text: step.author_id for step in cause.whys.all()}
    WhyStep.objects.filter(cause=cause).delete()
    steps = [
        WhyStep.objects.create(
            cause=cause, depth=depth, text=text[:500], author_id=authors.get(text[:500])
        )
        for depth, text in enumerate(answers, start=1)
    ]
    return steps


def note_to_action(
    *, note: Contribution, by: User, title: str, owner: User, due_on: dt.date, detail: str = ""
) -> Action:
    """Turn a note into an improvement action of the review, tied to the reviewed client when
    there is exactly one."""
    review = note.review
    _require_runner(review, by)
    clients = list(review.clients.all()[:2])
    action = create_action(
        title=title,
        detail=detail or note.text,
        owner=owner,
        due_on=due_on,
        created_by=by,
        source_review=review,
        source_contribution=note,
        cause=note.cause,
        client=clients[0] if len(clients) == 1 else None,
    )
    return action


def note_to_lesson(*, note: Contribution, by: User) -> Lesson:
    """A draft lesson from a note; someone writes its publishable statement before publishing."""
    _require_runner(note.review, by)
    lesson = Lesson.objects.create(
        review=note.review,
        statement_internal=note.text,
        cause=note.cause,
        category=note.cause.category if note.cause else "",
        created_by=by,
    )
    lesson.service_lines.set(
        {line for c in note.review.clients.all() for line in c.service_lines.all()}
    )
    return lesson


def publish_lesson(*, lesson: Lesson) -> Lesson:
    """Put the lesson in the library; announced the first time it goes there from a draft."""
    newly = lesson.status != Lesson.Status.PUBLISHED
    lesson.status = Lesson.Status.PUBLISHED
    lesson.published_at = lesson.published_at or timezone.now()
    lesson.save(update_fields=["status", "published_at"])
    if newly:
        events.emit("lesson.published", lambda: {"lesson": lesson.as_event()})
    return lesson


def names_in_public_text(text: str) -> list[str]:
    """Client, contact or firm-user names found in text meant for the lesson library, as written."""
    return blame.names_in(text, names=blame_names.everyone())


# The report ----------------------------------------------------------------------------------


def report_recipients(review: Review) -> list[User]:
    """The facilitator and everyone who joined; people only invited took no part."""
    people = {p.user for p in review.participants.joined().select_related("user")}
    if review.facilitator:
        people.add(review.facilitator)
    return sorted((u for u in people if u.is_active and u.email), key=lambda u: u.pk)


def send_report(*, review: Review) -> int:
    """E-mail the closed review's report to each participant, each copy linking only what its
    reader may open; returns how many were sent."""
    from .report import build_report

    report = build_report(review)
    context = {"review": review, "report": report, "site_url": settings.SITE_URL}
    subject = render_subject("emails/review_report_subject.txt", context)
    sent = 0
    for user in report_recipients(review):
        # Each reader's copy links only the actions and lessons they may open.
        own = {**context, "openable": report.openable_by(user)}
        text = render_to_string("emails/review_report.txt", own)
        html = render_to_string("emails/review_report.html", own)
        message = Email(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent


# Recurring process audits ----------------------------------------------------------------------

# How far ahead the beat task plans an audit's review (and tells its facilitator).
AUDIT_LEAD = dt.timedelta(days=28)


def create_audit_schedule(*, schedule: AuditSchedule, by: User) -> AuditSchedule:
    """Save a new recurring audit and plan any date already inside the lead time."""
    _require_audit_setter(by)
    schedule.created_by = by
    schedule.save()
    audit.record(actor=by, verb="create", obj=schedule)
    tasks.plan_process_audits.delay_on_commit()
    return schedule


def set_schedule_status(*, schedule: AuditSchedule, by: User, status: str) -> AuditSchedule:
    """Pause, resume or stop a schedule. Stopping is final and cancels the audits it planned
    that have not happened yet; pausing keeps them (cancel one from its page if need be)."""
    _require_audit_setter(by)
    allowed = {
        AuditSchedule.Status.ACTIVE: {AuditSchedule.Status.PAUSED, AuditSchedule.Status.STOPPED},
        AuditSchedule.Status.PAUSED: {AuditSchedule.Status.ACTIVE, AuditSchedule.Status.STOPPED},
        AuditSchedule.Status.STOPPED: set(),
    }
    if status not in allowed[AuditSchedule.Status(schedule.status)]:
        raise ValidationError(
            f"This schedule is {schedule.get_status_display().lower()}; that change does not apply."
        )
    schedule.status = status
    schedule.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, verb="update", obj=schedule, detail={"status": status})
    if status == AuditSchedule.Status.STOPPED:
        upcoming = schedule.reviews.filter(
            status=Review.Status.PLANNED, scheduled_for__gt=timezone.now()
        )
        for review in upcoming.select_related("facilitator"):
            cancel_review(review=review, by=by)
    elif status == AuditSchedule.Status.ACTIVE:
        tasks.plan_process_audits.delay_on_commit()
    return schedule


def plan_due_audits(*, now: dt.datetime | None = None) -> list[Review]:
    """Beat: plan the review of every active schedule's dates that start within the lead time.
    The unique (schedule, date) constraint makes a second run, or a parallel one, plan nothing
    again; dates already past are not planned (after a pause, or a beat outage)."""
    now = now or timezone.now()
    planned = []
    schedules = AuditSchedule.objects.active().select_related("service_line", "facilitator")
    for schedule in schedules:
        existing = set(schedule.reviews.values_list("occurrence_on", flat=True))
        for day, when in schedule.dates_between(now, now + AUDIT_LEAD):
            if day in existing:
                continue
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        title=f"{schedule.service_line} process audit, {day:%B %Y}",
                        kind=Review.Kind.PROCESS_AUDIT,
                        facilitator=schedule.facilitator,
                        scheduled_for=when,
                        schedule=schedule,
                        occurrence_on=day,
                        created_by=schedule.created_by,
                        anonymous_by_default=True,
                    )
            except IntegrityError:
                continue  # another run planned this date a moment ago
            planned.append(review)
            tasks.send_review_invitations.delay_on_commit(review.pk)
    return planned


# The weekly lessons digest ----------------------------------------------------------------------

DIGEST_FROM = dt.time(8, 0)


def _week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def send_lessons_digest(*, now: dt.datetime | None = None) -> int:
    """On the first run from Monday 08:00 (firm's time) each week, e-mail everyone who wants it
    the lessons published in the seven days before; returns the number of e-mails. The week's
    LessonsDigest row is created first, so two workers never both send it."""
    now = timezone.localtime(now or timezone.now())
    monday = _week_of(now.date())
    if now < timezone.make_aware(dt.datetime.combine(monday, DIGEST_FROM)):
        return 0
    start = timezone.make_aware(dt.datetime.combine(monday - dt.timedelta(days=7), DIGEST_FROM))
    end = timezone.make_aware(dt.datetime.combine(monday, DIGEST_FROM))
    try:
        with transaction.atomic():
            digest = LessonsDigest.objects.create(week_of=monday)
    except IntegrityError:
        return 0
    lessons = list(
        Lesson.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .select_related("cause")
        .order_by("published_at", "id")
    )
    if not lessons:
        return 0
    people = User.objects.filter(is_active=True, lessons_digest=True).exclude(email="")
    context = {
        "lessons": [
            {
                "statement": lesson.statement_public,
                "cause": lesson.cause,
                "url": settings.SITE_URL + lesson.get_absolute_url(),
            }
            for lesson in lessons
        ],
        "library_url": settings.SITE_URL + "/lessons/",
        "settings_url": settings.SITE_URL + "/notifications/settings/",
        "week_of": monday,
    }
    sent = 0
    for person in people.order_by("pk").iterator():
        message = Email(
            subject=render_subject("emails/lessons_digest_subject.txt", context),
            body=render_to_string("emails/lessons_digest.txt", {**context, "person": person}),
            to=[person.email],
            headers={
                "Message-ID": f"<lessons-digest.{monday:%Y%m%d}.{person.pk}@learnorg>",
                "Auto-Submitted": "auto-generated",
            },
        )
        try:
            message.send()
        except OSError:
            continue
        sent += 1
    LessonsDigest.objects.filter(pk=digest.pk).update(lessons=len(lessons), recipients=sent)
    return sent
