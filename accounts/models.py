import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    """The Django groups that grant roles. Every active user is also staff."""

    ACCOUNT_MANAGER = "Account managers"
    FACILITATOR = "Facilitators"
    PARTNER = "Partners"


class Office(models.Model):
    # Lives here rather than in feedback so that users can belong to one without accounts
    # importing any other app.
    name = models.CharField(max_length=80, unique=True)
    city = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Seniority(models.TextChoices):
        STAFF = "staff", "Staff"
        SENIOR = "senior", "Senior"
        MANAGER = "manager", "Manager"
        PARTNER = "partner", "Partner"

    display_name = models.CharField(max_length=120, blank=True)
    # The Monday e-mail of lessons published in the week before (retrospectives); turned off
    # on the notification settings page.
    # A default in the database too, so rows written by older code (or a migration test's
    # historical models) get it.
    lessons_digest = models.BooleanField(
        "Weekly e-mail of newly published lessons", default=True, db_default=True
    )
    # The bell's number, kept on the row every request loads anyway, so the bell costs no query:
    # actions.notifications adds one per notification and counts again when some are read.
    unread_notifications = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    seniority = models.CharField(max_length=10, choices=Seniority, default=Seniority.STAFF)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    # The columns `name` reads: enough for a list that only shows who someone is.
    NAME_FIELDS = ("display_name", "first_name", "last_name", "username")

    class Meta:
        ordering = ["display_name", "username"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.has_any_role(role)

    def has_any_role(self, *roles: Role) -> bool:
        """Active and holding one of `roles`; an admin holds every role."""
        if not self.is_active:
            return False
        return self.is_superuser or any(role.value in self.role_names for role in roles)

    @property
    def is_partner(self) -> bool:
        return self.has_role(Role.PARTNER)

    @property
    def is_facilitator(self) -> bool:
        return self.has_role(Role.FACILITATOR)

    @property
    def is_account_manager(self) -> bool:
        return self.has_role(Role.ACCOUNT_MANAGER)


class AuditEvent(models.Model):
    class Verb(models.TextChoices):
        VIEW = "view"
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        EXPORT = "export"
        DENIED = "denied"

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    verb = models.CharField(max_length=10, choices=Verb)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.object_type}#{self.object_id}"


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    """Files are stored under a random name (the original is kept in `name`): nothing about a
    client shows in the storage's listing, and no name is ever guessed."""
    return f"attachments/{attachment.content_type.app_label}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file attached to an object (an action's evidence, an exit interview's document). It is
    never served from a public URL: `accounts.attachments.download` checks that the person may
    see the object it belongs to, through that object's own `visible_to`."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type_header = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:attachment", args=[self.pk])


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the REST API. Only a SHA-256 digest of the secret is kept: the
    secret is shown once, when the token is made, and can never be read again; the prefix
    tells one token from another on the settings page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
