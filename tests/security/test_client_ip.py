"""One client address, derived from PROXY_COUNT trusted proxies, for login lockouts, the public
form's rate limit, the password-reset throttle and the audit log. Entries a client adds to
X-Forwarded-For in front of the real ones change nothing."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent
from accounts.network import client_ip
from feedback import views as feedback_views
from tests.factories import PASSWORD, FeedbackRequestFactory

PROXY = "10.9.0.1"


def _request(forwarded: str | None = None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.7", PROXY),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6,203.0.113.7", "203.0.113.7"),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "2001:db8::7", "2001:db8::7"),
        (2, "6.6.6.6, 203.0.113.7, 10.9.0.2", "203.0.113.7"),
        # Fewer entries than proxies: the request skipped a proxy; trust only the connection.
        (1, None, PROXY),
        (1, "", PROXY),
        (2, "203.0.113.7", PROXY),
        (1, "not-an-address", PROXY),
        (1, "203.0.113.7, unknown", PROXY),
    ],
)
def test_client_ip_takes_the_address_the_outermost_trusted_proxy_saw(
    settings, count, forwarded, expected
):
    settings.PROXY_COUNT = count
    assert client_ip(_request(forwarded)) == expected


def test_axes_asks_the_same_function(one_proxy):
    request = _request("6.6.6.6, 203.0.113.7")
    assert get_client_ip_address(request) == "203.0.113.7"


@pytest.mark.django_db
def test_the_audit_log_records_the_client_behind_the_proxy(one_proxy, alice):
    event = audit.record(
        actor=alice, verb=AuditEvent.Verb.VIEW, obj=alice, request=_request("1.2.3.4, 203.0.113.7")
    )
    assert event.ip == "203.0.113.7"


def _log_in(client, password: str, forwarded: str):
    return client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_one_client_behind_the_proxy_cannot_lock_out_another(client, one_proxy, alice):
    for _ in range(5):
        _log_in(client, "wrong", "203.0.113.66")
    assert _log_in(client, PASSWORD, "203.0.113.66").status_code == 429
    assert _log_in(client, PASSWORD, "198.51.100.20").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_forwarded_entry_does_not_escape_the_lockout(client, one_proxy, alice):
    for n in range(5):
        _log_in(client, "wrong", f"192.0.2.{n}, 203.0.113.66")
    assert _log_in(client, PASSWORD, "192.0.2.99, 203.0.113.66").status_code == 429


@pytest.mark.django_db
def test_the_public_form_limit_is_per_client_behind_the_proxy(client, one_proxy):
    url = reverse("feedback:public_form", args=[FeedbackRequestFactory(client=None).token])
    data = {"doing_right": "Quick answers."}

    def post(forwarded):
        return client.post(url, data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    for n in range(feedback_views.PUBLIC_POSTS_PER_WINDOW):
        assert post(f"192.0.2.{n}, 203.0.113.66").status_code == 302
    assert post("192.0.2.99, 203.0.113.66").status_code == 429
    assert post("198.51.100.20").status_code == 302
