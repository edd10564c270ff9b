"""Webhook deliveries: recorded with the change that caused them, sent after it commits, signed,
retried with exponential backoff, replayable from the admin."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import destinations, tasks
from .models import Delivery, Webhook

SIGNATURE_HEADER = "X-Learnorg-Signature"
TIMESTAMP_HEADER = "X-Learnorg-Timestamp"
TIMEOUT_SECONDS = 10
RESPONSE_KEPT = 2000
# 30 s, 1, 2, 4, 8, 16 min, then every 30 min (under Redis's one-hour visibility timeout for
# delayed tasks): about two hours of trying.
MAX_ATTEMPTS = 9
FIRST_WAIT, LONGEST_WAIT = 30, 1800
# A receiver that answers one of these may answer differently later; any other 4xx refuses.
RETRY_CODES = {408, 425, 429}


def signature(*, secret: str, timestamp: str, body: str) -> str:
    """HMAC-SHA256, keyed with the hook's secret, of "<timestamp>.<body>"; the receiver computes
    the same and rejects an old timestamp, so a captured delivery cannot be replayed later."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def backoff(attempts: int) -> int:
    """Seconds to wait after the given number of failed attempts."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def record_deliveries(*, event: str, build: Callable[[], dict]) -> list[Delivery]:
    """A pending delivery per active webhook that wants the event, in the caller's transaction;
    each is sent once that commits (a rolled-back change announces nothing)."""
    hooks = [hook for hook in Webhook.objects.filter(active=True) if hook.wants(event)]
    if not hooks:
        return []
    envelope = {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now(),
        "data": build(),
    }
    body = json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    deliveries = Delivery.objects.bulk_create(
        [Delivery(webhook=hook, event=event, body=body) for hook in hooks]
    )
    for delivery in deliveries:
        tasks.deliver.delay_on_commit(delivery.pk)
    return deliveries


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it could lead inside the network."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery: Delivery) -> tuple[int | None, str, str]:
    """(status code or None, start of the answer, error) of one POST."""
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.webhook.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "learnorg-webhooks",
            "X-Learnorg-Event": delivery.event,
            "X-Learnorg-Delivery": str(delivery.uuid),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(
                secret=delivery.webhook.secret, timestamp=timestamp, body=delivery.body
            ),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return answer.status, _start(answer.read(RESPONSE_KEPT)), ""
    except urllib.error.HTTPError as refused:
        return refused.code, _start(refused.read(RESPONSE_KEPT)), ""
    except (OSError, ValueError) as failed:  # URLError, timeouts and refused connections
        return None, "", str(getattr(failed, "reason", failed))[:500]


def _start(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def attempt_delivery(*, delivery_id: int) -> int | None:
    """Send a pending delivery once. Returns the seconds to wait before trying again, or None
    when there is nothing more to do: sent, refused for good, out of attempts, or its webhook
    deleted or turned off (which then hears nothing)."""
    delivery = (
        Delivery.objects.select_related("webhook")
        .filter(pk=delivery_id, status=Delivery.Status.PENDING)
        .first()
    )
    if delivery is None:
        return None
    if not delivery.webhook.active:
        _finish(delivery, status=Delivery.Status.FAILED, error="The webhook was turned off.")
        return None
    if reason := destinations.refusal(delivery.webhook.url):
        _finish(delivery, status=Delivery.Status.FAILED, error=reason)
        return None
    code, answer, error = _post(delivery)
    delivery.attempts += 1
    delivery.response_code, delivery.response_body, delivery.error = code, answer, error
    if code is not None and 200 <= code < 300:
        _finish(delivery, status=Delivery.Status.SENT)
        return None
    retry = code is None or code >= 500 or code in RETRY_CODES
    if not retry or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, status=Delivery.Status.FAILED)
        return None
    wait = backoff(delivery.attempts)
    _finish(delivery, status=Delivery.Status.PENDING, next_attempt_in=wait)
    return wait


def _finish(
    delivery: Delivery, *, status: str, error: str = "", next_attempt_in: int | None = None
) -> None:
    now = timezone.now()
    delivery.status = status
    delivery.error = error or delivery.error
    delivery.last_attempt_at = now
    delivery.next_attempt_at = now + timedelta(seconds=next_attempt_in) if next_attempt_in else None
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "response_code",
            "response_body",
            "error",
            "last_attempt_at",
            "next_attempt_at",
        ]
    )


STALLED_AFTER = timedelta(minutes=10)


def resend_stalled(*, now=None) -> int:
    """Queue every pending delivery that should have been tried over ten minutes ago; returns how
    many. A delivery whose task merely waited that long may then go out twice: receivers dedupe
    on X-Learnorg-Delivery."""
    overdue = (now or timezone.now()) - STALLED_AFTER
    stalled = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(
            Q(next_attempt_at__lt=overdue) | Q(next_attempt_at__isnull=True, created_at__lt=overdue)
        )
        .values_list("pk", flat=True)
    )
    for delivery_id in stalled:
        tasks.deliver.delay_on_commit(delivery_id)
    return len(stalled)


@transaction.atomic
def replay(*, deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Send the same bodies again as new deliveries (new ids and signatures) to hooks that still
    exist and are active."""
    copies = Delivery.objects.bulk_create(
        [
            Delivery(webhook_id=d.webhook_id, event=d.event, body=d.body, replay_of=d)
            for d in deliveries
            if d.webhook.active
        ]
    )
    for copy in copies:
        tasks.deliver.delay_on_commit(copy.pk)
    return copies
