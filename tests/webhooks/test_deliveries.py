"""Webhook deliveries, received by a local HTTP server: signed, sent once the change commits,
tried again after a failure with growing waits, never to a deleted or turned-off hook, and
replayable from the admin."""

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from actions import services as actions
from tests.factories import UserFactory
from webhooks import services
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


def _new_action(owner, title="Call back within two days"):
    return actions.create_action(
        title=title,
        owner=owner,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=owner,
    )


def test_a_delivery_is_signed_with_the_hooks_secret_over_timestamp_and_body(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = _new_action(alice)

    [request] = receiver.received
    headers = request["headers"]
    timestamp = headers["X-Learnorg-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), f"{timestamp}.{request['body']}".encode(), hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Learnorg-Signature"], f"sha256={expected}")
    assert abs(time.time() - int(timestamp)) < 60
    assert headers["X-Learnorg-Event"] == "action.created"
    assert headers["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert body["event"] == "action.created"
    assert body["data"]["action"]["id"] == action.pk
    assert body["data"]["action"]["url"].endswith(action.get_absolute_url())
    delivery = Delivery.objects.get()
    assert headers["X-Learnorg-Delivery"] == str(delivery.uuid)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 1, 200)
    assert delivery.response_body == '{"thanks": true}'


def test_a_signature_made_with_another_secret_does_not_verify(alice, hook, receiver):
    signed = services.signature(secret=hook.secret, timestamp="1700000000", body="{}")
    assert signed != services.signature(secret="another", timestamp="1700000000", body="{}")
    assert signed != services.signature(secret=hook.secret, timestamp="1700000001", body="{}")


def test_nothing_is_sent_before_the_change_commits(alice, hook, receiver):
    _new_action(alice)  # the test's transaction never commits
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_a_change_rolled_back_announces_nothing(alice, hook, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        _new_action(alice)
        raise RuntimeError("the request failed after creating the action")
    assert not Delivery.objects.exists()


def test_a_hook_hears_only_the_events_it_picked(
    alice, pat, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = _new_action(alice)
        actions.complete_action(action=action, by=alice, evidence="New call-back roster")
        actions.verify_action(action=action, by=pat)
    assert [body["event"] for body in receiver.bodies()] == ["action.created", "action.done"]


def test_a_500_is_tried_again_and_then_delivered(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers.extend([500, 503])
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    assert len(receiver.received) == 3
    assert len({r["body"] for r in receiver.received}) == 1
    assert len({r["headers"]["X-Learnorg-Delivery"] for r in receiver.received}) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("sent", 3, 200)


def test_each_failed_attempt_waits_twice_as_long_up_to_half_an_hour_then_gives_up(
    alice, hook, receiver
):
    _new_action(alice)
    delivery = Delivery.objects.get()
    receiver.answers.extend([500] * services.MAX_ATTEMPTS)
    waits = [services.attempt_delivery(delivery_id=delivery.pk) for _ in range(9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800, None]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 9, 500)
    assert services.attempt_delivery(delivery_id=delivery.pk) is None
    assert len(receiver.received) == services.MAX_ATTEMPTS


def test_a_pending_delivery_shows_when_it_is_tried_next(alice, hook, receiver):
    _new_action(alice)
    delivery = Delivery.objects.get()
    receiver.answers.append(502)
    before = timezone.now()
    assert services.attempt_delivery(delivery_id=delivery.pk) == 30
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=30)


def test_a_refusal_other_than_a_timeout_or_rate_limit_is_not_tried_again(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers.append(410)
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_redirect_is_not_followed(alice, hook, receiver, django_capture_on_commit_callbacks):
    receiver.answers.append(302)
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    assert [r["path"] for r in receiver.received] == ["/hooks/learnorg/"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code) == ("failed", 302)


def test_an_unreachable_receiver_is_tried_again(alice, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    Webhook.objects.create(url="http://127.0.0.1:9/nobody-listens/", events=["action.created"])
    _new_action(alice)
    delivery = Delivery.objects.get()
    assert services.attempt_delivery(delivery_id=delivery.pk) == 30
    delivery.refresh_from_db()
    assert delivery.response_code is None and delivery.error


def test_a_deleted_hook_gets_nothing(alice, hook, receiver, django_capture_on_commit_callbacks):
    hook.delete()
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_a_hook_deleted_before_its_delivery_went_out_gets_nothing(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _new_action(alice)
    hook.delete()
    for callback in queued:
        callback()
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_a_turned_off_hook_gets_nothing(alice, hook, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _new_action(alice, "First")
    Webhook.objects.filter(pk=hook.pk).update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice, "Second")
        for callback in queued:
            callback()
    assert receiver.received == []
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_every_hook_that_wants_the_event_gets_its_own_signed_copy(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    other = Webhook.objects.create(url=receiver.url, events=["action.created"])
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    assert len(receiver.received) == 2
    secrets = {hook.secret, other.secret}
    for request in receiver.received:
        timestamp = request["headers"]["X-Learnorg-Timestamp"]
        signature = request["headers"]["X-Learnorg-Signature"]
        assert signature in {
            services.signature(secret=s, timestamp=timestamp, body=request["body"]) for s in secrets
        }


def test_an_admin_replays_a_delivery_with_the_same_body_and_a_new_id(
    client, alice, hook, receiver, django_capture_on_commit_callbacks
):
    receiver.answers.append(410)
    with django_capture_on_commit_callbacks(execute=True):
        _new_action(alice)
    failed = Delivery.objects.get()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "replay", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert first["headers"]["X-Learnorg-Delivery"] != second["headers"]["X-Learnorg-Delivery"]
    replayed = Delivery.objects.get(replay_of=failed)
    assert replayed.status == Delivery.Status.SENT


def test_replaying_needs_the_right_to_change_webhooks(
    client, alice, hook, receiver, django_capture_on_commit_callbacks
):
    _new_action(alice)
    delivery = Delivery.objects.get()
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(viewer)
    changelist = reverse("admin:webhooks_delivery_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "replay", "_selected_action": [delivery.pk]})
    assert Delivery.objects.count() == 1


def test_a_delivery_whose_task_was_lost_is_sent_by_the_sweep(
    alice, hook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _new_action(alice)  # its task is never run: lost with a broker that went away
    delivery = Delivery.objects.get()
    assert services.resend_stalled() == 0  # just recorded: its task may be on its way
    later = timezone.now() + dt.timedelta(minutes=11)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend_stalled(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(receiver.received) == 1
    assert services.resend_stalled(now=later) == 0
