"""Personal API tokens: made, recognised and revoked here; the settings page and the API's
authentication both ask this module."""

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from . import audit
from .models import ApiToken, User

# Marks the string as a learnorg token (secret scanners and people can tell it apart).
PREFIX = "lorg_"
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret, which is not stored and cannot be shown again."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(PREFIX) + 6], digest=digest_of(secret)
    )
    return token, secret


def user_for(secret: str) -> tuple[User, ApiToken] | None:
    """The active person an unrevoked token belongs to, or None."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=digest_of(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def revoke(*, token: ApiToken, by: User, request=None) -> None:
    """Revoke the token (from its owner's page or by an administrator) and audit who did."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor=by, verb="update", obj=token, request=request, detail={"revoked": True})
