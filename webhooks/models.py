import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from accounts.events import EVENTS

from . import destinations


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An address that hears about the events it picked, each delivery signed with its secret."""

    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=destinations.SCHEMES)],
        help_text="Where deliveries are POSTed as JSON.",
    )
    events = models.JSONField(default=list, help_text="The events this address hears about.")
    secret = models.CharField(
        max_length=100,
        default=new_secret,
        help_text="Signs every delivery (X-Learnorg-Signature); give it to the receiver.",
    )
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True, help_text="Turned off, it hears nothing.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.description or self.url

    def clean(self):
        unknown = sorted(set(self.events) - set(EVENTS))
        if unknown or not self.events:
            raise ValidationError({"events": "Pick at least one of the listed events."})
        if reason := destinations.refusal(self.url):
            raise ValidationError({"url": reason})

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class Delivery(models.Model):
    """One event sent (or being sent) to one webhook: the exact body, and how the last attempt
    went. A replay is a new delivery of the same body."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=list(EVENTS.items()))
    body = models.TextField(help_text="The JSON sent, as signed.")
    status = models.CharField(max_length=7, choices=Status, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The start of the receiver's answer.")
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook}"
