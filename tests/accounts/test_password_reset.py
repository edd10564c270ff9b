"""Password reset: the link is built from SITE_URL (never the Host header a visitor sends), the
e-mail goes out through Celery once the request has committed, and requests are limited per
address and per client IP, without telling anyone whether an address has an account."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts import views

pytestmark = pytest.mark.django_db
URL = reverse("accounts:password_reset")


@pytest.fixture(autouse=True)
def _site(settings, alice):
    settings.SITE_URL = "https://learn.example.com"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    alice.email = "alice@example.com"
    alice.save()


def _ask(client, email="alice@example.com", ip="10.0.0.1", **headers):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip, **headers)


def test_the_password_reset_sends_a_link_on_the_site_url_whatever_the_host_header(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, HTTP_HOST="evil.example")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your learnorg password"
    assert "evil.example" not in message.body
    assert "evil.example" not in message.alternatives[0][0]
    link = re.search(r"https://learn\.example\.com(/accounts/reset/\S+/)", message.body)
    assert link, message.body
    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content


def test_the_email_is_queued_after_the_request_commits(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _ask(client)
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, email="nobody@example.com")
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_password_reset_limits_emails_per_address_without_saying_so(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            _ask(client, ip=f"10.0.0.{n}").status_code for n in range(views.RESET_PER_ADDRESS + 3)
        ]
    assert set(answers) == {302}
    assert len(mail.outbox) == views.RESET_PER_ADDRESS


def test_the_password_reset_limits_requests_per_client_ip_and_keeps_what_was_typed(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(views.RESET_PER_IP):
            assert _ask(client, email=f"person{n}@example.com").status_code == 302
        refused = _ask(client)
        assert refused.status_code == 429
        assert "Too many password reset requests" in refused.content.decode()
        assert refused.context["form"]["email"].value() == "alice@example.com"
        assert _ask(client, ip="10.0.0.2").status_code == 302
    assert len(mail.outbox) == 1


def test_the_ip_limit_counts_the_client_behind_the_proxy(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PROXY_COUNT = 1
    proxied = {"ip": "10.9.0.1"}
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(views.RESET_PER_IP):
            _ask(
                client,
                email=f"p{n}@example.com",
                HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, 203.0.113.5",
                **proxied,
            )
        assert _ask(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxied).status_code == 429
        assert _ask(client, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxied).status_code == 302
