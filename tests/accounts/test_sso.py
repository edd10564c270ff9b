"""Single sign-on through a real OpenID Connect provider (tests/oidc_provider, in a process of its
own): the provider's login form is filled in, it issues and signs the tokens, and learnorg's
callback fetches them from its token endpoint."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessLog
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts import sso as sso_module
from accounts.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory
from tests.oidc_provider.running import sign_in

pytestmark = pytest.mark.django_db


def _log_in(client, username: str, next_url: str = ""):
    """The whole round trip: learnorg → the provider's login form → learnorg's callback."""
    start = reverse("accounts:sso_start") + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302
    return client.get(sign_in(response["Location"], username), follow=True)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_sso_login_page_shows_the_button_next_to_the_password_form(client, sso):
    response = client.get(reverse("accounts:login"))
    assert b"Sign in with Test ID" in response.content
    assert b'name="password"' in response.content


def test_sso_newcomer_in_an_allowed_domain_is_created_with_no_role(client, sso):
    response = _log_in(client, "nina")
    assert response.redirect_chain[-1][0] == reverse("home")
    nina = User.objects.get(email="nina.new@firm.example")
    assert response.context["user"] == nina
    assert nina.is_active and not nina.is_staff and not nina.is_superuser
    assert nina.name == "Nina New"
    assert list(nina.groups.all()) == []
    assert not nina.has_usable_password()
    assert AuditEvent.objects.filter(actor=nina, verb="create", object_id=str(nina.pk)).exists()


def test_sso_login_is_logged_like_a_password_login(client, sso, alice):
    _log_in(client, "alice")
    log = AccessLog.objects.get()
    assert (log.username, log.path_info) == ("alice", reverse("accounts:sso_callback"))


def test_sso_second_login_finds_the_same_person(client, sso):
    _log_in(client, "nina")
    client.logout()
    _log_in(client, "nina")
    assert User.objects.filter(email__iexact="nina.new@firm.example").count() == 1


def test_sso_existing_user_is_matched_by_email_whatever_its_case_and_keeps_roles(
    client, sso, alice
):
    response = _log_in(client, "alice")
    assert response.context["user"] == alice
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert alice.groups.get().name == Role.ACCOUNT_MANAGER.value


def test_sso_returns_to_the_page_asked_for(client, sso, alice):
    response = _log_in(client, "alice", next_url=reverse("actions:action_mine"))
    assert response.redirect_chain[-1][0] == reverse("actions:action_mine")


def test_sso_email_outside_the_allowed_domains_is_refused_with_a_message(client, sso):
    response = _log_in(client, "eve")
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert _messages(response) == [
        "eve@elsewhere.example is not one of this firm's addresses: sign in with your firm's."
    ]
    assert not response.context["user"].is_authenticated
    assert not User.objects.filter(email__iexact="eve@elsewhere.example").exists()
    assert AuditEvent.objects.filter(verb="denied", object_type="accounts.user").exists()


def test_sso_unverified_email_is_refused(client, sso):
    response = _log_in(client, "una")
    assert _messages(response) == ["Your sign-in provider has not verified una@firm.example yet."]
    assert not User.objects.filter(email="una@firm.example").exists()


def test_sso_deactivated_person_is_refused(client, sso):
    UserFactory(username="nina", email="nina.new@firm.example", is_active=False)
    response = _log_in(client, "nina")
    assert not response.context["user"].is_authenticated
    assert _messages(response) == [
        "Your learnorg account is switched off: ask a partner or an admin."
    ]


def test_sso_two_accounts_with_the_address_are_refused_not_guessed(client, sso):
    UserFactory(username="nina1", email="nina.new@firm.example")
    UserFactory(username="nina2", email="NINA.NEW@firm.example")
    response = _log_in(client, "nina")
    assert not response.context["user"].is_authenticated
    assert "Two accounts share nina.new@firm.example" in _messages(response)[0]


def test_sso_group_mapping_grants_exactly_the_mapped_roles(client, sso, settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"lo-partners": "partner", "lo-facilitators": "facilitator"}
    # The provider puts pam in lo-partners and sales (unmapped); learnorg had her facilitating
    # (a mapped role she no longer holds there) and managing accounts (not mapped: kept).
    pam = UserFactory(
        username="pam", email="pam@firm.example", roles=[Role.FACILITATOR, Role.ACCOUNT_MANAGER]
    )
    response = _log_in(client, "pam")
    assert response.context["user"] == pam
    assert set(pam.groups.values_list("name", flat=True)) == {
        Role.PARTNER.value,
        Role.ACCOUNT_MANAGER.value,
    }


def test_sso_without_group_mapping_never_changes_roles(client, sso):
    pam = UserFactory(username="pam", email="pam@firm.example", roles=[Role.FACILITATOR])
    _log_in(client, "pam")
    assert list(pam.groups.values_list("name", flat=True)) == [Role.FACILITATOR.value]
    assert Group.objects.filter(name="lo-partners").count() == 0


def test_sso_refuses_a_callback_whose_state_it_never_issued(client, sso):
    response = client.get(reverse("accounts:sso_callback") + "?code=made-up&state=made-up")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email__endswith="firm.example").exists()


def test_sso_a_discovery_document_of_another_issuer_is_not_trusted(client, sso, settings):
    # The same provider reached by another name still says its issuer is 127.0.0.1.
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    response = client.get(reverse("accounts:sso_start"), follow=True)
    assert _messages(response) == [sso_module.UNAVAILABLE]


def test_sso_an_endpoint_set_explicitly_wins_over_discovery(client, sso, settings):
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.firm.example/authorize"
    response = client.get(reverse("accounts:sso_start"))
    assert response["Location"].startswith("https://login.firm.example/authorize?")


def test_sso_an_unreachable_provider_gives_a_message_not_an_error(client, sso, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    response = client.get(reverse("accounts:sso_start"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert _messages(response) == [sso_module.UNAVAILABLE]


@pytest.mark.parametrize(
    ("claim", "value"), [("aud", "someone-else"), ("iss", "http://127.0.0.1:9/o")]
)
def test_sso_an_id_token_for_another_client_or_from_another_issuer_is_refused(
    client, sso, monkeypatch, claim, value
):
    # A well-behaved provider never issues such a token: alter the verified one on its way in.
    verify = OIDCAuthenticationBackend.verify_token

    def altered(backend, token, **kwargs):
        return {**verify(backend, token, **kwargs), claim: value}

    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", altered)
    response = _log_in(client, "nina")
    assert not response.context["user"].is_authenticated
    assert _messages(response) == [sso_module.NOT_COMPLETED]
    assert not User.objects.filter(email="nina.new@firm.example").exists()


def test_local_passwords_off_shows_only_the_button(client, sso, settings):
    settings.LOCAL_PASSWORDS = False
    response = client.get(reverse("accounts:login"))
    assert b"Sign in with Test ID" in response.content
    assert b'name="password"' not in response.content
    assert b"Forgotten your password?" not in response.content


def test_local_passwords_off_refuses_a_password_login(client, sso, settings, alice):
    settings.LOCAL_PASSWORDS = False
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert _messages(response) == [sso_module.PASSWORDS_OFF]
    assert not response.context["user"].is_authenticated


def test_local_passwords_off_still_lets_sso_in(client, sso, settings, alice):
    settings.LOCAL_PASSWORDS = False
    assert _log_in(client, "alice").context["user"] == alice


def test_local_passwords_off_refuses_password_reset_pages(client, sso, settings, alice):
    settings.LOCAL_PASSWORDS = False
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 404
    assert sso_module.PASSWORDS_OFF.encode() in response.content
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 404
    client.force_login(alice)
    assert client.get(reverse("accounts:password_change")).status_code == 404


def test_local_passwords_off_keeps_the_break_glass_superuser_at_admin(client, sso, settings):
    settings.LOCAL_PASSWORDS = False
    UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="staffer", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "staffer", "password": PASSWORD, "next": "/admin/"}
    )
    assert not response.context["user"].is_authenticated
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_sso_off_no_button_and_no_pages(client, alice):
    response = client.get(reverse("accounts:login"))
    assert b"Sign in with" not in response.content
    assert b'name="password"' in response.content
    assert client.get(reverse("accounts:sso_start")).status_code == 404
    assert client.get(reverse("accounts:sso_callback") + "?code=x&state=y").status_code == 404


def test_sso_settings_refuse_unknown_roles_in_the_group_mapping(settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"lo-bosses": "boss"}
    assert [error.id for error in sso_module.check_settings(None)] == ["accounts.E001"]


def test_sso_settings_refuse_passwords_off_without_sso(settings):
    settings.LOCAL_PASSWORDS = False
    assert [error.id for error in sso_module.check_settings(None)] == ["accounts.E003"]


def test_sso_person_without_a_password_is_not_offered_to_change_it(client, sso, alice):
    _log_in(client, "nina")
    assert b"Change password" not in client.get(reverse("home")).content
    client.force_login(alice)
    assert b"Change password" in client.get(reverse("home")).content


def test_sso_refusals_do_not_lock_anyone_out(client, sso, alice):
    for _ in range(6):
        _log_in(client, "eve")
    assert _log_in(client, "alice").context["user"] == alice
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_sso_logout_ends_the_session_at_the_provider_too_and_comes_back_to_login(client, sso):
    _log_in(client, "nina")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("accounts:logout"))
    # A page that moves on by itself: browsers refuse a logout form's redirect to another site.
    location = response.context["provider_logout_url"]
    assert response.status_code == 200
    # The page holds the ID token: never kept by a cache.
    assert "no-store" in response["Cache-Control"]
    assert f'http-equiv="refresh" content="0;url={escape(location)}"' in response.content.decode()
    at_provider = urlsplit(location)
    assert (
        f"{at_provider.scheme}://{at_provider.netloc}{at_provider.path}" == f"{sso.issuer}/logout/"
    )
    assert parse_qs(at_provider.query) == {
        "id_token_hint": [id_token],
        "client_id": [sso.client_id],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
    }
    assert client.get(reverse("home")).status_code == 302
    # The provider accepts the request (a token it issued, a registered address) and sends back.
    back = requests.get(location, allow_redirects=False, timeout=10)
    assert (back.status_code, back.headers["Location"]) == (
        302,
        "http://testserver/accounts/login/",
    )


def test_sso_logout_of_a_password_session_stays_at_learnorg(client, sso, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_sso_logout_without_a_provider_logout_endpoint_stays_at_learnorg(client, sso, monkeypatch):
    _log_in(client, "nina")
    document = {**sso_module.discovery(sso.issuer)}
    del document["end_session_endpoint"]
    monkeypatch.setitem(sso_module._discovered, sso.issuer, document)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_sso_logout_when_the_provider_cannot_be_read_stays_at_learnorg(client, sso, settings):
    _log_in(client, "nina")
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_sso_logout_endpoint_set_explicitly_wins_over_discovery(client, sso, settings):
    _log_in(client, "nina")
    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://login.firm.example/logout?tenant=firm"
    response = client.post(reverse("accounts:logout"))
    assert response.context["provider_logout_url"].startswith(
        "https://login.firm.example/logout?tenant=firm&"
    )


def test_sso_logout_by_get_is_refused_and_keeps_the_session(client, sso):
    _log_in(client, "nina")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_sso_logout_without_the_csrf_token_is_refused(sso):
    client = Client(enforce_csrf_checks=True)
    _log_in(client, "nina")
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200
