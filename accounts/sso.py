"""Single sign-on with OpenID Connect, and the switch that turns local passwords off.

mozilla-django-oidc runs the authorization-code flow (state, nonce, PKCE, the token exchange, the
ID token's signature against the provider's JWKS). This module adds what it leaves to us: the
endpoints from the issuer's discovery document, the issuer and audience checks, which people may
come in (allowed e-mail domains, verified addresses, active accounts), matching them by e-mail,
creating newcomers with no role, the optional roles from a groups claim, and a message on the
login page for every refusal, and logging out at the provider too. Everything is off while
OIDC_ISSUER is unset.
"""

import logging
from functools import wraps
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core import checks
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend, default_username_algo
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import audit
from .models import Role, User

logger = logging.getLogger(__name__)

UNAVAILABLE = "Single sign-on is unavailable right now. Try again in a few minutes."
NOT_COMPLETED = "Single sign-on did not complete. Try again."
PASSWORDS_OFF = "This firm signs in with single sign-on only: passwords are switched off."

# The settings mozilla-django-oidc reads for each endpoint, and the discovery document's names.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


class ProviderUnavailable(Exception):
    """The issuer's discovery document could not be read, or does not describe that issuer."""


class Refused(Exception):
    """A person the provider vouched for may not come in; the message says why, to them."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


# Issuer → its discovery document, read once per process (endpoints change with a new issuer).
_discovered: dict[str, dict] = {}


def discovery(issuer: str) -> dict:
    document = _discovered.get(issuer)
    if document is not None:
        return document
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"Could not read {url}: {error}") from error
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url} does not describe the issuer {issuer}.")
    _discovered[issuer] = document
    return document


def setting(name: str, *default):
    """mozilla-django-oidc's settings lookup; an endpoint not set explicitly comes from the
    issuer's discovery document."""
    if name in ENDPOINTS and not getattr(settings, name, ""):
        value = discovery(settings.OIDC_ISSUER).get(ENDPOINTS[name])
        if not value:
            raise ProviderUnavailable(f"The issuer's discovery document has no {ENDPOINTS[name]}.")
        return value
    return import_from_settings(name, *default)


def _setting_property(name: str) -> property:
    return property(lambda self: setting(name))


def mapped_roles() -> dict[str, Role]:
    """Provider group → the role it grants, from OIDC_GROUP_ROLES."""
    return {group: Role[role.upper()] for group, role in settings.OIDC_GROUP_ROLES.items()}


@checks.register(checks.Tags.security)
def check_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    role_keys = {role.name.lower() for role in Role}
    for group, role in settings.OIDC_GROUP_ROLES.items():
        if not group or role not in role_keys:
            errors.append(
                checks.Error(
                    f"OIDC_GROUP_ROLES: {group}={role} is not a provider group and one of "
                    f"{', '.join(sorted(role_keys))}.",
                    id="accounts.E001",
                )
            )
    if settings.OIDC_GROUP_ROLES and not settings.OIDC_GROUPS_CLAIM:
        errors.append(checks.Error("OIDC_GROUP_ROLES needs OIDC_GROUPS_CLAIM.", id="accounts.E002"))
    if not settings.LOCAL_PASSWORDS and not enabled():
        errors.append(
            checks.Error(
                "LOCAL_PASSWORDS=0 needs single sign-on (OIDC_ISSUER): nobody could log in.",
                id="accounts.E003",
            )
        )
    return errors


def not_a_password_attempt(request, credentials: dict | None) -> bool:
    """django-axes counts and locks out password attempts only (AXES_WHITELIST_CALLABLE)."""
    return "password" not in (credentials or {})


class PasswordBackend(ModelBackend):
    """Django's password check; with LOCAL_PASSWORDS off it lets only superusers in (the way in
    when the provider is down), whatever page asks."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or settings.LOCAL_PASSWORDS or user.is_superuser:
            return user
        return None


class SingleSignOnBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(setting)
    # Django's session check, which logs out a deactivated person; mozilla's does not.
    get_user = ModelBackend.get_user

    # Django builds a backend for every login and every request's session: read the provider's
    # settings only when a login needs them, never on construction.
    OIDC_OP_TOKEN_ENDPOINT = _setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting_property("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _setting_property("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting_property("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _setting_property("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not enabled() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refusal:
            request.sso_refusal = str(refusal)
            audit.record(
                actor=None,
                verb="denied",
                object_type="accounts.user",
                request=request,
                detail={"single_sign_on": str(refusal)},
            )
        except (ProviderUnavailable, requests.RequestException, SuspiciousOperation) as error:
            logger.warning("Single sign-on failed: %s", error)
            request.sso_refusal = (
                UNAVAILABLE if isinstance(error, ProviderUnavailable) else NOT_COMPLETED
            )
        return None

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc checks the signature and the nonce; the token must also come from
        our issuer and be meant for us."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is meant for another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info describes someone else than the ID token.")
        # Some providers (Microsoft Entra) put the groups in the ID token only.
        claims = {**payload, **userinfo}
        email = str(claims.get("email") or "").strip()
        if not email:
            raise Refused("Your sign-in provider did not give us your e-mail address.")
        if str(claims.get("email_verified", True)).lower() == "false":
            raise Refused(f"Your sign-in provider has not verified {email} yet.")
        if email.rpartition("@")[2].lower() not in settings.OIDC_ALLOWED_DOMAINS:
            raise Refused(f"{email} is not one of this firm's addresses: sign in with your firm's.")
        with transaction.atomic():
            users = list(self.UserModel.objects.filter(email__iexact=email)[:2])
            if len(users) > 1:
                raise Refused(f"Two accounts share {email}: ask an administrator to fix that.")
            if users and not users[0].is_active:
                raise Refused("Your learnorg account is switched off: ask a partner or an admin.")
            user = users[0] if users else self.create_user(claims)
            self.sync_roles(user, claims)
        return user

    def create_user(self, claims) -> User:
        email = claims["email"].strip()
        username = email.lower()
        if len(username) > 150 or self.UserModel.objects.filter(username=username).exists():
            username = default_username_algo(email)
        given, family = claims.get("given_name") or "", claims.get("family_name") or ""
        user = self.UserModel(
            username=username,
            email=email,
            first_name=given[:150],
            last_name=family[:150],
            display_name=str(claims.get("name") or f"{given} {family}").strip()[:120],
        )
        # No password to guess or reset: this person signs in through the provider.
        user.set_unusable_password()
        user.save()
        audit.record(
            actor=user, verb="create", obj=user, request=self.request, detail={"via": "sso"}
        )
        return user

    def sync_roles(self, user: User, claims: dict) -> None:
        """With group mapping on, the mapped roles follow the provider's groups at every sign-in;
        roles nobody mapped stay as a partner or an admin set them."""
        mapping = mapped_roles()
        if not (settings.OIDC_GROUPS_CLAIM and mapping):
            return
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        # Some providers send a lone group as a string.
        groups = [groups] if isinstance(groups, str) else groups
        granted = {mapping[group].value for group in groups if group in mapping}
        held = set(
            user.groups.filter(name__in=[role.value for role in mapping.values()]).values_list(
                "name", flat=True
            )
        )
        if granted == held:
            return
        user.groups.add(*Group.objects.filter(name__in=granted - held))
        user.groups.remove(*Group.objects.filter(name__in=held - granted))
        audit.record(
            actor=user,
            verb="update",
            obj=user,
            request=self.request,
            detail={"roles_added": sorted(granted - held), "roles_removed": sorted(held - granted)},
        )


def provider_logout_url(request) -> str:
    """Where a person who signed in through the provider goes after logging out of learnorg, so
    that the provider ends its session too (OpenID Connect RP-initiated logout) and sends them
    back to the login page; empty for a password session, or when the provider has no logout
    endpoint or cannot be read. Call it before logging out: that empties the session."""
    id_token = request.session.get("oidc_id_token")
    backend = f"{SingleSignOnBackend.__module__}.{SingleSignOnBackend.__qualname__}"
    if not (enabled() and id_token and request.session.get(BACKEND_SESSION_KEY) == backend):
        return ""
    try:
        endpoint = setting("OIDC_OP_LOGOUT_ENDPOINT")
    except ProviderUnavailable as error:
        logger.warning("Logging out at the provider is not possible: %s", error)
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGIN_URL)),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login page."""

    get_settings = staticmethod(setting)
    OIDC_OP_AUTH_ENDPOINT = _setting_property("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting_property("OIDC_RP_CLIENT_ID")

    def __init__(self, **kwargs):
        # Skips mozilla's constructor, which would read the discovery document on every request.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except ProviderUnavailable as error:
            logger.error("Single sign-on is unavailable: %s", error)
            messages.error(request, UNAVAILABLE)
            return redirect(settings.LOGIN_URL)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; a refusal returns to the login page with its
    message."""

    get_settings = staticmethod(setting)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self):
        messages.error(self.request, getattr(self.request, "sso_refusal", NOT_COMPLETED))
        return redirect(settings.LOGIN_URL)


def local_passwords_only(view):
    """Password reset and change pages answer 404 with an explanation when passwords are off;
    a superuser may still change the break-glass password."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.LOCAL_PASSWORDS or request.user.is_superuser:
            return view(request, *args, **kwargs)
        return render(
            request, "registration/passwords_off.html", {"message": PASSWORDS_OFF}, status=404
        )

    return wrapper
