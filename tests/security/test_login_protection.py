"""Logging in: repeated failures lock the username out for an hour with a clear message, and weak
passwords are refused when someone changes theirs."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_the_login_form_locks_out_after_five_failures_with_a_clear_message(client, alice):
    answers = [_log_in(client, "alice", "wrong").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    response = _log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_an_hour(client, alice):
    start = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            _log_in(client, "alice", "wrong")
        assert _log_in(client, "alice", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=61))
        assert _log_in(client, "alice", PASSWORD).status_code == 302


def test_one_persons_failures_do_not_lock_out_another(client, alice, bob):
    for _ in range(5):
        _log_in(client, "alice", "wrong")
    assert _log_in(client, "bob", PASSWORD).status_code == 302


def test_a_lockout_is_per_address_too(client, alice):
    for _ in range(5):
        _log_in(client, "alice", "wrong", ip="10.0.0.1")
    assert _log_in(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("short1", b"too short"),
        ("password123", b"too common"),
        ("8274619305", b"entirely numeric"),
        ("alice.moreno@example", b"too similar"),
    ],
)
def test_a_weak_new_password_is_refused(client, alice, new_password, message):
    alice.email = "alice.moreno@example.com"
    alice.first_name, alice.last_name = "Alice", "Moreno"
    alice.save()
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
