import datetime as dt
import hashlib
import secrets
from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts import events
from accounts.models import Office, Role, User


class ServiceLine(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ClientQuerySet":
        """Partners and facilitators see every client; account managers their own."""
        if user.is_partner or user.is_facilitator:
            return self
        return self.filter(Q(account_manager=user) | Q(relationship_partner=user))

    def editable_by(self, user: User) -> "ClientQuerySet":
        """Partners edit every client; an account manager edits the clients they manage."""
        if not user.is_authenticated or not user.has_any_role(*Client.EDITORS):
            return self.none()
        if user.is_partner:
            return self
        return self.filter(account_manager=user)


class Client(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        AT_RISK = "at_risk", "At risk"
        LOST = "lost", "Lost"
        WON_BACK = "won_back", "Won back"

    # Who adds clients and edits them (an account manager only their own: editable_by).
    EDITORS = (Role.PARTNER, Role.ACCOUNT_MANAGER)
    # Who imports clients from a CSV file (it may update any client).
    IMPORTED_BY = (Role.PARTNER,)

    class Industry(models.TextChoices):
        CONSTRUCTION = "construction", "Construction"
        HEALTHCARE = "healthcare", "Healthcare"
        HOSPITALITY = "hospitality", "Hospitality"
        MANUFACTURING = "manufacturing", "Manufacturing"
        NONPROFIT = "nonprofit", "Non-profit"
        PROFESSIONAL = "professional", "Professional services"
        REAL_ESTATE = "real_estate", "Real estate"
        RETAIL = "retail", "Retail"
        TECHNOLOGY = "technology", "Technology"
        INDIVIDUAL = "individual", "Private individual"

    class SizeBand(models.TextChoices):
        MICRO = "micro", "Micro (under $1M revenue)"
        SMALL = "small", "Small ($1M–$10M)"
        MEDIUM = "medium", "Medium ($10M–$50M)"
        LARGE = "large", "Large (over $50M)"

    name = models.CharField(max_length=200, unique=True)
    service_lines = models.ManyToManyField(ServiceLine, blank=True, related_name="clients")
    industry = models.CharField(max_length=20, choices=Industry, blank=True)
    size_band = models.CharField(max_length=10, choices=SizeBand, blank=True)
    annual_fees = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="clients"
    )
    relationship_partner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_clients"
    )
    # Indexed with the id (client_manager_ids below), which serves every lookup by manager.
    account_manager = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_clients",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE, db_index=True)
    client_since = models.DateField(null=True, blank=True)
    lost_on = models.DateField(null=True, blank=True, db_index=True)
    # The person at the client the feedback link is sent to (erase_client clears both).
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # A manager's client ids from the index alone (an index-only scan), as the visibility
            # of interviews joins them, instead of visiting each client row scattered in the table.
            models.Index(fields=["account_manager", "id"], name="client_manager_ids"),
        ]

    def __str__(self) -> str:
        return self.name

    # Who is saving the client (set by the client form, the import and admin; not stored): the
    # fee history names them.
    changed_by: User | None = None

    def save(self, *args, **kwargs):
        """A new date on a client that was lost corrects the date of that loss: its exit
        interviews move with it; new annual fees are written to the fee history. However the
        client was changed (form, import, admin)."""
        was_status, was_lost_on = getattr(self, "_stored_loss", (None, None))
        update_fields = kwargs.get("update_fields")
        fee_change = None
        if update_fields is None or "annual_fees" in update_fields:
            fee_change = self._fee_change()
        with transaction.atomic(using=kwargs.get("using")) if fee_change else nullcontext():
            super().save(*args, **kwargs)
            if fee_change:
                fee_change.save()
        date_saved = update_fields is None or "lost_on" in update_fields
        moved = was_lost_on and self.lost_on and self.lost_on != was_lost_on
        if date_saved and was_status == self.Status.LOST and moved:
            ExitInterview.objects.settle_loss(
                client_id=self.pk, lost_on=self.lost_on, also=[was_lost_on]
            )
        # Only what was written is now stored.
        self._remember_stored(update_fields)

    def get_absolute_url(self) -> str:
        return reverse("feedback:client_detail", args=[self.pk])

    def clean(self):
        """The rules of a loss, here so that the client form, the CSV import and admin share
        them."""
        if self.status == self.Status.LOST and not self.lost_on:
            raise ValidationError({"lost_on": "Say when the client was lost."})
        if self.client_since and self.lost_on and self.lost_on < self.client_since:
            raise ValidationError({"lost_on": "The loss date is before the client joined."})

    @property
    def current_lost_on(self) -> dt.date | None:
        """The date of the loss the client is in now: none once won back or still active."""
        return self.lost_on if self.status == self.Status.LOST else None

    @classmethod
    def from_db(cls, db, field_names, values):
        client = super().from_db(db, field_names, values)
        client._remember_stored()
        return client

    def _remember_stored(self, fields=None) -> None:
        """What the database holds now, to compare the next save with (all of it, or only the
        fields just read from it)."""
        status, lost_on = self._loss_state()
        if fields is not None:
            stored_status, stored_lost_on = getattr(self, "_stored_loss", (None, None))
            status = status if "status" in fields else stored_status
            lost_on = lost_on if "lost_on" in fields else stored_lost_on
        self._stored_loss = status, lost_on
        if fields is None or "annual_fees" in fields:
            self._stored_fees = self.__dict__.get("annual_fees")

    def _loss_state(self) -> tuple[str | None, dt.date | None]:
        # Read from __dict__ so that a deferred field is not loaded just for this.
        return self.__dict__.get("status"), self.__dict__.get("lost_on")

    def _fee_change(self) -> "FeeChange | None":
        """The change of annual fees this save makes, if any, compared with the fees as stored
        (read when the client was loaded; read now only if they were not loaded but are set)."""
        if self._state.adding or self.__dict__.get("annual_fees") is None:
            return None
        new = _money(self.annual_fees)
        previous = getattr(self, "_stored_fees", None)
        if previous is None:
            stored = Client.objects.filter(pk=self.pk).values_list("annual_fees", flat=True)
            previous = next(iter(stored), None)
        if previous is None or _money(previous) == new:
            return None
        return FeeChange(
            client=self, previous=_money(previous), new=new, changed_by=self.changed_by
        )

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self._remember_stored(fields)


def _money(value) -> Decimal:
    """An amount as a DecimalField(decimal_places=2) stores it."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


class FeeChangeQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "FeeChangeQuerySet":
        """A client's fee history is seen by whoever sees the client."""
        return self.filter(client__in=Client.objects.visible_to(user))


class FeeChange(models.Model):
    """One change of a client's annual fees, written by Client.save. Amounts and dates only:
    no personal data, so erasing the client keeps it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="fee_changes")
    previous = models.DecimalField(max_digits=12, decimal_places=2)
    new = models.DecimalField(max_digits=12, decimal_places=2)
    changed_on = models.DateField(default=timezone.localdate)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FeeChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_on", "-id"]
        indexes = [
            # A client's changes over a period (the client page, the at-risk fee signal).
            models.Index(fields=["client", "changed_on"], name="fee_change_client_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(previous__gte=0, new__gte=0), name="fee_change_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Fees of {self.client} from {self.previous} to {self.new} on {self.changed_on}"

    @property
    def percent(self) -> int | None:
        """The change in whole percent of the previous fees; none from no fees."""
        if not self.previous:
            return None
        return round((self.new - self.previous) / self.previous * 100)


class LossReason(models.Model):
    """The loss taxonomy, seeded by a data migration and edited in admin."""

    class Category(models.TextChoices):
        SERVICE = "service", "Service level"
        RESPONSIVENESS = "responsiveness", "Responsiveness and deadlines"
        ACCESS = "access", "Partner access and escalation"
        QUALITY = "quality", "Errors and rework"
        PEOPLE = "people", "People and continuity"
        FEES = "fees", "Fees and billing"
        SCOPE = "scope", "Scope and engagement letter"
        COMMUNICATION = "communication", "Proactivity and communication"
        EXPERTISE = "expertise", "Expertise and fit"
        TECHNOLOGY = "technology", "Technology and portal"
        EXTERNAL = "external", "Outside our control"
        RELATIONSHIP = "relationship", "Relationship"

    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(max_length=20, choices=Category)
    controllable = models.BooleanField(default=True)
    check_for_excuse = models.BooleanField(
        default=False, help_text="A reason teams reach for to explain a loss away."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ExitInterviewQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ExitInterviewQuerySet":
        """Partners see all; a restricted interview only its interviewer too;
        otherwise the interviewer, the client's account manager, and facilitators of a review
        that includes the interview."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        # The ids of each way in, united: the database starts from this person's own interviews,
        # clients and reviews (each by an index) instead of testing the rule on every interview,
        # and a row reached two ways comes once without DISTINCT. Each way in is drawn from these
        # interviews, so what narrows them (a search: its index) narrows every way in too.
        ways_in = self.order_by().values("pk")
        unrestricted = ways_in.filter(restricted=False)
        readable = ways_in.filter(interviewer=user).union(
            unrestricted.filter(client__account_manager=user),
            unrestricted.filter(reviews__facilitator=user),
        )
        return self.filter(pk__in=readable)

    def editable_by(self, user: User) -> "ExitInterviewQuerySet":
        """Partners, the interviewer, and the client's account manager unless restricted.
        Facilitators read the interviews of their reviews but do not change them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(Q(interviewer=user) | Q(restricted=False, client__account_manager=user))

    def losses(self) -> "ExitInterviewQuerySet":
        """One row per loss: a client lost on a date is one loss, described
        by the most recently finalised of its interviews; the others are superseded."""
        return self.filter(
            status=ExitInterview.Status.FINAL, lost_on__isnull=False, superseded_at__isnull=True
        )

    def settle_loss(
        self, *, client_id: int, lost_on: dt.date, also=(), keep_pk: int | None = None
    ) -> None:
        """Make the client's final interviews of `lost_on` (and of the dates in `also`, which
        become `lost_on`) one loss, counted through `keep_pk` or else the most recently
        finalised of them. Everyone else is superseded first, so the database's one-per-loss
        constraint holds at every step."""
        group = self.filter(
            client_id=client_id, status=ExitInterview.Status.FINAL, lost_on__in={lost_on, *also}
        )
        if keep_pk is None:
            keep_pk = (
                group.order_by(F("finalised_at").desc(nulls_last=True), "-held_on", "-id")
                .values_list("pk", flat=True)
                .first()
            )
            if keep_pk is None:
                return
        group.exclude(pk=keep_pk).filter(superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        group.exclude(lost_on=lost_on).update(lost_on=lost_on)
        group.filter(pk=keep_pk).update(superseded_at=None)


class ExitInterview(models.Model):
    class Channel(models.TextChoices):
        MEETING = "meeting", "In person"
        CALL = "call", "Phone call"
        VIDEO = "video", "Video call"
        WRITTEN = "written", "In writing"

    class WouldReturn(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Maybe"
        NO = "no", "No"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="exit_interviews")
    interviewer = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="exit_interviews"
    )
    held_on = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.MEETING)
    interviewee_name = models.CharField(max_length=120, blank=True)
    interviewee_role = models.CharField(max_length=120, blank=True)
    # What the client said, in the client's own words, kept apart from the team's view.
    client_words = models.TextField(blank=True)
    client_primary_reason = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    client_other_reasons = models.ManyToManyField(LossReason, blank=True, related_name="+")
    # What the team believes: a hypothesis, never presented as the client's view.
    team_hypothesis = models.TextField(blank=True)
    team_reason = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    did_well = models.TextField(blank=True)
    do_better = models.TextField(blank=True)
    would_return = models.CharField(max_length=5, choices=WouldReturn, blank=True)
    recommend_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    fees_lost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    competitor = models.CharField(max_length=120, blank=True)
    restricted = models.BooleanField(
        default=False, help_text="Only the interviewer and partners can open it."
    )
    status = models.CharField(max_length=5, choices=Status, default=Status.DRAFT, db_index=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    # The loss this interview describes, set when it is finalised; empty for a client who stayed.
    lost_on = models.DateField(null=True, blank=True)
    # Set when a later finalised interview of the same loss took over: this one no longer counts.
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExitInterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            # The newest interviews first (menus and lists) without sorting them all.
            models.Index(F("held_on").desc(), F("id").desc(), name="interview_newest"),
            # The dashboard's losses of a period.
            models.Index(
                fields=["lost_on"],
                condition=Q(status="final", superseded_at__isnull=True),
                name="interview_counted_losses",
            ),
        ]
        constraints = [
            # One loss counts once: a client lost on a date is counted through one interview.
            models.UniqueConstraint(
                fields=["client", "lost_on"],
                condition=Q(status="final", superseded_at__isnull=True, lost_on__isnull=False),
                name="one_counted_interview_per_loss",
            ),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True) | Q(recommend_score__lte=10),
                name="interview_recommend_0_10",
            ),
            models.CheckConstraint(
                condition=Q(fees_lost__isnull=True) | Q(fees_lost__gte=0),
                name="interview_fees_lost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Exit interview with {self.client} on {self.held_on}"

    # Documents of the interview (accounts.attachments), added by who may edit it; read by who
    # may read it (restricted ones: the interviewer and partners).
    ATTACHMENT_KIND = "interview"

    def get_absolute_url(self) -> str:
        return reverse("feedback:interview_detail", args=[self.pk])

    def attachments_editable_by(self, user: User) -> bool:
        return ExitInterview.objects.editable_by(user).filter(pk=self.pk).exists()

    def as_event(self) -> dict:
        """What a webhook hears: never the client's or the team's words, and of a restricted
        interview not even its reason."""
        reason = self.client_primary_reason
        return {
            "id": self.pk,
            "url": events.link(self),
            "client": {"id": self.client_id, "name": self.client.name},
            "held_on": self.held_on,
            "lost_on": self.lost_on,
            "restricted": self.restricted,
            "primary_reason": None if self.restricted or reason is None else reason.name,
        }

    @property
    def interviewer_is_account_manager(self) -> bool:
        """Clients soften criticism to the person they blame; the page says so."""
        return (
            self.interviewer_id is not None
            and self.interviewer_id == self.client.account_manager_id
        )


def new_token() -> str:
    return secrets.token_urlsafe(24)


class FeedbackRequest(models.Model):
    """A public link to the feedback form: one per client, or firm-wide when client is empty."""

    # Who issues and revokes the firm-wide link; a client's link is its editors' (editable_by).
    FIRM_WIDE_BY = (Role.PARTNER,)

    token = models.CharField(max_length=64, unique=True, default=new_token)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Feedback link for {self.client or 'the whole firm'}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:public_form", args=[self.token])

    @property
    def public_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()


class FeedbackLinkEmail(models.Model):
    """A feedback link e-mailed to a client's contact: what was sent, to whom, by whom and when,
    shown on the client's page. The message is as the account manager edited it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="link_emails")
    request = models.ForeignKey(
        FeedbackRequest, null=True, on_delete=models.SET_NULL, related_name="emails"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]

    def __str__(self) -> str:
        return f"Feedback link e-mail to {self.to}"


class FeedbackResponseQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "FeedbackResponseQuerySet":
        """Partners triage everything, including firm-wide feedback; account managers the
        feedback about their own clients."""
        if not user.is_authenticated or not user.has_any_role(*FeedbackResponse.TRIAGERS):
            return self.none()
        if user.is_partner:
            return self
        return self.filter(client__account_manager=user)

    def not_triaged(self) -> "FeedbackResponseQuerySet":
        return self.filter(NOT_TRIAGED)

    def handled_without_reason(self) -> "FeedbackResponseQuerySet":
        return self.filter(HANDLED_WITHOUT_REASON)

    def handled_with_reason(self) -> "FeedbackResponseQuerySet":
        return self.filter(HANDLED_WITH_REASON)


# The three triage states of a response, counted the same way on the triage page, the
# dashboard's client-voice panel, its drill-down and export. Not triaged yet: not marked
# handled, whether or not a reason was picked (the triage page's "New"; replying marks a
# response handled). Handled with a reason counts in the theme of the reason's category.
NOT_TRIAGED = Q(triage="new")
HANDLED_WITHOUT_REASON = Q(triage="handled", reason__isnull=True)
HANDLED_WITH_REASON = Q(triage="handled", reason__isnull=False)


class FeedbackResponse(models.Model):
    class Triage(models.TextChoices):
        NEW = "new", "New"
        HANDLED = "handled", "Handled"

    # Who reads and handles client feedback (an account manager their clients': visible_to).
    TRIAGERS = (Role.PARTNER, Role.ACCOUNT_MANAGER)

    request = models.ForeignKey(
        FeedbackRequest, null=True, on_delete=models.SET_NULL, related_name="responses"
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback_responses"
    )
    doing_right = models.TextField(blank=True)
    do_better = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_consent = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Triage by the account manager.
    triage = models.CharField(max_length=10, choices=Triage, default=Triage.NEW, db_index=True)
    reason = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_action = models.ForeignKey(
        "actions.Action",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_feedback",
    )
    handled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    # "You said, we did": the reply sent once the linked action was verified.
    reply_text = models.TextField(blank=True)
    reply_sent_at = models.DateTimeField(null=True, blank=True)
    # Save alerts: criticism the account manager judged urgent, and the save
    # attempt this response opened or joined, with when its alert e-mail went out.
    marked_urgent_at = models.DateTimeField(null=True, blank=True)
    marked_urgent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    save_attempt = models.ForeignKey(
        "SaveAttempt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
    )
    save_alert_sent_at = models.DateTimeField(null=True, blank=True)
    # Asked only of clients who already had a reply: "Do you feel we acted on what you told us?"
    acted_on = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    objects = FeedbackResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__lte=10), name="feedback_rating_0_10"
            ),
            models.CheckConstraint(
                condition=Q(acted_on__isnull=True) | Q(acted_on__gte=1, acted_on__lte=5),
                name="feedback_acted_on_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback from {self.client or 'a client'} on {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:feedback_detail", args=[self.pk])

    @property
    def triage_state(self) -> str:
        """The same three states the dashboard counts (see FeedbackResponseQuerySet)."""
        if self.triage == self.Triage.NEW:
            return "Not triaged yet"
        return str(self.reason) if self.reason_id else "Handled, no reason given"


class LearningCheck(models.Model):
    """One person's answers to the five-item learning-capacity check for one quarter (§7)."""

    ITEMS = [
        "We share what we learn from serving clients with other departments.",
        "We learn from how other organisations look after their clients.",
        "We ask our own people where we could improve.",
        "People get feedback on how their work landed with clients.",
        "Our clients can tell that we learned from what they told us.",
    ]

    respondent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="learning_checks")
    quarter = models.CharField(max_length=6, help_text="e.g. 2026Q4", db_index=True)
    item1 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    item2 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    item3 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    item4 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    item5 = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["respondent", "quarter"], name="one_check_per_quarter"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"item{i}__gte": 1, f"item{i}__lte": 5}),
                    name=f"learning_check_item{i}_1_5",
                )
                for i in range(1, 6)
            ],
        ]

    def __str__(self) -> str:
        return f"{self.respondent} {self.quarter}"


class SaveAlertSettings(models.Model):
    """When a client's feedback opens a save attempt; one row, edited in admin."""

    low_rating_threshold = models.PositiveSmallIntegerField(
        default=6,
        validators=[MaxValueValidator(10)],
        help_text="A rating at or below this (0–10) opens a save attempt.",
    )
    first_contact_business_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Working days (Monday to Friday) the owner has to contact the client.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "save alert settings"

    def __str__(self) -> str:
        return "Save alert settings"

    @classmethod
    def current(cls) -> "SaveAlertSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class SaveAttemptQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "SaveAttemptQuerySet":
        """Partners see every save attempt; otherwise its owner and the client's account
        manager."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(Q(owner=user) | Q(client__account_manager=user))

    def open(self) -> "SaveAttemptQuerySet":
        return self.filter(status=SaveAttempt.Status.OPEN)


class SaveAttempt(models.Model):
    """An effort to keep a current client who told us they are unhappy."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SAVED = "saved", "Saved"
        LOST = "lost", "Lost"

    class Trigger(models.TextChoices):
        LOW_RATING = "low_rating", "Low rating"
        URGENT = "urgent", "Marked urgent"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="save_attempts")
    owner = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="owned_save_attempts"
    )
    trigger = models.CharField(max_length=12, choices=Trigger)
    status = models.CharField(max_length=6, choices=Status, default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_contact_due_on = models.DateField()
    first_contact_on = models.DateField(null=True, blank=True)
    first_contact_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_note = models.TextField(blank=True)
    # Saved gives the client back the status it had before it was put at risk.
    client_status_before = models.CharField(max_length=10, choices=Client.Status)

    objects = SaveAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["first_contact_due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="open"),
                name="one_open_save_attempt_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"Save attempt for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:save_detail", args=[self.pk])

    def as_event(self) -> dict:
        """What a webhook hears: the attempt's state, not the notes of the contact."""
        return {
            "id": self.pk,
            "url": events.link(self),
            "client": {"id": self.client_id, "name": self.client.name},
            "status": self.status,
            "trigger": self.trigger,
            "opened_at": self.opened_at,
            "first_contact_due_on": self.first_contact_due_on,
            "closed_at": self.closed_at,
        }

    @property
    def first_contact_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.first_contact_on is None
            and self.first_contact_due_on < timezone.localdate()
        )


def receipt_digest(token: str) -> str:
    """Only the digest of a receipt token is stored: the database alone cannot open a receipt."""
    return hashlib.sha256(token.encode()).hexdigest()


class SuggestionQuerySet(models.QuerySet):
    def triageable_by(self, user: User) -> "SuggestionQuerySet":
        """Partners and facilitators read and decide every suggestion; nobody else any."""
        if not user.is_authenticated or not user.has_any_role(*Suggestion.TRIAGERS):
            return self.none()
        return self


class Suggestion(models.Model):
    """A staff member's idea for an improvement. An anonymous one stores no author, no exact time
    and nothing else that could lead back to the person; its suggester follows it through a
    receipt link whose token only they were shown."""

    class Status(models.TextChoices):
        NEW = "new", "Received, not answered yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged with a similar suggestion"

    # Who reads and answers every suggestion (triageable_by).
    TRIAGERS = (Role.PARTNER, Role.FACILITATOR)

    text = models.TextField()
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    # A day, not a time: an exact time could be matched against what else the author did then.
    submitted_on = models.DateField(db_index=True)
    receipt_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW, db_index=True)
    answer = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(answer=""), name="declined_needs_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="merged_needs_target",
            ),
        ]

    def __str__(self) -> str:
        first_line = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"Suggestion #{self.pk}: {first_line[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:suggestion_detail", args=[self.pk])

    @property
    def outcome(self) -> "Suggestion":
        """Whose answer the suggester follows: this suggestion's, or the one it was merged into."""
        return self.merged_into if self.merged_into_id else self

    @property
    def action(self):
        """The action an accepted suggestion became (prefetch `actions` for lists)."""
        return next(iter(self.actions.all()), None)


class FeedbackComment(models.Model):
    """The account manager's and partners' discussion of a client's response, on its page."""

    response = models.ForeignKey(
        FeedbackResponse, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.response_id} by {self.author}"
