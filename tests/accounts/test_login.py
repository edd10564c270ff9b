import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_opens(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b"Forgotten your password?" in response.content


def test_a_person_logs_in_and_lands_on_home(client, alice):
    response = client.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Welcome, Alice Moreno" in response.content


def test_the_login_page_rejects_a_wrong_password_and_keeps_the_username(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert b'value="alice"' in response.content


def test_a_person_logs_out_with_post(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_logging_out_by_get_is_refused(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_the_login_page_locks_out_after_repeated_failures(client, alice):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content


def test_a_password_reset_email_is_sent(
    client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    # Queued once the request commits (test_password_reset.py covers the rest).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_the_login_page_refuses_an_overlong_username_with_a_message(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "a" * 5000, "password": "x"})
    assert response.status_code == 200
    assert b"at most 150 characters" in response.content
