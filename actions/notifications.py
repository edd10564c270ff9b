"""Notifications: what a person should hear about, their inbox and how they prefer to hear.

Services call `notify` inside their transaction when something happens to someone (an action
assigned to them, done for them to verify, verified or reopened, feedback about their client, a
mention). The row is the inbox entry; each person's preference per event decides whether it is
also e-mailed at once, in the next morning's digest, or not at all. The reminder sweep
(`actions.services.send_due_reminders`, every minute) sends the e-mails: only inside working
hours and outside quiet periods, one e-mail per person per sweep, claimed with a conditional
update so two sweepers never send the same one. Nobody is told about what they did themselves,
and a notification never names the author of anything anonymous: callers pass `actor` only where
the person acting is named on the page the notification links to.
"""

import datetime as dt
import logging
import re
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.mail import Email, render_subject
from accounts.models import User

from .models import Notification, NotificationPreference, ReminderPolicy

logger = logging.getLogger(__name__)

Event = Notification.Event
Channel = NotificationPreference.Channel
# The bell shows "99+" past this; counting further would only cost time.
UNREAD_SHOWN = 99
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
RETRY_DELAY = dt.timedelta(minutes=10)
SWEEP_BATCH = 500


# "@pat", "@alice.moreno": a username after an @ that does not follow a word character (so an
# e-mail address mentions nobody).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_in(text: str) -> list[User]:
    """The active colleagues whose usernames are @mentioned in `text`."""
    names = {name.rstrip(".").lower() for name in MENTION.findall(text)}
    if not names:
        return []
    return list(User.objects.filter(is_active=True, username__iregex=_any_of(names)))


def _any_of(names: set[str]) -> str:
    return "^(" + "|".join(re.escape(name) for name in sorted(names)) + ")$"


COMMENT_MAX = 2000
MENTION_EXCERPT = 120


def comment_text(text: str) -> str:
    """A comment as a thread keeps it (an action's history, a client response's discussion):
    trimmed, not empty, at most COMMENT_MAX characters."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write a comment first."})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"text": f"Keep a comment under {COMMENT_MAX} characters."})
    return text


@dataclass(frozen=True)
class Mentions:
    """Who a comment's @mentions told, and who they could not tell because they may not see
    what it is about."""

    told: list[User]
    cannot_see: list[User]

    def summary(self, what: str) -> str:
        """What the writer is told back, e.g. what="action"."""
        parts = []
        if self.told:
            parts.append("Told " + ", ".join(person.name for person in self.told) + ".")
        if self.cannot_see:
            names = ", ".join(person.name for person in self.cannot_see)
            parts.append(f"Not told (they cannot see this {what}): {names}.")
        return " ".join(parts) or "Comment added."


def tell_mentioned(
    *, text: str, by: User, on: str, url: str, may_see: Callable[[User], bool]
) -> Mentions:
    """Notify each colleague @mentioned in `text` (not the writer) who `may_see` what it is
    about, `on` naming it in the notification; the others are returned, not told."""
    told, cannot_see = [], []
    excerpt = text if len(text) <= MENTION_EXCERPT else text[: MENTION_EXCERPT - 1] + "…"
    for person in mentioned_in(text):
        if person.pk == by.pk:
            continue
        if not may_see(person):
            cannot_see.append(person)
            continue
        notify(
            recipient=person,
            event=Event.MENTIONED,
            text=f"{by} mentioned you on {on}: {excerpt}",
            url=url,
            actor=by,
        )
        told.append(person)
    return Mentions(told=told, cannot_see=cannot_see)


def preferences_of(user: User) -> dict[str, str]:
    """Each event's channel for this person: their choice, else the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("event", "channel"))
    return {event: chosen.get(event, NotificationPreference.DEFAULTS[event]) for event in Event}


@transaction.atomic
def set_preferences(
    *, user: User, channels: dict[str, str], lessons_digest: bool | None = None
) -> None:
    """Store this person's channel for each event given (events and channels already checked by
    the form), and whether they want the weekly lessons digest."""
    if lessons_digest is not None and lessons_digest != user.lessons_digest:
        user.lessons_digest = lessons_digest
        user.save(update_fields=["lessons_digest"])
    for event, channel in channels.items():
        NotificationPreference.objects.update_or_create(
            user=user, event=event, defaults={"channel": channel}
        )


def _next_digest(now: dt.datetime) -> dt.datetime:
    """The start of the next working day's hours: the morning sweep sends the digest then (or
    later, when that day is a weekend or in a quiet period)."""
    policy = ReminderPolicy.current()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, policy.workday_starts))


def _one_line(text: str, limit: int = 300) -> str:
    line = "".join(ch if ch.isprintable() else " " for ch in str(text))
    line = " ".join(line.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def notify(
    *,
    recipient: User | None,
    event: str,
    text: str,
    url: str = "",
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Notification | None:
    """Put `text` in the recipient's inbox and plan its e-mail as they prefer. Nothing for a
    missing or former colleague, nor for the person who acted (they know)."""
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    now = now or timezone.now()
    channel = preferences_of(recipient)[event]
    email_after = {Channel.INSTANT: now, Channel.DIGEST: _next_digest(now)}.get(channel)
    User.objects.filter(pk=recipient.pk).update(unread_notifications=F("unread_notifications") + 1)
    return Notification.objects.create(
        recipient=recipient,
        event=event,
        text=_one_line(text),
        url=url,
        created_at=now,
        email_after=email_after if recipient.email else None,
    )


def inbox(user: User):
    return Notification.objects.filter(recipient=user)


def unread_count(user: User) -> int:
    """The bell's number: kept on the person's row (loaded by every request), not counted."""
    return user.unread_notifications if user.is_authenticated else 0


def recount(user: User) -> int:
    """Count the person's unread notifications again and keep the number on their row."""
    unread = inbox(user).filter(read_at__isnull=True).count()
    User.objects.filter(pk=user.pk).update(unread_notifications=unread)
    user.unread_notifications = unread
    return unread


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read: these ids, or all of them. Another person's ids
    are ignored, not an error."""
    unread = inbox(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    marked = unread.update(read_at=timezone.now())
    if marked:
        recount(user)
    return marked


# E-mail, from the reminder sweep ----------------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    return Q(emailed_at__isnull=True, email_after__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def hold_until(*, allowed: dt.datetime, now: dt.datetime) -> int:
    """Move e-mails due now that may not go out now to the next allowed moment."""
    return Notification.objects.filter(_claimable(now)).update(email_after=allowed)


def _claim(now: dt.datetime) -> uuid.UUID | None:
    picked = list(
        Notification.objects.filter(_claimable(now))
        .order_by("recipient_id", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if not picked:
        return None
    token = uuid.uuid4()
    claimed = Notification.objects.filter(pk__in=picked).filter(_claimable(now))
    if not claimed.update(claimed_at=now, claim_token=token):  # the sweep's clock, as reminders
        return None
    return token


def claim_for(*, recipient: User, token: uuid.UUID, now: dt.datetime) -> list[Notification]:
    """Claim this person's notifications due by `now` under a reminder digest's token, so they
    go out in that digest rather than in an e-mail of their own a moment later."""
    due = Notification.objects.filter(recipient=recipient).filter(_claimable(now))
    due.update(claimed_at=now, claim_token=token)
    mine = Notification.objects.filter(recipient=recipient, claim_token=token)
    return list(mine.filter(emailed_at__isnull=True).order_by("created_at", "id"))


def sent(notes: list[Notification], *, token: uuid.UUID) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notes], claim_token=token).update(
        emailed_at=timezone.now()
    )


def retry_later(notes: list[Notification], *, now: dt.datetime) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
        claimed_at=None, claim_token=None, email_after=now + RETRY_DELAY
    )


def as_email_items(notes: list[Notification]) -> list[dict[str, str]]:
    return [
        {"text": note.text, "url": settings.SITE_URL + note.url if note.url else ""}
        for note in notes
    ]


def build_email(*, recipient: User, notifications: list[Notification]) -> Email:
    context = {
        "recipient": recipient,
        "notifications": as_email_items(notifications),
        "inbox_url": settings.SITE_URL + "/notifications/",
        "settings_url": settings.SITE_URL + "/notifications/settings/",
    }
    ids = ",".join(str(note.pk) for note in notifications)
    message = Email(
        subject=render_subject("emails/notifications_subject.txt", context),
        body=render_to_string("emails/notifications.txt", context),
        to=[recipient.email],
        headers={
            "Message-ID": f"<notifications.{ids.replace(',', '.')}@learnorg>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("emails/notifications.html", context), "text/html")
    return message


def send_due(*, now: dt.datetime) -> int:
    """E-mail every notification due by `now`, one e-mail per person; returns how many went.
    The caller (the reminder sweep) has checked that e-mail may go out now."""
    count = 0
    while (token := _claim(now)) is not None:
        rows = Notification.objects.filter(claim_token=token, emailed_at__isnull=True)
        per_person: dict[int, list[Notification]] = defaultdict(list)
        for note in rows.select_related("recipient").order_by("created_at", "id"):
            per_person[note.recipient_id].append(note)
        for notes in per_person.values():
            recipient = notes[0].recipient
            ids = [note.pk for note in notes]
            if not (recipient.is_active and recipient.email):
                Notification.objects.filter(pk__in=ids).update(email_after=None, claim_token=None)
                continue
            try:
                build_email(recipient=recipient, notifications=notes).send()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Notification e-mail to %s failed: %s", recipient.email, error)
                retry_later(notes, now=now)
                continue
            sent(notes, token=token)
            count += len(notes)
    return count
