from django.db import models

from accounts.models import Role


class Snapshot(models.Model):
    """A rollup: every dashboard panel (dashboard.panels) for one set of filters, as of
    `computed_at`, each panel's data under its key.

    Aggregating 100,000 interviews on each page view is too slow for a partner meeting, so the
    page reads this row; a beat task refreshes the default view, and a row older than
    SNAPSHOT_MAX_AGE is served as it is while a task refreshes it (see dashboard.services).
    """

    key = models.CharField(max_length=120, unique=True)
    data = models.JSONField()
    # The shape of `data` (dashboard.panels.SCHEMA_VERSION when it was computed); a copy of an
    # older shape is computed again rather than read.
    schema = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(db_index=True)
    # Raised by every change the panels must show at once (dashboard.services.mark_stale); the
    # data is from `computed_version`, so a change made while it was computed still counts.
    version = models.PositiveIntegerField(default=0)
    computed_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"Dashboard {self.key} as of {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def changed_since_computed(self) -> bool:
        return self.computed_version < self.version


class GoalQuerySet(models.QuerySet):
    def changeable_by(self, user) -> "GoalQuerySet":
        """Every goal for those who set goals (Goal.SET_BY); none for anyone else."""
        if not user.is_authenticated or not user.has_any_role(*Goal.SET_BY):
            return self.none()
        return self


class Goal(models.Model):
    """One ambitious goal for a fixed window, for the whole firm or one office (the "team"),
    with a measure the app computes from its own data or a partner updates by hand.
    Each scope has at most one active goal; the database enforces it."""

    class Measure(models.TextChoices):
        CONTROLLABLE_LOSSES = "controllable_losses", "Clients lost for a controllable reason"
        FEES_LOST = "fees_lost", "Annual fees lost ($)"
        ACTIONS_VERIFIED = "actions_verified", "Improvement actions verified"
        FEEDBACK_RATING = "feedback_rating", "Average client feedback rating (0–10)"
        MANUAL = "manual", "A number a partner updates by hand"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    # Who sets, updates and ends team goals.
    SET_BY = (Role.PARTNER,)
    # Counted over the window, so far; the others are a level at the moment.
    CUMULATIVE = (Measure.CONTROLLABLE_LOSSES, Measure.FEES_LOST, Measure.ACTIONS_VERIFIED)

    title = models.CharField(max_length=200)
    office = models.ForeignKey(
        "accounts.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
        help_text="Leave empty for a goal of the whole firm.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    measure = models.CharField(max_length=24, choices=Measure)
    manual_label = models.CharField(max_length=200, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    manual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    manual_updated_at = models.DateTimeField(null=True, blank=True)
    manual_updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.ACTIVE)
    set_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = [models.F("office__name").asc(nulls_first=True), "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["office"],
                condition=models.Q(status="active", office__isnull=False),
                name="one_active_goal_per_office",
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active", office__isnull=True),
                name="one_active_firm_goal",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="goal_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(target=models.F("baseline")), name="goal_target_not_baseline"
            ),
            models.CheckConstraint(
                condition=~models.Q(measure="manual") | ~models.Q(manual_label=""),
                name="manual_goal_says_what_it_counts",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        return self.office.name if self.office_id else "Whole firm"

    @property
    def is_manual(self) -> bool:
        return self.measure == self.Measure.MANUAL

    @property
    def measure_label(self) -> str:
        return self.manual_label if self.is_manual else self.get_measure_display()
