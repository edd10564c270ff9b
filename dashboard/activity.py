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


def _rated(response: FeedbackResponse) -> str:
    rating = f" (rated {response.rating}/10)" if response.rating is not None else ""
    return f"New feedback about {response.client.name}{rating}"


# What happens on my clients: the record, when it happened, and what the line says (never who
# wrote a response).
ON_MY_CLIENTS = [
    (FeedbackResponse, "submitted_at", _rated),
    (ExitInterview, "finalised_at", lambda i: f"Exit interview with {i.client.name} finalised"),
    (SaveAttempt, "opened_at", lambda a: f"Save attempt opened for {a.client.name}"),
]


def _on_my_clients(user: User, since: dt.datetime) -> list[Item]:
    """Each kind of record on the clients I manage or partner, through its own `visible_to`."""
    mine = Q(client__account_manager=user) | Q(client__relationship_partner=user)
    items = []
    for model, when, says in ON_MY_CLIENTS:
        rows = (
            model.objects.visible_to(user)
            .filter(mine, **{f"{when}__gte": since})
            .select_related("client")
            .order_by(f"-{when}", "-id")[:SHOWN]
        )
        items += [Item(getattr(row, when), says(row), row.get_absolute_url()) for row in rows]
    return items


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
        items += _on_my_clients(user, since)
    return sorted(items, key=lambda item: item.at, reverse=True)[:SHOWN]
