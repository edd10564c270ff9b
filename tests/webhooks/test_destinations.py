"""Where a webhook may point: http(s) only, and no address inside the firm's network unless the
setting allows it (server-side request forgery), checked when saved and again when sending."""

import pytest
from django.core.exceptions import ValidationError

from actions import services as actions
from webhooks import destinations, services
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1/hooks/",
    "http://localhost:8000/hooks/",
    "http://10.1.2.3/",
    "http://192.168.0.10/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
]


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "//x"])
def test_only_http_and_https_addresses_are_accepted(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert destinations.refusal(url)
    with pytest.raises(ValidationError):
        Webhook(url=url, events=["action.created"]).full_clean()


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_by_default(url):
    with pytest.raises(ValidationError, match="internal address"):
        Webhook(url=url, events=["action.created"]).full_clean()


@pytest.mark.parametrize("url", INTERNAL[:3])
def test_the_setting_allows_internal_addresses(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    Webhook(url=url, events=["action.created"]).full_clean()


def test_a_hook_must_pick_known_events(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    for events in ([], ["action.exploded"]):
        with pytest.raises(ValidationError, match="Pick at least one"):
            Webhook(url="http://127.0.0.1/", events=events).full_clean()


def test_a_hook_that_now_points_inside_is_not_sent_to(alice, receiver, settings):
    hook = Webhook.objects.create(url=receiver.url, events=["action.created"])
    actions.create_action(
        title="Check", owner=alice, due_on=alice.date_joined.date(), created_by=alice
    )
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    delivery = Delivery.objects.get(webhook=hook)
    assert services.attempt_delivery(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "internal address" in delivery.error
    assert receiver.received == []
