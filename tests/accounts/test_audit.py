import pytest
from django.test import RequestFactory

from accounts import audit
from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_audit_log_records_actor_object_and_ip(alice):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    event = audit.record(actor=alice, verb=AuditEvent.Verb.VIEW, obj=alice, request=request)
    assert (event.actor, event.verb, event.object_type, event.object_id, event.ip) == (
        alice,
        "view",
        "accounts.user",
        str(alice.pk),
        "10.1.2.3",
    )


def test_the_audit_log_records_a_denied_attempt_without_an_object(bob):
    event = audit.record(
        actor=bob, verb=AuditEvent.Verb.DENIED, object_type="feedback.exitinterview", object_id=42
    )
    assert event.object_id == "42"
    assert event.ip is None
