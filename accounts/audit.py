"""Who did what to which object, from where. Interviews are confidential, so every access counts."""

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User
from .network import client_ip


def record(
    *,
    actor: User | None,
    verb: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    request: HttpRequest | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit row. Pass `obj`, or `object_type`/`object_id` for an object that was not
    found or may not be shown (a denied attempt)."""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=str(object_id),
        ip=client_ip(request),
        detail=detail or {},
    )


def record_each(
    *,
    actor: User | None,
    verb: str,
    objects: list[models.Model],
    request: HttpRequest | None = None,
    detail: dict | None = None,
) -> None:
    """One audit row per object, written in one INSERT: a list page or an export that shows
    several confidential objects at once."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    ip = client_ip(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            verb=verb,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            ip=ip,
            detail=detail or {},
        )
        for obj in objects
    )
