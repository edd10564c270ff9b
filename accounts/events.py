"""Business events that other systems may hear about (through the `webhooks` app).

The services of feedback, actions and retrospectives announce what happened with `emit`; the
`webhooks` app, which nothing imports, listens. It records its deliveries in the same transaction
as the change and sends them once that commits, so an event is announced if and only if it
happened. The payload is built only when some webhook listens to the event.

A payload holds ids, links, statuses and dates: never the author of an anonymous note or
suggestion, and never the words of an exit interview (restricted or not).
"""

from collections.abc import Callable

from django.conf import settings
from django.dispatch import Signal

EVENTS = {
    "interview.finalised": "An exit interview was finalised",
    "action.created": "An improvement action was created",
    "action.done": "An action was marked done",
    "action.verified": "A partner verified a done action",
    "save_attempt.opened": "A save attempt was opened for a client at risk",
    "save_attempt.closed": "A save attempt was closed as saved or lost",
    "lesson.published": "A lesson was published to the library",
}

# Sent with name (a key of EVENTS) and build (returns the payload, a JSON-ready dict).
event_emitted = Signal()


def emit(name: str, build: Callable[[], dict]) -> None:
    """Announce an event inside the transaction that made it happen."""
    if name not in EVENTS:
        raise ValueError(f"Unknown event {name!r}; add it to accounts.events.EVENTS.")
    event_emitted.send(sender=None, name=name, build=build)


def link(obj) -> str:
    """The absolute address of an object's page (each reader still needs the right to open it)."""
    return f"{settings.SITE_URL}{obj.get_absolute_url()}"
