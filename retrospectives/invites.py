"""Calendar invites (RFC 5545 / iTIP RFC 5546) for planned reviews.

Times are written in UTC ("…Z"), not with a TZID and a VTIMEZONE: each invite is one event, not a
recurrence, so the calendar never has to do daylight-saving arithmetic, and every client reads
UTC the same way (hand-built VTIMEZONE blocks are a classic source of one-hour errors in
Outlook). The wall-clock rule ("09:00 in the firm's zone") is applied here, when the review's
instant is computed, and each client shows the instant in its user's own zone."""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .models import Review

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def uid(review: Review) -> str:
    """Stable for the review's whole life, so updates and cancellations replace the event."""
    host = urlsplit(settings.SITE_URL).hostname or "learnorg"
    return f"review-{review.pk}@{host}"


def join_url(review: Review) -> str:
    return settings.SITE_URL + reverse("retrospectives:join", args=[review.join_code])


def method_for(review: Review) -> str:
    return CANCEL if review.is_cancelled else REQUEST


def build(
    review: Review,
    attendees=(),
    *,
    now: dt.datetime | None = None,
    method: str | None = None,
) -> bytes:
    """The review as a one-event calendar: REQUEST while it is on, CANCEL once cancelled, or
    CANCEL for attendees no longer invited to a review that goes on."""
    method = method or method_for(review)
    link = join_url(review)
    cal = Calendar()
    cal.add("prodid", "-//learnorg//reviews//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid(review))
    event.add("sequence", review.invite_sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", review.scheduled_for.astimezone(dt.UTC))
    event.add("dtend", review.ends_at.astimezone(dt.UTC))
    event.add("summary", review.title)
    event.add("url", link)
    event.add("location", link)
    event.add(
        "description",
        f"{review.get_kind_display()} review: {review.script.purpose} "
        f"Join from your phone or laptop: {link} (code {review.join_code}).",
    )
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    if review.facilitator and review.facilitator.email:
        organizer = vCalAddress(f"mailto:{review.facilitator.email}")
        organizer.params["cn"] = vText(review.facilitator.name)
        event.add("organizer", organizer)
    for user in attendees:
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
