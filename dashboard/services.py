"""The dashboard's rollup: compute every panel once, store it, and serve the stored copy."""

import dataclasses
import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts import audit
from accounts.models import Office, User
from actions.models import Action
from actions.services import create_action
from feedback.models import Client

from . import panels, queries, tasks
from .models import Goal, Snapshot

# A snapshot older than this is refreshed in the background (the page shows the stored copy and
# its "data as of" meanwhile); the beat task keeps the default one fresh.
SNAPSHOT_MAX_AGE = dt.timedelta(minutes=15)
# While one background refresh of a view is queued or running, no other is queued.
REFRESH_LOCK_SECONDS = 5 * 60
# Snapshots nobody asked for in this long are deleted by the beat task.
SNAPSHOT_KEEP = dt.timedelta(days=1)


def default_filters(today: dt.date | None = None) -> queries.Filters:
    """The trailing 12 months up to today, every service line and office."""
    today = today or timezone.localdate()
    return queries.Filters(start=twelve_months_before(today), end=today, today=today)


def twelve_months_before(day: dt.date) -> dt.date:
    try:
        start = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        start = day.replace(year=day.year - 1, day=28)
    return start + dt.timedelta(days=1)


def refresh_snapshot(*, filters: queries.Filters, version: int | None = None) -> Snapshot:
    """Compute every panel and store it, replacing an older copy in one upsert, so two workers
    computing the same view at once do not collide. The copy records the version of the
    snapshot it was computed at (`version`, read now when not given): a change marked while it
    was being computed leaves it stale. The copy records the panels' schema it was computed
    with (dashboard.panels.SCHEMA_VERSION)."""
    if version is None:
        version = (
            Snapshot.objects.filter(key=filters.key).values_list("version", flat=True).first() or 0
        )
    snapshot = Snapshot(
        key=filters.key,
        data=panels.compute(filters),
        schema=panels.SCHEMA_VERSION,
        computed_at=timezone.now(),
        version=version,
        computed_version=version,
    )
    Snapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["data", "schema", "computed_at", "computed_version"],
    )
    return snapshot


def snapshot_for(*, filters: queries.Filters) -> Snapshot:
    """The stored panels for these filters: computed now when there are none, refreshed in the
    background when they are stale (older than SNAPSHOT_MAX_AGE, or marked stale by a change;
    stale-while-revalidate: at 100,000 interviews a computation takes seconds, which a partner
    should wait for once per view, not after every change). The data itself loads on first use:
    a page whose rendered panels are cached never needs it. A copy of an older panel schema
    is not shown: it is computed again now, like a missing one."""
    snapshot = Snapshot.objects.defer("data").filter(key=filters.key).first()
    if snapshot is None:
        return refresh_snapshot(filters=filters, version=0)
    if snapshot.schema != panels.SCHEMA_VERSION:
        return refresh_snapshot(filters=filters, version=snapshot.version)
    too_old = timezone.now() - snapshot.computed_at > SNAPSHOT_MAX_AGE
    if too_old or snapshot.changed_since_computed:
        _refresh_in_background(filters)
    return snapshot


def _refresh_lock(filters: queries.Filters) -> str:
    return f"dashboard:refreshing:{filters.key}"


def _refresh_in_background(filters: queries.Filters) -> None:
    if not cache.add(_refresh_lock(filters), True, REFRESH_LOCK_SECONDS):
        return
    fields = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in dataclasses.asdict(filters).items()
    }
    tasks.refresh_view.delay_on_commit(fields)


def refresh_view(fields: dict) -> Snapshot:
    """The background refresh of one view (see snapshot_for)."""
    dates = {"start", "end", "today"}
    filters = queries.Filters(
        **{k: dt.date.fromisoformat(v) if k in dates else v for k, v in fields.items()}
    )
    try:
        return refresh_snapshot(filters=filters)
    finally:
        cache.delete(_refresh_lock(filters))


def refresh_default_snapshot() -> Snapshot:
    """Beat: keep the view most partners open fresh, and drop snapshots nobody uses."""
    Snapshot.objects.filter(computed_at__lt=timezone.now() - SNAPSHOT_KEEP).delete()
    return refresh_snapshot(filters=default_filters())


def mark_stale() -> None:
    """After a change the dashboard must show soon (a new check-in action): every stored view
    is refreshed in the background the next time it is opened. Nothing is deleted, so no page
    waits for a computation meanwhile."""
    Snapshot.objects.update(version=F("version") + 1)


def open_check_ins() -> QuerySet:
    """Open check-in actions: what the at-risk panel shows as 'open' and what a second
    check-in for the same client finds instead of adding one."""
    return Action.objects.filter(
        status__in=Action.OPEN_STATUSES, title__startswith=queries.CHECK_IN_TITLE
    )


@dataclasses.dataclass(frozen=True)
class CheckIn:
    action: Action
    created: bool


def check_in(*, client: Client, by: User, due_on: dt.date) -> CheckIn:
    """A check-in action for an at-risk client, owned by its account manager (or `by`). Once
    per client: while one is open, asking again returns it and creates nothing."""
    with transaction.atomic():
        # Two partners clicking at once queue here; the second finds the first one's action.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        existing = open_check_ins().filter(client=client).order_by("created_at", "id").first()
        if existing is not None:
            return CheckIn(existing, created=False)
        action = create_action(
            title=f"{queries.CHECK_IN_TITLE} {client.name}",
            detail=(
                "This client shows the signals that came before our recent losses for a reason we "
                "control (see why on the dashboard's clients-at-risk list). Ask how things are "
                "going and note what you hear."
            ),
            owner=client.account_manager or by,
            due_on=due_on,
            created_by=by,
            priority=Action.Priority.HIGH,
            client=client,
        )
        mark_stale()
    return CheckIn(action, created=True)


# --- team goals ------------------------------------------------------------------------------


def _require_goal_setter(by: User) -> None:
    if not by.has_any_role(*Goal.SET_BY):
        raise ValidationError("Only a partner can set or change a team goal.")


def scope_taken_message(office: Office | None) -> str:
    scope = office.name if office else "The whole firm"
    return f"{scope} already has an active goal. End it before setting a new one."


def set_goal(
    *,
    by: User,
    title: str,
    office: Office | None,
    starts_on: dt.date,
    ends_on: dt.date,
    measure: str,
    baseline: Decimal,
    target: Decimal,
    manual_label: str = "",
    request=None,
) -> Goal:
    """Set the one active goal of a scope (the firm, or an office). The form checks the values;
    the database's unique constraint settles two partners setting a goal at the same moment."""
    _require_goal_setter(by)
    try:
        with transaction.atomic():
            goal = Goal.objects.create(
                title=title,
                office=office,
                starts_on=starts_on,
                ends_on=ends_on,
                measure=measure,
                manual_label=manual_label if measure == Goal.Measure.MANUAL else "",
                baseline=baseline,
                target=target,
                set_by=by,
            )
    except IntegrityError:
        if Goal.objects.filter(status=Goal.Status.ACTIVE, office=office).exists():
            raise ValidationError({"office": scope_taken_message(office)}) from None
        raise
    audit.record(
        actor=by,
        verb="create",
        obj=goal,
        request=request,
        detail={"scope": goal.scope, "measure": measure},
    )
    return goal


@transaction.atomic
def update_goal_value(*, goal: Goal, by: User, value: Decimal, request=None) -> Goal:
    """A partner records today's value of a goal measured by hand."""
    _require_goal_setter(by)
    if not goal.is_manual or goal.status != Goal.Status.ACTIVE:
        raise ValidationError("Only an active goal measured by hand can be updated.")
    previous = goal.manual_value
    goal.manual_value, goal.manual_updated_by = value, by
    goal.manual_updated_at = timezone.now()
    goal.save(update_fields=["manual_value", "manual_updated_by", "manual_updated_at"])
    audit.record(
        actor=by,
        verb="update",
        obj=goal,
        request=request,
        detail={"from": str(previous) if previous is not None else None, "to": str(value)},
    )
    return goal


@transaction.atomic
def end_goal(*, goal: Goal, by: User, request=None) -> Goal:
    """Retire a goal (its window is over, or it was the wrong goal) so its scope can have a
    new one. The goal stays in the database."""
    _require_goal_setter(by)
    if goal.status != Goal.Status.ACTIVE:
        raise ValidationError("This goal has already ended.")
    goal.status, goal.ended_at = Goal.Status.ENDED, timezone.now()
    goal.save(update_fields=["status", "ended_at"])
    audit.record(actor=by, verb="update", obj=goal, request=request, detail={"ended": True})
    return goal
