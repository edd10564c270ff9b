import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts import events
from accounts.models import Role, User


def open_first() -> Case:
    """0 for open actions, 1 for closed ones: the first key of every "overdue first" list
    (ordered by due date next, overdue actions come first). Indexed, see Action.Meta."""
    return Case(
        When(status__in=["open", "in_progress"], then=Value(0)),
        default=Value(1),
        output_field=models.IntegerField(),
    )


@dataclass(frozen=True)
class Source:
    """A kind of record an action can come from: the foreign key on Action that holds it, the
    name filters use (?source=review), the label people read, when the record has no page of
    its own the attribute leading to the one that shows it (a note is read in its review), the
    relations its name reads (an interview is named after its client), and the queryset method
    of the page's model that says who may open it ("" when nobody decides: it is never named)."""

    field: str
    key: str
    label: str
    shown_in: str = ""
    reads: tuple[str, ...] = ()
    opened_by: str = "visible_to"

    def page_of(self, record):
        """The object whose page shows `record`."""
        return getattr(record, self.shown_in) if self.shown_in else record

    def opens_for(self, record, user) -> bool:
        """Whether `user` may open the page showing `record` (one query)."""
        if not self.opened_by:
            return False
        page = self.page_of(record)
        return getattr(type(page).objects, self.opened_by)(user).filter(pk=page.pk).exists()

    @property
    def related(self) -> list[str]:
        """What select_related needs to show this source with the action, in one query."""
        return [self.field, *(f"{self.field}__{r}" for r in (self.shown_in, *self.reads) if r)]


class ActionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ActionQuerySet":
        """Partners and facilitators see every action; everyone else the ones they own."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_any_role(*Action.OVERSEERS):
            return self
        return self.filter(owner=user)

    def still_open(self) -> "ActionQuerySet":
        return self.filter(status__in=Action.OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None) -> "ActionQuerySet":
        return self.still_open().filter(due_on__lt=today or timezone.localdate())

    def from_source(self, key: str) -> "ActionQuerySet":
        """Actions that came from a kind of source (a key of Action.SOURCES), or, for "none",
        the ones raised directly."""
        if key == "none":
            return self.filter(**{f"{s.field}__isnull": True for s in Action.SOURCES})
        return self.filter(**{f"{Action.source_named(key).field}__isnull": False})


class Action(models.Model):
    class PilotResult(models.TextChoices):
        WORKED = "worked", "Worked"
        DID_NOT_WORK = "did_not_work", "Did not work"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        VERIFIED = "verified", "Verified"
        WONT_DO = "wont_do", "Won't do"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
    # Who oversees every action: sees them all, lists and exports them, and assigns new ones.
    OVERSEERS = (Role.PARTNER, Role.FACILITATOR)
    # Files of evidence (accounts.attachments): added and removed by who may manage the action.
    ATTACHMENT_KIND = "action"
    # Where an action can come from, in the order the action page lists them. Creating an action,
    # rolling out a pilot, the list's filter, the export, the action page and the admin all read
    # this; a new kind of source is a foreign key below and one line here.
    SOURCES = (
        Source("source_review", "review", "Review"),
        Source("source_contribution", "contribution", "Review note", shown_in="review"),
        Source("source_interview", "interview", "Exit interview", reads=("client",)),
        Source("source_feedback", "feedback", "Client feedback", reads=("client",)),
        Source("source_lesson", "lesson", "Lesson"),
        Source("source_learning_check", "learning_check", "Learning check", opened_by=""),
        Source("source_suggestion", "suggestion", "Staff suggestion", opened_by="triageable_by"),
    )
    # What an action is about and where it came from: what create_action accepts and a roll-out
    # carries over from its pilot.
    ORIGIN_FIELDS = ("client", "cause", *(source.field for source in SOURCES))

    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    # Where the action came from. String references: this app never imports its sources.
    client = models.ForeignKey(
        "feedback.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    source_review = models.ForeignKey(
        "retrospectives.Review",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source_contribution = models.ForeignKey(
        "retrospectives.Contribution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source_lesson = models.ForeignKey(
        "retrospectives.Lesson",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source_interview = models.ForeignKey(
        "feedback.ExitInterview",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source_feedback = models.ForeignKey(
        "feedback.FeedbackResponse",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_of_actions",
    )
    source_learning_check = models.ForeignKey(
        "feedback.LearningCheck",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    source_suggestion = models.ForeignKey(
        "feedback.Suggestion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    cause = models.ForeignKey(
        "feedback.LossReason", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="actions")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(db_index=True)
    priority = models.CharField(max_length=10, choices=Priority, default=Priority.NORMAL)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN, db_index=True)
    evidence = models.TextField(blank=True, help_text="What changed, so a partner can verify it.")
    evidence_link = models.URLField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    recheck_on = models.DateField(null=True, blank=True)
    wont_do_reason = models.TextField(blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=300, blank=True)
    # A pilot: a small, time-boxed try of a change, judged against a hypothesis.
    is_pilot = models.BooleanField(default=False)
    hypothesis = models.TextField(blank=True)
    success_measure = models.CharField(max_length=500, blank=True)
    review_on = models.DateField(null=True, blank=True)
    pilot_result = models.CharField(max_length=14, choices=PilotResult, blank=True)
    pilot_learning = models.TextField(blank=True)
    pilot_result_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pilot_result_at = models.DateTimeField(null=True, blank=True)
    # One pilot is rolled out once: the roll-out action points back at it.
    rollout_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rollout"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"]),
            models.Index(open_first(), F("due_on"), F("id"), name="action_open_first_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["done", "verified"]) | ~Q(evidence=""),
                name="done_needs_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(status="wont_do") | ~Q(wont_do_reason=""),
                name="wont_do_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(is_pilot=False)
                | (~Q(hypothesis="") & ~Q(success_measure="") & Q(review_on__isnull=False)),
                name="pilot_needs_plan",
            ),
            models.CheckConstraint(
                condition=Q(pilot_result="") | (Q(is_pilot=True) & ~Q(pilot_learning="")),
                name="pilot_result_needs_learning",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("actions:action_detail", args=[self.pk])

    def as_event(self) -> dict:
        """What a webhook hears: where the action came from by kind and id only (an anonymous
        suggestion's author is never stored, and nobody's name is sent)."""
        source = next(
            (
                {"kind": s.key, "id": getattr(self, f"{s.field}_id")}
                for s in self.SOURCES
                if getattr(self, f"{s.field}_id")
            ),
            None,
        )
        return {
            "id": self.pk,
            "url": events.link(self),
            "title": self.title,
            "status": self.status,
            "priority": self.priority,
            "due_on": self.due_on,
            "done_at": self.done_at,
            "verified_at": self.verified_at,
            "client_id": self.client_id,
            "source": source,
        }

    @classmethod
    def source_named(cls, key: str) -> Source:
        for source in cls.SOURCES:
            if source.key == key:
                return source
        raise ValueError(f"No kind of source is called {key!r}.")

    def source_kinds(self) -> list[Source]:
        """The kinds of source this action has, read from the ids alone (no query)."""
        return [source for source in self.SOURCES if getattr(self, f"{source.field}_id")]

    def sources(self) -> list[tuple[Source, models.Model]]:
        """(kind, record) for each source this action has; select_related the `related` of each
        source to read them with the action."""
        return [(source, getattr(self, source.field)) for source in self.source_kinds()]

    def origin(self) -> dict[str, models.Model]:
        """The ORIGIN_FIELDS this action has set, as keyword arguments for create_action."""
        return {
            field: getattr(self, field)
            for field in self.ORIGIN_FIELDS
            if getattr(self, f"{field}_id") is not None
        }

    # Who may act on this action: decided here, next to visible_to. Views show the buttons
    # and fetch through these; the services refuse anyone else. None of them queries.

    def manageable_by(self, user: User) -> bool:
        """Owner or partner: start, complete, drop, re-date, edit, and run it as a pilot."""
        return user.is_active and (self.owner_id == user.pk or user.is_partner)

    def verifiable_by(self, user: User) -> bool:
        """A partner, or the facilitator of the source review; never the owner themself."""
        if not user.is_active or self.owner_id == user.pk:
            return False
        if user.is_partner:
            return True
        return self.source_review_id is not None and (self.source_review.facilitator_id == user.pk)

    def reassignable_by(self, user: User) -> bool:
        """Whoever may verify it, and any partner (even when they own it)."""
        return user.is_active and (user.is_partner or self.verifiable_by(user))

    def reopenable_by(self, user: User) -> bool:
        """Whoever may verify it, and the owner of one closed but not yet verified."""
        if self.verifiable_by(user):
            return True
        return (
            user.is_active
            and self.owner_id == user.pk
            and self.status in (self.Status.DONE, self.Status.WONT_DO)
        )

    def snoozable_by(self, user: User) -> bool:
        """Only the owner snoozes their own reminders."""
        return user.is_active and self.owner_id == user.pk

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    def attachments_editable_by(self, user: User) -> bool:
        return self.manageable_by(user)

    @property
    def pilot_running(self) -> bool:
        return self.is_pilot and not self.pilot_result


class ActionEvent(models.Model):
    """The history of an action: one row per transition or change."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Action.Status, blank=True)
    to_status = models.CharField(max_length=12, choices=Action.Status, blank=True)
    note = models.TextField(blank=True)
    # A comment in the action's thread, kept in its history beside the status changes.
    is_comment = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '—'} → {self.to_status or '—'}"


class Reminder(models.Model):
    """One planned nudge. The row, not a Celery ETA, is the source of truth: the sweeper sends
    rows whose time has come, and the unique constraint means each nudge exists once."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", "Due soon"
        DUE = "due", "Due today"
        OVERDUE = "overdue", "Overdue"
        ESCALATION = "escalation", "Escalation"
        RECHECK = "recheck", "Re-check"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind)
    sequence = models.PositiveSmallIntegerField(default=1)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    scheduled_for = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which sweep run claimed the row; a conditional UPDATE sets it, so two sweepers never
    # both believe they own the same nudge.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheduled_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "sequence", "recipient"], name="one_nudge_each"
            ),
        ]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                condition=Q(sent_at__isnull=True),
                name="reminder_unsent_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.sequence} for {self.action} to {self.recipient}"


class ReminderPolicy(models.Model):
    """The firm's reminder policy: one row, edited in admin."""

    days_before_due = models.PositiveSmallIntegerField(default=3)
    overdue_every_days = models.PositiveSmallIntegerField(default=7)
    escalate_after_overdue = models.PositiveSmallIntegerField(
        default=2, help_text="Copy the relationship partner after this many overdue nudges."
    )
    weekends_off = models.BooleanField(default=True)
    workday_starts = models.TimeField(default=dt.time(9, 0))
    workday_ends = models.TimeField(default=dt.time(17, 30))

    class Meta:
        verbose_name_plural = "reminder policy"

    def __str__(self) -> str:
        return "Reminder policy"

    @classmethod
    def current(cls) -> "ReminderPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class QuietPeriod(models.Model):
    """Busy season, holidays: reminders wait until the period ends."""

    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="quiet_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on} – {self.ends_on})"


class Notification(models.Model):
    """Something a person should hear about: shown in their inbox (the bell in the navigation)
    and, as they prefer (NotificationPreference), e-mailed at once or in the next morning's
    digest by the reminder sweep, which keeps to working hours and quiet periods. A notification
    names who acted only where that person was named anyway: never about anything anonymous."""

    class Event(models.TextChoices):
        ASSIGNED = "assigned", "An action is assigned to me"
        DONE = "done", "An action I asked for is done"
        VERIFIED = "verified", "An action of mine is verified"
        REOPENED = "reopened", "An action of mine is reopened"
        FEEDBACK = "feedback", "New feedback about a client of mine"
        MENTIONED = "mentioned", "Someone mentions me"

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=12, choices=Event)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it may be e-mailed (empty: in the app only); the sweep sets emailed_at once it went.
    email_after = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Which sweep claimed it for e-mail, and when (a claim older than the sweep's timeout is
    # taken over: the worker that held it died).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["email_after"],
                condition=Q(emailed_at__isnull=True, email_after__isnull=False),
                name="notification_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.recipient}: {self.text}"


class NotificationPreference(models.Model):
    """How one person hears about one kind of event; without a row, DEFAULTS apply."""

    class Channel(models.TextChoices):
        APP = "app", "In the app only"
        INSTANT = "instant", "E-mail at once"
        DIGEST = "digest", "Daily digest e-mail"

    DEFAULTS = {
        Notification.Event.ASSIGNED: Channel.INSTANT,
        Notification.Event.DONE: Channel.INSTANT,
        Notification.Event.VERIFIED: Channel.DIGEST,
        Notification.Event.REOPENED: Channel.INSTANT,
        Notification.Event.FEEDBACK: Channel.INSTANT,
        Notification.Event.MENTIONED: Channel.INSTANT,
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=12, choices=Notification.Event)
    channel = models.CharField(max_length=8, choices=Channel)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_event_display()} → {self.get_channel_display()}"
