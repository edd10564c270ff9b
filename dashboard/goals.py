"""How far a team goal has come. Read-only: one query per computed goal, whatever
the data size, through the dashboard's own definitions (dashboard.queries).

A computed measure is an aggregate over up to a year of data, like a dashboard panel (120 ms at
100,000 interviews), and the firm's goal shows on every home page: pages keep the rendered
goals (dashboard.views._goals_html, accounts.caching) under the goals' *version*, which saving
or deleting a goal replaces (dashboard.apps), and for MEASURE_SECONDS, so a new, changed or
ended goal shows at once and only new data takes a few minutes to count.

The measure is taken over the goal's window so far (from its start to today, or to its end):
- counts and sums (controllable losses, fees lost, actions verified) accumulate over the window,
  so the target is a total for the whole window. When it is below the baseline the target is a
  limit: the goal is missed once the total goes over it and reached if it is still within the
  limit when the window ends. When it is above, the goal is reached when the total gets there.
- levels (the average feedback rating, a number kept by hand) move between baseline and target:
  progress is the share of that distance covered, in either direction.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum

from actions.models import Action

from . import queries
from .models import Goal

Measure = Goal.Measure
MEASURE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Progress:
    goal: Goal
    value: Decimal | None  # None: the window has not started, or there is nothing to measure
    percent: int  # the bar, 0–100
    state: str  # not_started, no_data, on_the_way, within_limit, reached, missed
    days_left: int

    @property
    def lower_is_better(self) -> bool:
        return self.goal.target < self.goal.baseline

    @property
    def is_limit(self) -> bool:
        return self.goal.measure in Goal.CUMULATIVE and self.lower_is_better

    def _show(self, number: Decimal | None) -> str:
        if number is None:
            return "—"
        if self.goal.measure == Measure.FEES_LOST:
            return f"${number:,.0f}"
        if number == number.to_integral_value():
            return f"{number:,.0f}"
        return f"{number:,.1f}" if self.goal.measure == Measure.FEEDBACK_RATING else f"{number:,}"

    @property
    def value_text(self) -> str:
        return self._show(self.value)

    @property
    def baseline_text(self) -> str:
        return self._show(self.goal.baseline)

    @property
    def target_text(self) -> str:
        return self._show(self.goal.target)

    @property
    def state_label(self) -> str:
        return {
            "not_started": "Not started",
            "no_data": "Nothing measured yet",
            "on_the_way": "On the way",
            "within_limit": "Within the limit so far",
            "reached": "Reached",
            "missed": "Missed",
        }[self.state]


def active_goals(office_id: int | None = None, *, every_office: bool = False) -> QuerySet:
    """The firm's active goal and one office's (or, for the partners' dashboard, every
    office's), firm first."""
    goals = Goal.objects.filter(status=Goal.Status.ACTIVE).select_related("office")
    if not every_office:
        goals = goals.filter(Q(office__isnull=True) | Q(office_id=office_id))
    return goals.order_by(F("office__name").asc(nulls_first=True), "id")


def measured_value(goal: Goal, today: dt.date) -> Decimal | None:
    """The measure over the goal's window up to today; None before the window starts."""
    if today < goal.starts_on:
        return None
    if goal.is_manual:
        return goal.manual_value
    f = queries.Filters(
        start=goal.starts_on, end=min(goal.ends_on, today), today=today, office_id=goal.office_id
    )
    if goal.measure == Measure.CONTROLLABLE_LOSSES:
        n = (
            queries.losses(f)
            .filter(client_primary_reason__controllable=True)
            .aggregate(n=Count("id"))["n"]
        )
        return Decimal(n)
    if goal.measure == Measure.FEES_LOST:
        # The alias must differ from the annotation it sums.
        return Decimal(queries.losses(f).aggregate(total=Sum("fees"))["total"] or 0)
    if goal.measure == Measure.ACTIONS_VERIFIED:
        n = (
            queries.scoped_actions(f)
            .filter(
                status=Action.Status.VERIFIED,
                verified_at__date__gte=f.start,
                verified_at__date__lte=f.end,
            )
            .count()
        )
        return Decimal(n)
    mean = (
        queries.client_voice_responses(f)
        .filter(rating__isnull=False)
        .aggregate(mean=Avg("rating"))["mean"]
    )
    return None if mean is None else round(Decimal(mean), 2)


def _clip(share: Decimal) -> int:
    return int(max(Decimal(0), min(Decimal(1), share)) * 100)


def progress(goal: Goal, today: dt.date) -> Progress:
    value = measured_value(goal, today)
    ended = today > goal.ends_on
    days_left = max(0, (goal.ends_on - today).days)
    baseline, target = goal.baseline, goal.target
    if value is None:
        state = "not_started" if today < goal.starts_on else "no_data"
        return Progress(goal, None, 0, state, days_left)
    if goal.measure in Goal.CUMULATIVE and target < baseline:
        # A limit for the window: the bar shows how much of it is used.
        used = value / target if target else Decimal(1 if value else 0)
        state = "missed" if value > target else "reached" if ended else "within_limit"
        return Progress(goal, value, _clip(used), state, days_left)
    if goal.measure in Goal.CUMULATIVE:
        share = value / target
    else:
        share = (value - baseline) / (target - baseline)
    state = "reached" if share >= 1 else "missed" if ended else "on_the_way"
    return Progress(goal, value, _clip(share), state, days_left)


def progress_of(goals, today: dt.date) -> list[Progress]:
    return [progress(goal, today) for goal in goals]
