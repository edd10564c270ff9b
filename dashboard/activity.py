"""What happened while I was away: the last two weeks on my clients, my actions and my reviews,
for the home page.

Each source is one small query, newest first and cut at the number shown, and what it lists
goes through the same rules as its pages: interviews through `visible_to` (a restricted one only
to who may read it), reviews through `visible_to`, and no item ever names the author of a note,
a suggestion or a client's feedback (feedback says which client and the rating only).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from actions.models import Action, ActionEvent
from feedback.models import ExitInterview, FeedbackResponse, SaveAttempt
from retrospectives.models import Review

DAYS = 14
SHOWN = 10


@dataclass(frozen=True)
class Item:
    at: dt.datetime
    text: str
    url: str


def _action_events(user: User, since: dt.datetime) -> list[Item]:
    events = (
        ActionEvent.objects.filter(at__gte=since)
        .filter(Q(action__owner=user) | Q(action__created_by=user))
        .filter(action__in=Action.objects.visible_to(user))
        .select_related("actor", "action")
        .order_by("-at", "-id")[:SHOWN]
    )
    items = []
    for event in events:
        who = event.actor.name if event.actor else "learnorg"
        title = event.action.title
        if event.is_comment:
            text = f"{who} commented on “{title}”"
        elif not event.from_status:
            text = f"{who} created “{title}”"
        elif event.from_status != event.to_status:
            text = f"{who} moved “{title}” to {event.get_to_status_display().lower()}"
        else:
            text = f"{who} updated “{title}”"
        items.append(Item(event.at, text, event.action.get_absolute_url()))
    return items


def _my_clients(prefix: str, user: User) -> Q:
    return Q(**{f"{prefix}account_manager": user}) | Q(**{f"{prefix}relationship_partner": user})


def _feedback(user: User, since: dt.datetime) -> list[Item]:
    responses = (
        FeedbackResponse.objects.visible_to(user)
        .filter(_my_clients("client__", user), submitted_at__gte=since)
        .select_related("client")
        .order_by("-submitted_at", "-id")[:SHOWN]
    )
    return [
        Item(
            r.submitted_at,
            f"New feedback about {r.client.name}"
            + (f" (rated {r.rating}/10)" if r.rating is not None else ""),
            r.get_absolute_url(),
        )
        for r in responses
    ]


def _interviews(user: User, since: dt.datetime) -> list[Item]:
    interviews = (
        ExitInterview.objects.visible_to(user)
        .filter(_my_clients("client__", user), finalised_at__gte=since)
        .select_related("client")
        .order_by("-finalised_at", "-id")[:SHOWN]
    )
    return [
        Item(i.finalised_at, f"Exit interview with {i.client.name} finalised", i.get_absolute_url())
        for i in interviews
    ]


def _saves(user: User, since: dt.datetime) -> list[Item]:
    attempts = (
        SaveAttempt.objects.visible_to(user)
        .filter(_my_clients("client__", user), opened_at__gte=since)
        .select_related("client")
        .order_by("-opened_at", "-id")[:SHOWN]
    )
    return [
        Item(a.opened_at, f"Save attempt opened for {a.client.name}", a.get_absolute_url())
        for a in attempts
    ]


def _reviews(user: User, since: dt.datetime) -> list[Item]:
    mine = (
        Review.objects.visible_to(user)
        .filter(Q(facilitator=user) | Q(participants__user=user))
        .filter(Q(started_at__gte=since) | Q(closed_at__gte=since))
        .distinct()
        .order_by("-closed_at", "-started_at", "-id")[:SHOWN]
    )
    items = []
    for review in mine:
        if review.closed_at and review.closed_at >= since:
            items.append(
                Item(review.closed_at, f"“{review.title}” closed", review.get_absolute_url())
            )
        if review.started_at and review.started_at >= since:
            items.append(
                Item(review.started_at, f"“{review.title}” started", review.get_absolute_url())
            )
    return items


def recent_activity(user: User, *, now: dt.datetime | None = None) -> list[Item]:
    """The newest SHOWN things that happened in the last DAYS days on this person's clients,
    actions and reviews."""
    since = (now or timezone.now()) - dt.timedelta(days=DAYS)
    items = _action_events(user, since) + _reviews(user, since)
    if user.is_account_manager or user.is_partner:
        items += _feedback(user, since) + _interviews(user, since) + _saves(user, since)
    return sorted(items, key=lambda item: item.at, reverse=True)[:SHOWN]
