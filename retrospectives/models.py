import calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts import events
from accounts.models import Role, User
from feedback.models import Client, ExitInterview, LossReason, ServiceLine

# Letters that cannot be confused with each other when read off a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
VOTES_PER_PHASE = 3


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(6))


class Phase(models.IntegerChoices):
    """The phases of an after-action review, in order."""

    GROUND_RULES = 1, "Ground rules"
    WORKING = 2, "What's working"
    INTENDED = 3, "Intended"
    ACTUAL = 4, "Actual"
    WHY = 5, "Why the difference"
    SUSTAIN_IMPROVE = 6, "Sustain and improve"
    ACTIONS = 7, "Actions"
    CLOSE = 8, "Close"


# A process audit not held this long after its date is overdue.
AUDIT_GRACE = dt.timedelta(days=14)
# How long a review is booked for in calendar invites.
REVIEW_LENGTH = dt.timedelta(minutes=90)
# Phases in which participants add notes, and those in which they dot-vote.
NOTE_PHASES = frozenset(
    {
        Phase.WORKING,
        Phase.INTENDED,
        Phase.ACTUAL,
        Phase.WHY,
        Phase.SUSTAIN_IMPROVE,
        Phase.ACTIONS,
    }
)
VOTING_PHASES = frozenset({Phase.WHY, Phase.SUSTAIN_IMPROVE})
# Below this many “could I speak freely?” ratings no average is shown: with two raters each one
# could work out the other's rating.
MIN_RATERS = 3


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ReviewQuerySet":
        """Partners see every review; others the ones they facilitate or joined."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(Q(facilitator=user) | Q(participants__user=user)).distinct()

    def runnable_by(self, user: User) -> "ReviewQuerySet":
        """The reviews this person runs (console, presenter, moderation, breakouts, lessons):
        partners every review, anyone else the ones they facilitate. Review.is_runnable_by is
        the same rule for a review in hand."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(facilitator=user)

    def overdue_audits(self, today: dt.date | None = None) -> "ReviewQuerySet":
        """Process audits still planned more than two weeks after their date: one dated 1 June
        is overdue from 16 June on."""
        return self.filter(
            kind=Review.Kind.PROCESS_AUDIT,
            status=Review.Status.PLANNED,
            scheduled_for__lt=overdue_cutoff(today),
        )


def overdue_cutoff(today: dt.date | None = None) -> dt.datetime:
    """Audits that started before this instant and are still planned are overdue."""
    day = (today or timezone.localdate()) - AUDIT_GRACE
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class Review(models.Model):
    class Kind(models.TextChoices):
        CLIENT_LOSS = "client_loss", "Client loss"
        CLIENT_SAVE = "client_save", "Client save"
        WIN = "win", "Win"
        NEAR_MISS = "near_miss", "Near miss"
        PROCESS_AUDIT = "process_audit", "Process audit"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    # Who plans reviews (can_be_planned_by); running one is ReviewQuerySet.runnable_by.
    PLANNERS = (Role.FACILITATOR, Role.PARTNER)

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CLIENT_LOSS)
    clients = models.ManyToManyField(Client, blank=True, related_name="reviews")
    exit_interviews = models.ManyToManyField(ExitInterview, blank=True, related_name="reviews")
    facilitator = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="facilitated_reviews"
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED, db_index=True)
    phase = models.PositiveSmallIntegerField(choices=Phase, default=Phase.GROUND_RULES)
    # The phase timer: it runs until timer_ends_at; when paused, timer_remaining holds seconds left.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_remaining = models.PositiveIntegerField(null=True, blank=True)
    join_code = models.CharField(max_length=8, unique=True, default=new_join_code)
    anonymous_by_default = models.BooleanField(default=True)
    summary = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped (with an UPDATE … SET version = version + 1) on every change that a live screen
    # shows, so polls answer 304 from one indexed read without rendering.
    version = models.PositiveIntegerField(default=0)
    # The calendar invite's SEQUENCE: bumped whenever attendees must update their calendar.
    invite_sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A process audit planned by a recurring schedule, and which of its dates it is.
    schedule = models.ForeignKey(
        "AuditSchedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    occurrence_on = models.DateField(null=True, blank=True)
    # The cause note the five whys dig into, picked by the facilitator; empty: the top-voted.
    why_cause = models.ForeignKey(
        "Contribution", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            # The beat task may run twice, or on two workers: each audit date is planned once.
            models.UniqueConstraint(
                fields=["schedule", "occurrence_on"], name="one_review_per_audit_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("retrospectives:review_detail", args=[self.pk])

    # Who plans reviews and what they may put in them: decided here; the review form, its
    # interview menu and plan_review all ask.
    @staticmethod
    def can_be_planned_by(user: User) -> bool:
        """Facilitators and partners plan (and re-plan) reviews; everyone else gets 404."""
        return user.is_authenticated and user.has_any_role(*Review.PLANNERS)

    def is_runnable_by(self, user: User) -> bool:
        """ReviewQuerySet.runnable_by for a review in hand, without a query."""
        if not user.is_authenticated or not user.is_active:
            return False
        return user.is_partner or self.facilitator_id == user.pk

    @classmethod
    def clients_attachable_by(cls, user: User) -> models.QuerySet[Client]:
        """Any client the planner may see (for facilitators and partners: every client)."""
        if not cls.can_be_planned_by(user):
            return Client.objects.none()
        return Client.objects.visible_to(user)

    @classmethod
    def interviews_attachable_by(cls, user: User) -> models.QuerySet[ExitInterview]:
        """Partners attach any exit interview. A facilitator attaches any interview they may
        already read, and any final, unrestricted one, so that a new loss can be reviewed;
        attaching it is what lets the review's facilitator read it (ExitInterview.visible_to).
        A draft waits until its interviewer finalises it; a restricted interview is attached
        only by a partner or its own interviewer."""
        if not cls.can_be_planned_by(user):
            return ExitInterview.objects.none()
        if user.is_partner:
            return ExitInterview.objects.all()
        readable = ExitInterview.objects.visible_to(user).values("pk")
        ready = Q(status=ExitInterview.Status.FINAL, restricted=False)
        return ExitInterview.objects.filter(ready | Q(pk__in=readable))

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_over(self) -> bool:
        """Closed or cancelled: nobody joins any more."""
        return self.status in (self.Status.CLOSED, self.Status.CANCELLED)

    @property
    def ends_at(self) -> dt.datetime | None:
        return self.scheduled_for + REVIEW_LENGTH if self.scheduled_for else None

    @property
    def script(self) -> "Script":
        """The questions this kind of review asks, phase by phase."""
        return SCRIPTS[self.Kind(self.kind)]

    @property
    def phase_title(self) -> str:
        return self.script.title(self.phase)

    @property
    def prompt(self) -> str:
        return self.script.prompt(self.phase)

    @property
    def accepts_notes(self) -> bool:
        return self.is_live and self.phase in NOTE_PHASES

    @property
    def accepts_votes(self) -> bool:
        return self.is_live and self.phase in VOTING_PHASES

    @property
    def accepts_ratings(self) -> bool:
        return self.is_closed or (self.is_live and self.phase == Phase.CLOSE)

    @property
    def timer_running(self) -> bool:
        return self.timer_ends_at is not None

    @property
    def timer_paused(self) -> bool:
        return self.timer_ends_at is None and self.timer_remaining is not None

    def seconds_left(self, now=None) -> int | None:
        """Seconds on the phase timer, or None when no timer is set."""
        if self.timer_ends_at is not None:
            now = now or timezone.now()
            return max(0, int((self.timer_ends_at - now).total_seconds()))
        return self.timer_remaining


@dataclass(frozen=True)
class Step:
    """One phase as a kind of review runs it: the title on the screens and the question asked."""

    title: str
    prompt: str


@dataclass(frozen=True)
class Script:
    """The after-action review script for one kind of review: why the review is held, and the
    title and prompt of each phase. The console, presenter, phones, report, invite and e-mails
    read it through `Review.script`, `Review.phase_title` and `Review.prompt`."""

    purpose: str
    steps: dict[Phase, Step]

    def step(self, phase: int) -> Step:
        return self.steps[Phase(phase)]

    def title(self, phase: int) -> str:
        return self.step(phase).title

    def prompt(self, phase: int) -> str:
        return self.step(phase).prompt

    @property
    def phases(self) -> list[tuple[Phase, Step]]:
        return list(self.steps.items())


# Every kind of review opens and closes the same way: the blameless ground rules do not depend
# on what went right or wrong.
GROUND_RULES = Step(
    Phase.GROUND_RULES.label,
    "We assume everyone did the best they could with what they knew. "
    "We look at the system, not the person. Nothing said here is used in appraisals.",
)
CLOSE = Step(
    Phase.CLOSE.label,
    "Thank you. Could you speak freely today? Rate it from 1 to 5 on your phone.",
)
COMMIT = Step(
    Phase.ACTIONS.label,
    "Which changes do we commit to, with an owner and a due date? What did we learn?",
)


def _script(purpose: str, **steps: Step) -> Script:
    """A script from the steps of its middle phases, named like Phase members in lower case;
    a phase left out is an error at import, not a blank screen in the room."""
    steps = {Phase[name.upper()]: step for name, step in steps.items()}
    steps |= {Phase.GROUND_RULES: GROUND_RULES, Phase.CLOSE: CLOSE}
    return Script(purpose, {phase: steps[phase] for phase in Phase})


# Kind × phase → title and prompt: the one table every screen reads.
SCRIPTS: dict[Review.Kind, Script] = {
    Review.Kind.CLIENT_LOSS: _script(
        "Why we lost the client, looking at the system, and what we change.",
        working=Step(
            Phase.WORKING.label,
            "What is working well? What do clients appreciate about us? "
            "What would make it even better?",
        ),
        intended=Step(
            Phase.INTENDED.label,
            "What was supposed to happen? What did we promise: engagement letter, "
            "service level, turnaround?",
        ),
        actual=Step(
            Phase.ACTUAL.label,
            "What actually happened? Add it as a timeline, one event per note.",
        ),
        why=Step(
            Phase.WHY.label,
            "Why the difference? Name causes in the system, not culprits. Vote for the biggest.",
        ),
        sustain_improve=Step(
            Phase.SUSTAIN_IMPROVE.label,
            "What should we keep doing? What should we change? Vote for the top ones.",
        ),
        actions=COMMIT,
    ),
    Review.Kind.CLIENT_SAVE: _script(
        "What nearly cost us the client, what saved them, and how to save the next one sooner.",
        working=Step(
            Phase.WORKING.label,
            "What is working well with this client? What do they still value in how we serve them?",
        ),
        intended=Step(
            "What the client expected",
            "What did the client expect from us? What had we promised: engagement letter, "
            "service level, turnaround?",
        ),
        actual=Step(
            "From warning sign to save",
            "What happened, from the first warning sign to the save? Add it as a timeline, "
            "one event per note.",
        ),
        why=Step(
            "What saved the client",
            "What saved the client, and what brought them close to leaving? Name causes in the "
            "system, not culprits. Vote for the biggest.",
        ),
        sustain_improve=Step(
            "Keep and catch sooner",
            "What saved them that we should do every time? What should change so that no client "
            "gets this close to leaving? Vote for the top ones.",
        ),
        actions=COMMIT,
    ),
    Review.Kind.WIN: _script(
        "What went well and why, so that we can do it again.",
        working=Step(
            Phase.WORKING.label,
            "What is working well for this client? What do they value most in how we serve them?",
        ),
        intended=Step(
            "What we set out to do",
            "What did we set out to achieve? What did we promise, and what would success "
            "have looked like?",
        ),
        actual=Step(
            "What went well",
            "What went well? Add it as a timeline, one moment per note: what we did and what "
            "the client saw.",
        ),
        why=Step(
            "Why it went well",
            "Why did it go well? Name what in our way of working made it happen, not heroes. "
            "Vote for the biggest.",
        ),
        sustain_improve=Step(
            "Repeat and spread",
            "What should we keep doing, and where else should we do it? What would make the "
            "next one even better? Vote for the top ones.",
        ),
        actions=Step(
            Phase.ACTIONS.label,
            "Which practices do we make our standard, with an owner and a due date? "
            "What did we learn?",
        ),
    ),
    Review.Kind.NEAR_MISS: _script(
        "What nearly went wrong, what caught it, and how to catch it sooner.",
        working=Step(
            Phase.WORKING.label,
            "What is working well? Which checks and habits do we rely on to catch mistakes?",
        ),
        intended=Step(
            "What should have happened",
            "What should have happened? Which process, check or promise applied?",
        ),
        actual=Step(
            "What nearly went wrong",
            "What nearly went wrong? Add it as a timeline, one event per note, up to the moment "
            "it was caught.",
        ),
        why=Step(
            "What caught it",
            "What caught it: a safeguard, or luck? Why did it get that far? Name causes in the "
            "system, not culprits. Vote for the biggest.",
        ),
        sustain_improve=Step(
            "Strengthen the safeguards",
            "Which safeguards should we keep? What should change so that it is caught earlier, "
            "or cannot happen at all? Vote for the top ones.",
        ),
        actions=COMMIT,
    ),
    Review.Kind.PROCESS_AUDIT: _script(
        "Where the process drifts from how it was designed, and whether to change the practice "
        "or the design.",
        working=Step(
            Phase.WORKING.label,
            "Which parts of the process work well? What do clients and colleagues appreciate "
            "about it?",
        ),
        intended=Step(
            "The process as designed",
            "How is the process designed to run? Its steps, owners, checks and service levels.",
        ),
        actual=Step(
            "The process as run",
            "How does it actually run today? Add it as a timeline, one step per note; say where "
            "it differs from the design.",
        ),
        why=Step(
            "Where it drifts, and why",
            "Where does practice drift from the design, and why? Name causes in the system "
            "(workload, tools, unclear steps), not culprits. Vote for the biggest.",
        ),
        sustain_improve=Step(
            "Keep or redesign",
            "Where should practice come back to the design, and where should the design change "
            "to match a better practice? Vote for the top ones.",
        ),
        actions=Step(
            Phase.ACTIONS.label,
            "Which changes to the process or its design do we commit to, with an owner and a due "
            "date? What did we learn?",
        ),
    ),
}


@dataclass(frozen=True)
class SpeakFreely:
    """What may be shown of the “could I speak freely?” ratings: how many, and their average
    only from MIN_RATERS ratings on. Never a person's own rating."""

    count: int
    average: float | None


class ParticipantQuerySet(models.QuerySet):
    def joined(self) -> "ParticipantQuerySet":
        """People who joined the review from the join page; those only invited are left out."""
        return self.filter(joined_at__isnull=False)

    def speak_freely_summary(self) -> SpeakFreely:
        ratings = self.filter(speak_freely__isnull=False).aggregate(
            count=models.Count("id"), average=models.Avg("speak_freely")
        )
        count = ratings["count"]
        return SpeakFreely(count, ratings["average"] if count >= MIN_RATERS else None)


class Participant(models.Model):
    """Someone invited to a review, or who joined it; `joined_at` is empty until they join.
    Their speak-freely rating is shown to nobody, only counted and averaged."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="review_participations")
    joined_at = models.DateTimeField(
        null=True, blank=True, help_text="When they joined; empty while only invited."
    )
    speak_freely = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Could I speak freely? 1 (not at all) to 5 (completely).",
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_participant_per_review"),
            models.CheckConstraint(
                condition=Q(speak_freely__isnull=True)
                | Q(speak_freely__gte=1, speak_freely__lte=5),
                name="speak_freely_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.review}"

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None


class ContributionQuerySet(models.QuerySet):
    def on_board(self) -> "ContributionQuerySet":
        """Notes that live screens show: not hidden, not merged into another, with vote counts."""
        return (
            self.filter(hidden=False, merged_into__isnull=True)
            .select_related("author")
            .annotate(vote_count=models.Count("votes"))
        )


class Contribution(models.Model):
    """A note added during a review. The author is kept even when anonymous, but shown to
    nobody in the app; a partner can see it through admin to deal with abuse."""

    MAX_LENGTH = 2000

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="contributions")
    phase = models.PositiveSmallIntegerField(choices=Phase)
    text = models.TextField(max_length=MAX_LENGTH)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    anonymous = models.BooleanField(default=True)
    hidden = models.BooleanField(default=False)
    cause = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    blame_flags = models.JSONField(default=list, blank=True)
    # The breakout group the author sat in when writing; kept after the groups merge back.
    group = models.ForeignKey(
        "BreakoutGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["review", "phase"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def phase_title(self) -> str:
        """The phase the note was added in, as its review's kind names it."""
        return self.review.script.title(self.phase)

    @property
    def shown_author(self) -> User | None:
        """The author the app may show: nobody for an anonymous note."""
        return None if self.anonymous else self.author


class BreakoutGroupQuerySet(models.QuerySet):
    def active(self) -> "BreakoutGroupQuerySet":
        """Groups of a breakout still running; merging back (or a phase change) ends them."""
        return self.filter(ended_at__isnull=True)


class BreakoutGroup(models.Model):
    """A small group of participants who talk through one phase together, then merge back."""

    MIN_SIZE = 3
    MAX_SIZE = 5

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="breakout_groups")
    phase = models.PositiveSmallIntegerField(choices=Phase)
    number = models.PositiveSmallIntegerField()
    members = models.ManyToManyField(Participant, related_name="breakout_groups")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = BreakoutGroupQuerySet.as_manager()

    class Meta:
        ordering = ["phase", "number", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"Group {self.number}"


class ProcessStep(models.Model):
    """One step of the client's journey as it actually happened, in a swimlane of who acted."""

    class Lane(models.TextChoices):
        CLIENT = "client", "Client"
        ACCOUNT_MANAGER = "account_manager", "Account manager"
        STAFF = "staff", "Staff"
        PARTNER = "partner", "Partner"

    MAX_TEXT = 200
    MAX_PAIN = 200

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="process_steps")
    position = models.PositiveIntegerField()
    lane = models.CharField(max_length=20, choices=Lane)
    text = models.CharField(max_length=MAX_TEXT)
    happened_on = models.DateField()
    pain_point = models.BooleanField(default=False)
    pain_note = models.CharField(max_length=MAX_PAIN, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_lane_display()}: {self.text[:60]}"


class Vote(models.Model):
    """A dot vote. `slot` numbers a person's votes in a phase, so the database itself refuses
    a vote beyond the limit, even from a double click racing another."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    phase = models.PositiveSmallIntegerField(choices=Phase)
    slot = models.PositiveSmallIntegerField()
    # The note this vote was cast for when that note was merged into another; un-merging it
    # gives the vote back.
    merged_from = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "user"], name="one_vote_per_note"),
            models.UniqueConstraint(
                fields=["review", "user", "phase", "slot"], name="vote_slots_per_phase"
            ),
            models.CheckConstraint(
                condition=Q(slot__gte=1, slot__lte=VOTES_PER_PHASE), name="vote_slot_in_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} voted for note {self.contribution_id}"


class WhyStep(models.Model):
    """One link of a five-whys chain that starts from a cause note."""

    cause = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="whys")
    depth = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.CharField(max_length=500)
    # Shown with the why: a participant who proposed it under their name. Empty when the
    # facilitator wrote it or it was proposed anonymously, so no screen can name that author.
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["depth"]
        constraints = [
            models.UniqueConstraint(fields=["cause", "depth"], name="one_why_per_depth"),
        ]

    def __str__(self) -> str:
        return f"Why {self.depth}: {self.text}"


class WhyProposalQuerySet(models.QuerySet):
    def pending(self) -> "WhyProposalQuerySet":
        return self.filter(status=WhyProposal.Status.PENDING)


class WhyProposal(models.Model):
    """A “why” a participant proposes from their phone for the chain on the screens. It waits
    for the facilitator: only an approved one becomes a WhyStep that the screens show. Like a
    note, an anonymous proposal keeps its author for a partner handling abuse in admin, and
    shows it to nobody in the app."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the facilitator"
        APPROVED = "approved", "Added to the chain"
        REJECTED = "rejected", "Not added"

    MAX_LENGTH = 500

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="why_proposals")
    cause = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="why_proposals")
    text = models.CharField(max_length=MAX_LENGTH)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    anonymous = models.BooleanField(default=True)
    blame_flags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    step = models.OneToOneField(
        WhyStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = WhyProposalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["review", "status"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def shown_author(self) -> User | None:
        """The author the app may show: nobody for an anonymous proposal."""
        return None if self.anonymous else self.author


class LessonQuerySet(models.QuerySet):
    def published(self) -> "LessonQuerySet":
        return self.filter(status=Lesson.Status.PUBLISHED)

    def visible_to(self, user: User) -> "LessonQuerySet":
        """Published lessons are the firm's library; drafts stay with their review's people."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(
            Q(status=Lesson.Status.PUBLISHED) | Q(created_by=user) | Q(review__facilitator=user)
        )

    def editable_by(self, user: User) -> "LessonQuerySet":
        """Partners edit and publish every lesson; others the ones they wrote or whose review
        they facilitate."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_partner:
            return self
        return self.filter(Q(created_by=user) | Q(review__facilitator=user))


class Lesson(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    statement_internal = models.TextField(
        help_text="What we learned, as the team said it. Stays inside the review."
    )
    statement_public = models.TextField(
        blank=True, help_text="The publishable lesson: no client or person names."
    )
    category = models.CharField(max_length=20, choices=LossReason.Category, blank=True)
    cause = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_lines = models.ManyToManyField(ServiceLine, blank=True, related_name="lessons")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return (self.statement_public or self.statement_internal)[:80]

    def get_absolute_url(self) -> str:
        return reverse("retrospectives:lesson_detail", args=[self.pk])

    def as_event(self) -> dict:
        """What a webhook hears: the statement written for the library, not the internal one
        (often a review note's words)."""
        return {
            "id": self.pk,
            "url": events.link(self),
            "statement": self.statement_public,
            "category": self.category,
            "review_id": self.review_id,
            "published_at": self.published_at,
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """The date `months` later on the same day, or the month's last day when that month is
    shorter: 31 Jan + 1 month is 28 (or 29) Feb, + 2 months is 31 Mar."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


class AuditScheduleQuerySet(models.QuerySet):
    def active(self) -> "AuditScheduleQuerySet":
        return self.filter(status=AuditSchedule.Status.ACTIVE)


class AuditSchedule(models.Model):
    """A process audit of one service line that recurs every month, quarter or year. The beat
    task plans each date's review ahead of time; every date keeps the first date's day of the
    month and the same wall-clock time in the firm's time zone."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"
        YEARLY = "yearly", "Every year"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    # Who sets up, pauses and stops recurring audits.
    SET_UP_BY = (Role.PARTNER,)

    MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}

    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="audit_schedules"
    )
    facilitator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="audit_schedules")
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.QUARTERLY)
    starts_on = models.DateField(help_text="The first audit; later ones keep its day of the month.")
    time_of_day = models.TimeField(help_text="In the firm's time zone, whatever the season.")
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE, db_index=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["service_line__name", "id"]

    def __str__(self) -> str:
        return f"{self.service_line} process audit, {self.get_frequency_display().lower()}"

    def get_absolute_url(self) -> str:
        return reverse("retrospectives:audit_detail", args=[self.pk])

    @property
    def months(self) -> int:
        return self.MONTHS[self.Frequency(self.frequency)]

    def date_of(self, n: int) -> dt.date:
        """The date of the n-th audit (0 is the first), always counted from the first date so
        that a short month never shifts the ones after it."""
        return add_months(self.starts_on, n * self.months)

    def start_of(self, day: dt.date) -> dt.datetime:
        """The audit's start on `day`: its local time in the firm's zone, whatever the offset
        that day (a time the clocks skip is read as before the change, i.e. an hour later)."""
        naive = dt.datetime.combine(day, self.time_of_day)
        # Through UTC, so a skipped wall-clock time becomes the real instant it stands for.
        return timezone.make_aware(naive, timezone.get_default_timezone()).astimezone(dt.UTC)

    def dates_between(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[dt.date, dt.datetime]]:
        """The audit dates whose start falls in [start, end], with their start."""
        local_start = timezone.localtime(start).date()
        months_in = (local_start.year - self.starts_on.year) * 12 + (
            local_start.month - self.starts_on.month
        )
        n = max(0, months_in // self.months - 1)
        found = []
        while True:
            day = self.date_of(n)
            when = self.start_of(day)
            if when > end:
                return found
            if when >= start:
                found.append((day, when))
            n += 1


class LessonsDigest(models.Model):
    """One row per week whose lessons digest went out (the week's Monday, unique): the hourly
    task sends it at its first run from Monday 08:00, and never twice."""

    week_of = models.DateField(unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    lessons = models.PositiveIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_of"]

    def __str__(self) -> str:
        return f"Lessons digest for the week of {self.week_of}"
