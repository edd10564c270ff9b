"""What a review produced, gathered in a fixed number of queries for the report page, the CSV
export and the e-mail. Anonymous notes carry no author here, and the speak-freely ratings only
their count and (from MIN_RATERS on) their average, so no consumer can show either."""

from collections import defaultdict
from dataclasses import dataclass, field

from accounts import attachments
from accounts.models import User
from actions.models import Action

from .models import (
    MIN_RATERS,
    Contribution,
    Lesson,
    Phase,
    ProcessStep,
    Review,
    SpeakFreely,
    WhyStep,
)


@dataclass
class PhaseNotes:
    phase: Phase
    title: str
    notes: list[Contribution]


@dataclass
class CauseSummary:
    name: str
    category: str
    notes: int = 0
    votes: int = 0


@dataclass
class Lane:
    """One row of the swimlane: who acted, and a cell per step of the journey (empty when
    someone else acted in that step)."""

    label: str
    cells: list[ProcessStep | None]


def swimlane(steps: list[ProcessStep]) -> list[Lane]:
    """The journey's steps laid out in lanes, in order; lanes nobody acted in are left out."""
    lanes = []
    for value, label in ProcessStep.Lane.choices:
        cells = [step if step.lane == value else None for step in steps]
        if any(cells):
            lanes.append(Lane(label, cells))
    return lanes


@dataclass(frozen=True)
class Openable:
    """The report's actions and lessons one reader may open: only these are shown as links."""

    actions: frozenset[int]
    lessons: frozenset[int]


@dataclass
class Report:
    review: Review
    phases: list[PhaseNotes]
    causes: list[CauseSummary]
    whys: dict[Contribution, list[WhyStep]]
    lessons: list[Lesson]
    actions: list[Action]
    participants: int
    speak_freely: SpeakFreely
    process_steps: list[ProcessStep] = field(default_factory=list)

    min_raters: int = MIN_RATERS

    @property
    def lanes(self) -> list[Lane]:
        return swimlane(self.process_steps)

    @property
    def notes(self) -> list[Contribution]:
        return [note for phase in self.phases for note in phase.notes]

    def openable_by(self, user: User) -> Openable:
        """Asks the same `visible_to` rules as the action and lesson pages, in two queries."""
        actions = Action.objects.visible_to(user).filter(pk__in=[a.pk for a in self.actions])
        lessons = Lesson.objects.visible_to(user).filter(pk__in=[x.pk for x in self.lessons])
        return Openable(
            actions=frozenset(actions.values_list("pk", flat=True)),
            lessons=frozenset(lessons.values_list("pk", flat=True)),
        )


def _with_files(actions: list[Action]) -> list[Action]:
    """Each action with its evidence files (`action.files`), in one query."""
    files = defaultdict(list)
    for attachment in attachments.of_all(actions).order_by("uploaded_at", "id"):
        files[attachment.object_id].append(attachment)
    for action in actions:
        action.files = files[action.pk]
    return actions


def build_report(review: Review) -> Report:
    notes = list(
        Contribution.objects.on_board()
        .filter(review=review)
        .select_related("cause", "group")
        .order_by("phase", "created_at", "id")
    )
    for note in notes:
        note.review = review
        # Only the author the app may show travels into the report.
        note.report_author = note.shown_author.name if note.shown_author else ""
    by_phase: dict[int, list[Contribution]] = defaultdict(list)
    causes: dict[int, CauseSummary] = {}
    for note in notes:
        by_phase[note.phase].append(note)
        if note.cause is not None:
            summary = causes.setdefault(
                note.cause_id,
                CauseSummary(note.cause.name, note.cause.get_category_display()),
            )
            summary.notes += 1
            summary.votes += note.vote_count
    notes_by_id = {note.pk: note for note in notes}
    whys: dict[Contribution, list[WhyStep]] = defaultdict(list)
    steps = WhyStep.objects.filter(cause__review=review, cause_id__in=notes_by_id)
    for step in steps.select_related("author"):
        whys[notes_by_id[step.cause_id]].append(step)
    joined = review.participants.joined()
    return Report(
        review=review,
        phases=[
            PhaseNotes(phase, step.title, by_phase[phase])
            for phase, step in review.script.phases
            if by_phase[phase]
        ],
        causes=sorted(causes.values(), key=lambda c: (-c.votes, -c.notes, c.name)),
        whys=dict(whys),
        lessons=list(review.lessons.prefetch_related("service_lines").select_related("cause")),
        actions=_with_files(
            list(
                Action.objects.filter(source_review=review)
                .select_related("owner")
                .order_by("due_on")
            )
        ),
        participants=joined.count(),
        speak_freely=joined.speak_freely_summary(),
        process_steps=list(review.process_steps.all()),
    )
