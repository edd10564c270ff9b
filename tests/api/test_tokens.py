"""Personal API tokens: made and revoked on the person's page, shown once, stored hashed."""

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import tokens
from accounts.models import ApiToken, AuditEvent

TOKENS = reverse("accounts:api_tokens")
CLIENTS = reverse("api:client-list")


def test_token_made_on_the_page_is_shown_once_and_stored_hashed(client, alice):
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "CRM sync"})
    secret = response.context["created"]["secret"]
    assert secret.startswith(tokens.PREFIX) and secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=alice)
    assert token.name == "CRM sync"
    assert secret not in {token.digest, token.prefix} and token.digest == tokens.digest_of(secret)
    assert secret not in client.get(TOKENS).content.decode()
    assert token.prefix in client.get(TOKENS).content.decode()
    [event] = AuditEvent.objects.filter(object_type="accounts.apitoken")
    assert (event.actor, event.verb, event.object_id) == (alice, "create", str(token.pk))
    assert secret not in str(event.detail)


def test_token_name_is_required_with_a_message(client, alice):
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "  "})
    assert response.status_code == 200
    assert "Name the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_authenticates_its_owner(alice):
    _, secret = tokens.create_token(user=alice, name="script")
    response = Client().get(CLIENTS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    response = Client().get(CLIENTS, headers={"Authorization": f"Token {secret}"})
    assert response.status_code == 200


def test_request_without_a_token_gets_401_json_not_the_login_page(db):
    response = Client().get(CLIENTS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_token_gets_401(alice):
    tokens.create_token(user=alice, name="script")
    response = Client().get(CLIENTS, headers={"Authorization": "Bearer lorg_not-a-token"})
    assert response.status_code == 401


def test_revoked_token_gets_401(client, alice):
    token, secret = tokens.create_token(user=alice, name="script")
    client.force_login(alice)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(verb="update", object_id=str(token.pk), actor=alice).exists()
    response = Client().get(CLIENTS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_token_of_someone_who_left_gets_401(alice):
    _, secret = tokens.create_token(user=alice, name="script")
    alice.is_active = False
    alice.save()
    response = Client().get(CLIENTS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_revoking_another_persons_token_is_404(client, alice, bob):
    token, _ = tokens.create_token(user=alice, name="Alice's nightly export")
    client.force_login(bob)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.active().filter(pk=token.pk).exists()
    assert "nightly export" not in client.get(TOKENS).content.decode()


def test_revoking_needs_post(client, alice):
    token, _ = tokens.create_token(user=alice, name="script")
    client.force_login(alice)
    assert client.get(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 405


def test_last_used_is_written_at_most_once_a_minute(alice):
    token, secret = tokens.create_token(user=alice, name="script")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        tokens.user_for(secret)
        tokens.user_for(secret)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        tokens.user_for(secret)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        tokens.user_for(secret)
    token.refresh_from_db()
    assert token.last_used_at == start + dt.timedelta(minutes=2)


def test_token_leaked_is_revoked_by_an_administrator_in_admin(client, alice, admin_user):
    token, secret = tokens.create_token(user=alice, name="CRM sync")
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_apitoken_changelist")
    assert token.prefix in client.get(changelist).content.decode()
    client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(CLIENTS, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    [event] = AuditEvent.objects.filter(object_type="accounts.apitoken", verb="update")
    assert (event.actor, event.detail) == (admin_user, {"revoked": True})
    # Nobody makes, edits or deletes a token there: the record of it stays.
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert "delete_selected" not in client.get(changelist).content.decode()
