"""Read-only aggregates behind the partners' dashboard; each panel of
dashboard.panels names the one it shows.

Each panel runs a fixed number of queries, whatever the data size, and the database does the
counting: most queries return a handful of grouped rows, which Python shapes into JSON-ready dicts.
Clients at risk are the exception: the candidates (clients with a strong signal) come back one row
each and are scored here, in one place with the words that explain each flag.

Definitions used throughout:
- A *loss* is a client lost on a date, counted once however many interviews describe it: the
  row is its most recently finalised exit interview (`ExitInterview.objects.losses()`). Its
  date is the interview's `lost_on`. Its fees are the interview's `fees_lost`, or the client's
  `annual_fees` when `fees_lost` is empty.
- The service-line and office filters apply through the client (of a loss, an action, a feedback
  response); actions and responses without a client drop out when either filter is set.
- Open and overdue actions are counted as of today, not for the period.
"""

import datetime as dt
import math
import statistics
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from actions.models import Action
from feedback.models import (
    HANDLED_WITHOUT_REASON,
    NOT_TRIAGED,
    Client,
    ExitInterview,
    FeeChange,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAttempt,
    Suggestion,
)
from retrospectives.models import Participant, Review

VITAL_FEW_SHARE = 0.8
REPEAT_WINDOW = dt.timedelta(days=365)
TOP_ROWS = 10
AT_RISK_ROWS = 15
TREND_MONTHS = 24
CLOSED_STATUSES = (Action.Status.DONE, Action.Status.VERIFIED)
# Check-in actions created from the at-risk panel start with this title.
CHECK_IN_TITLE = "Check in with"


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    today: dt.date
    service_line_id: int | None = None
    office_id: int | None = None

    @property
    def key(self) -> str:
        """Identifies the snapshot of these filters; 'today' matters for overdue counts."""
        return (
            f"{self.start}:{self.end}:{self.today}:"
            f"{self.service_line_id or ''}:{self.office_id or ''}"
        )


def money(value: Decimal | int | float | None) -> float:
    return float(round(Decimal(value or 0), 2))


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def learning_index(mean: float | None) -> float | None:
    """The five items are 1–5 agreement; the index maps 1 → 0 and 5 → 100."""
    return None if mean is None else round((mean - 1) / 4 * 100, 1)


def _for_clients(qs: QuerySet, f: Filters, prefix: str) -> QuerySet:
    if f.service_line_id:
        qs = qs.filter(**{f"{prefix}service_lines": f.service_line_id})
    if f.office_id:
        qs = qs.filter(**{f"{prefix}office": f.office_id})
    return qs


def all_losses(f: Filters) -> QuerySet:
    """One row per loss, annotated with lost_date and fees, for the segment filters."""
    qs = ExitInterview.objects.losses().annotate(
        lost_date=F("lost_on"),
        fees=Coalesce(
            "fees_lost",
            "client__annual_fees",
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
    )
    return _for_clients(qs, f, "client__")


def losses(f: Filters) -> QuerySet:
    return all_losses(f).filter(lost_date__gte=f.start, lost_date__lte=f.end)


def scoped_actions(f: Filters) -> QuerySet:
    return _for_clients(Action.objects.all(), f, "client__")


def headline(f: Filters) -> dict:
    totals = losses(f).aggregate(
        losses=Count("id"),
        fees_total=Sum("fees"),
        with_reason=Count("id", filter=Q(client_primary_reason__isnull=False)),
        controllable=Count("id", filter=Q(client_primary_reason__controllable=True)),
    )
    actions = scoped_actions(f).aggregate(
        open=Count("id", filter=Q(status__in=Action.OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=Action.OPEN_STATUSES, due_on__lt=f.today)),
    )
    learning = _learning_checks(f).aggregate(
        n=Count("id"), mean=Avg(F("item1") + F("item2") + F("item3") + F("item4") + F("item5"))
    )
    mean_item = learning["mean"] / 5 if learning["mean"] is not None else None
    speak = Participant.objects.filter(
        review__closed_at__date__gte=f.start, review__closed_at__date__lte=f.end
    ).speak_freely_summary()
    return {
        # A client lost twice in the period (won back in between) is two losses.
        "clients_lost": totals["losses"],
        "losses": totals["losses"],
        "fees_lost": money(totals["fees_total"]),
        "with_reason": totals["with_reason"],
        "controllable": totals["controllable"],
        "controllable_share": ratio(totals["controllable"], totals["with_reason"]),
        "open_actions": actions["open"],
        "overdue_actions": actions["overdue"],
        "median_days_to_verified": median_days_to_verified(f),
        "learning_index": learning_index(mean_item),
        "learning_answers": learning["n"],
        "speak_freely": round(speak.average, 2) if speak.average is not None else None,
        "speak_freely_answers": speak.count,
    }


def median_days_to_verified(f: Filters) -> float | None:
    """Median days from creation to verification of actions verified in the period. Two queries
    (a count and the one or two middle rows), so it works on SQLite as well as PostgreSQL."""
    verified = scoped_actions(f).filter(
        status=Action.Status.VERIFIED,
        verified_at__date__gte=f.start,
        verified_at__date__lte=f.end,
    )
    n = verified.count()
    if not n:
        return None
    middle = list(
        verified.annotate(
            took=ExpressionWrapper(F("verified_at") - F("created_at"), output_field=DurationField())
        )
        .order_by("took", "id")
        .values_list("took", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    return round(statistics.mean(d.total_seconds() for d in middle) / 86400, 1)


def _reason_label(name: str | None) -> str:
    return name or "No reason recorded"


def pareto_rows(rows: list[dict], metric: str) -> list[dict]:
    """Sort by metric and add share, cumulative share and the 'vital few' flag: the rows needed
    to reach 80 % of the total (a row is vital when the share before it is under 80 %)."""
    ordered = sorted(rows, key=lambda row: (-row[metric], row["label"]))
    total = sum(row[metric] for row in ordered)
    running = 0.0
    out = []
    for row in ordered:
        before = running / total if total else 0.0
        running += row[metric]
        out.append(
            {
                **row,
                "share": ratio(row[metric], total),
                "cumulative": ratio(running, total),
                "vital": bool(total) and before < VITAL_FEW_SHARE,
            }
        )
    return out


def pareto(f: Filters) -> dict:
    grouped = (
        losses(f)
        .values("client_primary_reason", "client_primary_reason__name")
        .annotate(count=Count("id"), fees=Sum("fees"))
    )
    rows = [
        {
            "id": row["client_primary_reason"] or "none",
            "label": _reason_label(row["client_primary_reason__name"]),
            "count": row["count"],
            "fees": money(row["fees"]),
        }
        for row in grouped
    ]
    return {"by_count": pareto_rows(rows, "count"), "by_fees": pareto_rows(rows, "fees")}


# Segment dimensions: (key, title, id lookup, label lookup); the key is also the drill-down's
# query parameter.
SEGMENTS = [
    ("service_line", "Service line", "client__service_lines", "client__service_lines__name"),
    ("industry", "Industry", "client__industry", "client__industry"),
    ("office", "Office", "client__office", "client__office__name"),
    (
        "partner",
        "Relationship partner",
        "client__relationship_partner",
        "client__relationship_partner__display_name",
    ),
    ("size_band", "Size band", "client__size_band", "client__size_band"),
]
SEGMENT_LABELS = {
    "industry": dict(Client.Industry.choices),
    "size_band": dict(Client.SizeBand.choices),
}


def segments(f: Filters) -> dict:
    """Losses by segment, a Pareto each. A client with several service lines counts in each."""
    out = {}
    for key, title, id_lookup, label_lookup in SEGMENTS:
        grouped = (
            losses(f)
            .values(id_lookup, label_lookup)
            .annotate(count=Count("id"), fees=Sum("fees"))
            .order_by()
        )
        labels = SEGMENT_LABELS.get(key, {})
        rows = [
            {
                "id": row[id_lookup] or "none",
                "label": labels.get(row[label_lookup], row[label_lookup]) or "Not recorded",
                "count": row["count"],
                "fees": money(row["fees"]),
            }
            for row in grouped
        ]
        out[key] = {"title": title, "rows": pareto_rows(rows, "count")}
    return out


def _excuse_in_other_reasons():
    through = ExitInterview.client_other_reasons.through
    return Exists(
        through.objects.filter(exitinterview=OuterRef("pk"), lossreason__check_for_excuse=True)
    )


def team_vs_client(f: Filters) -> dict:
    """How often the team's hypothesis names the client's own primary reason, the matrix of the
    two, and how often each side says 'difficult client' (clients: primary or other reason)."""
    cells = list(
        losses(f)
        .filter(team_reason__isnull=False, client_primary_reason__isnull=False)
        .values("team_reason", "client_primary_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    excuse = (
        losses(f)
        .annotate(client_other_excuse=_excuse_in_other_reasons())
        .aggregate(
            total=Count("id"),
            with_team_reason=Count("id", filter=Q(team_reason__isnull=False)),
            team=Count("id", filter=Q(team_reason__check_for_excuse=True)),
            clients=Count(
                "id",
                filter=Q(client_primary_reason__check_for_excuse=True)
                | Q(client_other_excuse=True),
            ),
        )
    )
    used = {c["team_reason"] for c in cells} | {c["client_primary_reason"] for c in cells}
    reasons = {r.pk: r.name for r in LossReason.objects.filter(pk__in=used)} if used else {}
    order = list(reasons)  # taxonomy order
    team_ids = [pk for pk in order if any(c["team_reason"] == pk for c in cells)]
    client_ids = [pk for pk in order if any(c["client_primary_reason"] == pk for c in cells)]
    counts = {(c["team_reason"], c["client_primary_reason"]): c["n"] for c in cells}
    compared = sum(counts.values())
    matched = sum(n for (team, client), n in counts.items() if team == client)
    return {
        "compared": compared,
        "matched": matched,
        "match_rate": ratio(matched, compared),
        "columns": [{"id": pk, "label": reasons[pk]} for pk in client_ids],
        "rows": [
            {
                "id": team,
                "label": reasons[team],
                "cells": [
                    {"client": client, "n": counts.get((team, client), 0), "match": team == client}
                    for client in client_ids
                ],
            }
            for team in team_ids
        ],
        "losses": excuse["total"],
        "with_team_reason": excuse["with_team_reason"],
        "difficult_said_by_team": excuse["team"],
        "difficult_said_by_clients": excuse["clients"],
    }


def repeat_losses(f: Filters) -> QuerySet:
    """Losses in the period whose primary reason is the cause of an action that was marked done
    (or verified) in the 12 months before the loss: the lesson was not learned."""
    fixed_before = Action.objects.filter(
        cause=OuterRef("client_primary_reason"),
        status__in=CLOSED_STATUSES,
        done_at__date__lt=OuterRef("lost_date"),
        done_at__date__gte=OuterRef("window_start"),
    )
    return (
        losses(f)
        .filter(client_primary_reason__isnull=False)
        .annotate(
            window_start=ExpressionWrapper(F("lost_date") - REPEAT_WINDOW, output_field=DateField())
        )
        .filter(Exists(fixed_before))
    )


def repeat_causes(f: Filters) -> list[dict]:
    grouped = (
        repeat_losses(f)
        .values("client_primary_reason", "client_primary_reason__name")
        .annotate(count=Count("id"), fees=Sum("fees"), first=Min("lost_date"))
        .order_by("-count", "client_primary_reason__name")
    )
    return [
        {
            "id": row["client_primary_reason"],
            "label": row["client_primary_reason__name"],
            "count": row["count"],
            "fees": money(row["fees"]),
            "first": row["first"].isoformat(),
        }
        for row in grouped
    ]


FUNNEL = [
    (Action.Status.OPEN, "Open"),
    (Action.Status.IN_PROGRESS, "In progress"),
    (Action.Status.DONE, "Done"),
    (Action.Status.VERIFIED, "Verified"),
    (Action.Status.WONT_DO, "Won't do"),
]


PILOT_STAGES = [
    ("running", "Running", Q(pilot_result="")),
    ("worked", "Worked", Q(pilot_result=Action.PilotResult.WORKED)),
    ("did_not_work", "Did not work", Q(pilot_result=Action.PilotResult.DID_NOT_WORK)),
    ("inconclusive", "Inconclusive", Q(pilot_result=Action.PilotResult.INCONCLUSIVE)),
    ("rolled_out", "Rolled out", Q(rollout__isnull=False)),
]


def action_funnel(f: Filters) -> dict:
    """Actions created in the period by where they are now, and today's overdue by owner.
    Pilots are counted apart, by their result: the status stages hold the other actions."""
    created = scoped_actions(f).filter(created_at__date__gte=f.start, created_at__date__lte=f.end)
    pilots = created.filter(is_pilot=True).aggregate(
        total=Count("id"), **{key: Count("id", filter=q) for key, _, q in PILOT_STAGES}
    )
    by_status = dict(
        created.filter(is_pilot=False).values_list("status").annotate(n=Count("id")).order_by()
    )
    total = sum(by_status.values())
    reached_done = by_status.get("done", 0) + by_status.get("verified", 0)
    overdue = (
        scoped_actions(f)
        .overdue(f.today)
        .values("owner", "owner__display_name", "owner__username")
        .annotate(n=Count("id"), oldest=Min("due_on"))
        .order_by("-n", "oldest", "owner")[:TOP_ROWS]
    )
    return {
        "created": total,
        "stages": [
            {"status": status.value, "label": label, "n": by_status.get(status.value, 0)}
            for status, label in FUNNEL
        ],
        "pilots": {
            "total": pilots["total"],
            "stages": [
                {"result": key, "label": label, "n": pilots[key]} for key, label, _ in PILOT_STAGES
            ],
        },
        "done_rate": ratio(reached_done, total),
        "verified_rate": ratio(by_status.get("verified", 0), total),
        "overdue_by_owner": [
            {
                "id": row["owner"],
                "label": row["owner__display_name"] or row["owner__username"],
                "n": row["n"],
                "oldest": row["oldest"].isoformat(),
                "days": (f.today - row["oldest"]).days,
            }
            for row in overdue
        ],
    }


# Clients at risk ------------------------------------------------------------------------------
#
# An active client is scored on signals that come before a loss, each worth a few points, and
# compared with the firm's recent controllable losses (their reason categories and service
# lines); fee changes count too (surprise bills drive clients away, and scope shrinks before
# they go). Only clients with enough points are flagged, and at most the top AT_RISK_SHARE of
# the active clients firm-wide, so the list stays short enough to call every one of them.

AT_RISK_SHARE = 0.10
AT_RISK_MIN_POINTS = 3
RECENT_FEEDBACK = dt.timedelta(days=183)
EARLIER_FEEDBACK = dt.timedelta(days=548)
STATED_REASON_WINDOW = dt.timedelta(days=365)
LOW_RATING = 6
RATING_DROP = 2
# A service line resembles recent losses when its share of them is this much above its share
# of the active clients, on at least two lost clients.
LINE_LIFT = 1.25
# The fees as they stand on the day against the fees before the first change of the window
# (a rise taken back within it is no rise; fees set on a client that had none are no rise).
FEE_WINDOW = dt.timedelta(days=365)
FEE_RISE = Decimal("1.15")
FEE_CUT = Decimal("0.75")
RISK_POINTS = {
    "marked": 3,  # an open save attempt, or the client marked at risk (today's status)
    "low_rating": 2,  # average feedback rating at or below LOW_RATING in the last 6 months
    "falling": 1,  # that average fell by RATING_DROP or more from the year before
    "stated_reason": 2,  # feedback in the last year triaged to a cause of recent losses
    "overdue": 1,  # an action on the client overdue (two points from three overdue)
    "line": 1,  # a service line over-represented among recent controllable losses
    "fee_rise": 1,  # fees up FEE_RISE or more over the last 12 months
    "fee_cut": 1,  # fees down to FEE_CUT or less over the last 12 months
}


@dataclass(frozen=True)
class RiskReference:
    """What the period's controllable losses look like, and how many clients are active."""

    as_of: dt.date
    active: int
    categories: dict[str, int]  # reason category -> controllable losses (clients)
    lines: dict[int, tuple[str, int]]  # over-represented service line -> (name, lost clients)

    @property
    def cap(self) -> int:
        return math.ceil(self.active * AT_RISK_SHARE)


def active_on(day: dt.date, prefix: str = "") -> Q:
    """Clients of the firm on that day: not lost by then (a client lost later was still ours)."""
    active = Q(**{f"{prefix}status__in": [Client.Status.ACTIVE, Client.Status.AT_RISK]}) | Q(
        **{f"{prefix}status": Client.Status.LOST, f"{prefix}lost_on__gt": day}
    )
    started = Q(**{f"{prefix}client_since__isnull": True}) | Q(
        **{f"{prefix}client_since__lte": day}
    )
    return active & started


def risk_reference(f: Filters) -> RiskReference:
    """Three small grouped queries. Firm-wide whatever the segment filters: a client's flag
    does not depend on how the dashboard is sliced."""
    firm = replace(f, service_line_id=None, office_id=None)
    controllable = losses(firm).filter(client_primary_reason__controllable=True)
    active = Client.objects.filter(active_on(f.today)).count()
    categories = {
        row["client_primary_reason__category"]: row["n"]
        for row in controllable.values("client_primary_reason__category")
        .annotate(n=Count("client", distinct=True))
        .order_by()
    }
    # One row per (client, line): plain counts are client counts.
    by_line = (
        Client.objects.filter(service_lines__isnull=False)
        .filter(active_on(f.today) | Q(pk__in=controllable.values("client")))
        .values("service_lines", "service_lines__name")
        .annotate(
            active=Count("id", filter=active_on(f.today)),
            lost=Count("id", filter=Q(pk__in=controllable.values("client"))),
        )
        .order_by()
    )
    lost_clients = sum(categories.values())
    lines = {}
    for row in by_line if lost_clients and active else []:
        lost_share, active_share = row["lost"] / lost_clients, row["active"] / active
        if row["lost"] >= 2 and row["active"] and lost_share >= LINE_LIFT * active_share:
            lines[row["service_lines"]] = (row["service_lines__name"], row["lost"])
    return RiskReference(
        as_of=f.today,
        active=active,
        categories=categories,
        lines=dict(sorted(lines.items(), key=lambda item: (-item[1][1], item[1][0]))),
    )


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after a local day: a bound the timestamp indexes can use."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class _Signals:
    """The querysets behind each signal of the clients active on a day, as they stood then."""

    def __init__(self, ref: RiskReference):
        day, self.ref = ref.as_of, ref
        self.end = _end_of(day)
        self.recent = _end_of(day - RECENT_FEEDBACK)
        self.earlier = _end_of(day - EARLIER_FEEDBACK)
        self.rated = FeedbackResponse.objects.filter(rating__isnull=False)
        self.stated = FeedbackResponse.objects.filter(
            reason__category__in=list(ref.categories),
            submitted_at__gte=_end_of(day - STATED_REASON_WINDOW),
            submitted_at__lt=self.end,
        )
        self.save_open = SaveAttempt.objects.filter(opened_at__lt=self.end).filter(
            Q(status=SaveAttempt.Status.OPEN) | Q(closed_at__gte=self.end)
        )
        self.overdue = Action.objects.filter(
            client__isnull=False, created_at__lt=self.end, due_on__lt=day
        ).filter(Q(status__in=Action.OPEN_STATUSES) | Q(done_at__gte=self.end))
        self.fees = FeeChange.objects.filter(changed_on__gt=day - FEE_WINDOW, changed_on__lte=day)

    def candidates(self) -> Q:
        """Who can reach AT_RISK_MIN_POINTS at all: without one of these, a client has at
        most an overdue action and a service line. Cheap semi-joins that spare the scoring
        of every active client."""
        return (
            Q(status=Client.Status.AT_RISK)
            | Q(pk__in=self.save_open.values("client"))
            | Q(
                pk__in=self.rated.filter(
                    submitted_at__gte=self.recent, submitted_at__lt=self.end
                ).values("client")
            )
            | Q(pk__in=self.stated.values("client"))
            | Q(
                pk__in=self.overdue.values("client")
                .annotate(n=Count("pk"))
                .filter(n__gte=3)
                .values("client")
            )
            | Q(pk__in=self._fees_moved())
        )

    def _fees_moved(self) -> QuerySet:
        """Clients whose fees may have risen by FEE_RISE or fallen to FEE_CUT in the window:
        the highest (lowest) new fees against the lowest (highest) earlier fees, with a little
        room for rounding; _assess decides on the exact amounts."""
        room = Decimal("0.001")
        return (
            self.fees.values("client")
            .annotate(
                top=Max("new"),
                bottom=Min("new"),
                low=Min("previous", filter=Q(previous__gt=0)),
                high=Max("previous"),
            )
            .filter(
                Q(top__gte=F("low") * (FEE_RISE - room))
                | Q(bottom__lte=F("high") * (FEE_CUT + room))
            )
            .values("client")
        )

    def average_rating(self, since: dt.datetime, until: dt.datetime) -> Subquery:
        return Subquery(
            self.rated.filter(
                client=OuterRef("pk"), submitted_at__gte=since, submitted_at__lt=until
            )
            .order_by()
            .values("client")
            .annotate(mean=Avg("rating"))
            .values("mean"),
            output_field=FloatField(),
        )

    def annotations(self) -> dict:
        ref = self.ref
        line = Value(None, output_field=IntegerField())
        if ref.lines:
            line = Subquery(
                Client.service_lines.through.objects.filter(
                    client=OuterRef("pk"), serviceline__in=list(ref.lines)
                )
                .order_by(
                    Case(
                        *[When(serviceline=pk, then=Value(n)) for n, pk in enumerate(ref.lines)],
                        output_field=IntegerField(),
                    )
                )
                .values("serviceline")[:1]
            )
        return {
            "risk_save_open": Exists(self.save_open.filter(client=OuterRef("pk"))),
            "risk_rating": self.average_rating(self.recent, self.end),
            "risk_rating_before": self.average_rating(self.earlier, self.recent),
            "risk_stated": Subquery(
                self.stated.filter(client=OuterRef("pk"))
                .order_by("-submitted_at", "-id")
                .values("reason__category")[:1]
            )
            if ref.categories
            else Value(None, output_field=CharField()),
            "risk_overdue": Coalesce(
                Subquery(
                    self.overdue.filter(client=OuterRef("pk"))
                    .order_by()
                    .values("client")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            "risk_line": line,
            # The fees before the window's first change from some fees, when it was made, and
            # the fees after its last change: as they stood on the day.
            **{
                f"risk_fee_{name}": Subquery(
                    self.fees.filter(client=OuterRef("pk"), previous__gt=0)
                    .order_by("changed_on", "id")
                    .values(field)[:1]
                )
                for name, field in [("from", "previous"), ("since", "changed_on")]
            },
            "risk_fee_to": Subquery(
                self.fees.filter(client=OuterRef("pk"))
                .order_by("-changed_on", "-id")
                .values("new")[:1]
            ),
        }


def at_risk_clients(f: Filters, ref: RiskReference | None = None) -> tuple[list, RiskReference]:
    """The flagged clients, at most ref.cap, most points first, each with `risk_points`,
    `risk_why` (its signals in words) and `check_in_open`. The flags are firm-wide; the segment
    filters only narrow the list. One query after the reference: the candidates with their
    signals; the points are counted here, in one place with their words."""
    ref = ref or risk_reference(f)
    signals = _Signals(ref)
    open_check_in = Action.objects.filter(
        client=OuterRef("pk"),
        status__in=Action.OPEN_STATUSES,
        title__startswith=CHECK_IN_TITLE,
    )
    in_segment = Value(True)
    if f.service_line_id or f.office_id:
        segment = Q(pk__in=_for_clients(Client.objects.all(), f, "").values("pk"))
        in_segment = ExpressionWrapper(segment, output_field=BooleanField())
    candidates = (
        Client.objects.filter(active_on(ref.as_of))
        .filter(signals.candidates())
        .annotate(
            **signals.annotations(),
            check_in_open=Exists(open_check_in),
            in_segment=in_segment,
        )
        .select_related("office", "relationship_partner", "account_manager")
    )
    flagged = []
    for client in candidates:
        client.risk_points, client.risk_why = _assess(client, ref)
        if client.risk_points >= AT_RISK_MIN_POINTS:
            flagged.append(client)
    flagged.sort(key=lambda c: (-c.risk_points, -c.annual_fees, c.name))
    return [client for client in flagged[: ref.cap] if client.in_segment], ref


def _assess(client: Client, ref: RiskReference) -> tuple[int, list[str]]:
    """A candidate's points and, strongest first, the signals that earned them, in words."""
    points, why = 0, []
    if client.risk_save_open or client.status == Client.Status.AT_RISK:
        points += RISK_POINTS["marked"]
        why.append("save attempt open" if client.risk_save_open else "marked at risk")
    rating, before = client.risk_rating, client.risk_rating_before
    if rating is not None and rating <= LOW_RATING:
        points += RISK_POINTS["low_rating"]
        why.append(f"feedback rating {rating:.1f}/10 in the last 6 months")
    if rating is not None and before is not None and rating <= before - RATING_DROP:
        points += RISK_POINTS["falling"]
        why.append(f"rating down from {before:.1f} to {rating:.1f}")
    if client.risk_stated:
        points += RISK_POINTS["stated_reason"]
        label = LossReason.Category(client.risk_stated).label
        n = ref.categories.get(client.risk_stated, 0)
        why.append(
            f"raised “{label}” in feedback, the reason of {n} recent controllable "
            + ("loss" if n == 1 else "losses")
        )
    if (fee_change := _fee_change(client)) is not None:
        kind, words = fee_change
        points += RISK_POINTS[kind]
        why.append(words)
    if client.risk_overdue:
        points += RISK_POINTS["overdue"] * (2 if client.risk_overdue >= 3 else 1)
        s = "" if client.risk_overdue == 1 else "s"
        why.append(f"{client.risk_overdue} overdue action{s} on the client")
    if client.risk_line in ref.lines:
        points += RISK_POINTS["line"]
        name, n = ref.lines[client.risk_line]
        why.append(f"{name}, like {n} recent controllable losses")
    return points, why


def _fee_change(client: Client) -> tuple[str, str] | None:
    """The fee signal of a candidate, and its words ("fees up 20% since March 2026")."""
    before, now, since = client.risk_fee_from, client.risk_fee_to, client.risk_fee_since
    if not before or now is None:
        return None
    if now >= before * FEE_RISE:
        kind, direction = "fee_rise", "up"
    elif now <= before * FEE_CUT:
        kind, direction = "fee_cut", "down"
    else:
        return None
    percent = (abs(now - before) / before * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return kind, f"fees {direction} {percent}% since {since:%B %Y}"


def at_risk(f: Filters) -> dict:
    clients, ref = at_risk_clients(f)
    return {
        "clients": len(clients),
        "fees": money(sum(client.annual_fees for client in clients)),
        "active": ref.active,
        "cap": ref.cap,
        "rows": [
            {
                "id": client.pk,
                "label": client.name,
                "fees": money(client.annual_fees),
                "account_manager": str(client.account_manager or ""),
                "account_manager_id": client.account_manager_id,
                "points": client.risk_points,
                "why": client.risk_why,
                "check_in_open": client.check_in_open,
            }
            for client in clients[:AT_RISK_ROWS]
        ],
    }


def client_voice_responses(f: Filters) -> QuerySet:
    qs = FeedbackResponse.objects.filter(
        submitted_at__date__gte=f.start, submitted_at__date__lte=f.end
    )
    return _for_clients(qs, f, "client__")


def client_voice(f: Filters) -> dict:
    """Feedback responses in their triage state: handled under a reason (by the theme of the
    reason's category), handled without a reason, or not triaged yet, which add up to all the
    responses; the monthly rating and how many 'you said, we did' replies went out."""
    responses = client_voice_responses(f)
    totals = responses.aggregate(
        n=Count("id"),
        rating=Avg("rating"),
        replies=Count("id", filter=Q(reply_sent_at__isnull=False)),
        untriaged=Count("id", filter=NOT_TRIAGED),
        handled_without_reason=Count("id", filter=HANDLED_WITHOUT_REASON),
    )
    themes = dict(LossReason.Category.choices)
    by_theme = (
        responses.handled_with_reason()
        .values("reason__category")
        .annotate(n=Count("id"))
        .order_by("-n", "reason__category")
    )
    by_month = (
        client_voice_responses(f)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("id"), rating=Avg("rating"))
        .order_by("month")
    )
    return {
        "responses": totals["n"],
        "rating": round(totals["rating"], 2) if totals["rating"] is not None else None,
        "replies": totals["replies"],
        "untriaged": totals["untriaged"],
        "handled_without_reason": totals["handled_without_reason"],
        "themes": [
            {
                "id": row["reason__category"],
                "label": themes.get(row["reason__category"], row["reason__category"]),
                "n": row["n"],
            }
            for row in by_theme
        ],
        "months": [
            {
                "month": row["month"].strftime("%Y-%m"),
                "n": row["n"],
                "rating": round(row["rating"], 2) if row["rating"] is not None else None,
            }
            for row in by_month
        ],
    }


def saves(f: Filters) -> dict:
    """Save attempts opened in the period and where each stands now: saved, lost or still
    open; of the open ones, how many missed their first-contact date (as of today)."""
    opened = _for_clients(
        SaveAttempt.objects.filter(opened_at__date__gte=f.start, opened_at__date__lte=f.end),
        f,
        "client__",
    )
    is_open = Q(status=SaveAttempt.Status.OPEN)
    return opened.aggregate(
        opened=Count("id", distinct=True),
        saved=Count("id", filter=Q(status=SaveAttempt.Status.SAVED), distinct=True),
        lost=Count("id", filter=Q(status=SaveAttempt.Status.LOST), distinct=True),
        open=Count("id", filter=is_open, distinct=True),
        overdue=Count(
            "id",
            filter=is_open & Q(first_contact_on__isnull=True, first_contact_due_on__lt=f.today),
            distinct=True,
        ),
    )


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarters_between(start: dt.date, end: dt.date) -> list[str]:
    quarters, year, q = [], start.year, (start.month - 1) // 3 + 1
    while f"{year}Q{q}" <= quarter_of(end):
        quarters.append(f"{year}Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return quarters


def _learning_checks(f: Filters) -> QuerySet:
    qs = LearningCheck.objects.filter(quarter__in=quarters_between(f.start, f.end))
    return qs.filter(respondent__office=f.office_id) if f.office_id else qs


ITEMS = [f"item{i}" for i in range(1, 6)]
ACTION_SUGGESTED_BELOW = 2.5


def staff_suggestions(f: Filters) -> dict:
    """Staff suggestions received in the period and how many have an answer by now (accepted,
    declined or merged): the deeds behind items 3 and 4 of the check. Firm-wide, because an
    anonymous suggestion has no office."""
    totals = Suggestion.objects.filter(
        submitted_on__gte=f.start, submitted_on__lte=f.end
    ).aggregate(received=Count("id"), answered=Count("id", filter=~Q(status=Suggestion.Status.NEW)))
    return {
        "received": totals["received"],
        "answered": totals["answered"],
        "answered_share": ratio(totals["answered"], totals["received"]),
    }


def learning(f: Filters) -> dict:
    """The five-item check per quarter touched by the period (not filtered by service line)."""
    grouped = list(
        _learning_checks(f)
        .values("quarter")
        .annotate(n=Count("id"), **{item: Avg(item) for item in ITEMS})
        .order_by("quarter")
    )
    answers = sum(row["n"] for row in grouped)
    item_means = [
        sum(row[item] * row["n"] for row in grouped) / answers if answers else None
        for item in ITEMS
    ]
    return {
        "answers": answers,
        "suggestions": staff_suggestions(f),
        "quarters": [
            {
                "quarter": row["quarter"],
                "n": row["n"],
                "index": learning_index(statistics.mean(row[item] for item in ITEMS)),
            }
            for row in grouped
        ],
        "items": [
            {
                "n": i,
                "label": LearningCheck.ITEMS[i - 1],
                "mean": round(mean, 2) if mean is not None else None,
                "index": learning_index(mean),
                "needs_action": mean is not None and mean <= ACTION_SUGGESTED_BELOW,
            }
            for i, mean in enumerate(item_means, start=1)
        ],
    }


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return start, end - dt.timedelta(days=1)


def _mean(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def perception(f: Filters) -> dict:
    """Are our improvements visible to clients? Per calendar quarter touched by the period:
    actions verified (changes made), the clients' average answer to "do you feel we acted on
    what you told us?" and the staff's average on item 5 ("our clients can tell that we
    learned"), all 1–5. The gap is staff minus clients: above zero, we think clients see more
    than they do."""
    quarters = quarters_between(f.start, f.end)
    first, last = quarter_bounds(quarters[0])[0], quarter_bounds(quarters[-1])[1]
    verified = {
        quarter_of(row["quarter"]): row["n"]
        for row in scoped_actions(f)
        .filter(
            status=Action.Status.VERIFIED,
            verified_at__date__gte=first,
            verified_at__date__lte=last,
        )
        .annotate(quarter=TruncQuarter("verified_at"))
        .values("quarter")
        .annotate(n=Count("id"))
        .order_by()
    }
    answers = _for_clients(
        FeedbackResponse.objects.filter(
            acted_on__isnull=False, submitted_at__date__gte=first, submitted_at__date__lte=last
        ),
        f,
        "client__",
    )
    clients = {
        quarter_of(row["quarter"]): row
        for row in answers.annotate(quarter=TruncQuarter("submitted_at"))
        .values("quarter")
        .annotate(n=Count("id"), mean=Avg("acted_on"))
        .order_by()
    }
    staff = {
        row["quarter"]: row
        for row in _learning_checks(f)
        .values("quarter")
        .annotate(n=Count("id"), mean=Avg("item5"))
        .order_by()
    }
    rows = []
    for quarter in quarters:
        client, colleague = clients.get(quarter), staff.get(quarter)
        client_mean = _mean(client["mean"]) if client else None
        staff_mean = _mean(colleague["mean"]) if colleague else None
        rows.append(
            {
                "quarter": quarter,
                "verified": verified.get(quarter, 0),
                "client_mean": client_mean,
                "client_answers": client["n"] if client else 0,
                "staff_mean": staff_mean,
                "staff_answers": colleague["n"] if colleague else 0,
                "gap": round(staff_mean - client_mean, 2)
                if client_mean is not None and staff_mean is not None
                else None,
            }
        )
    return {"quarters": rows}


def month_starts(end: dt.date, count: int) -> list[dt.date]:
    year, month = end.year, end.month
    months = []
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def trend(f: Filters) -> list[dict]:
    """Losses and fees lost per month, the 24 months up to the end of the period."""
    months = month_starts(f.end, TREND_MONTHS)
    grouped = {
        row["month"]: row
        for row in all_losses(f)
        .filter(lost_date__gte=months[0], lost_date__lte=f.end)
        .annotate(month=TruncMonth("lost_date"))
        .values("month")
        .annotate(n=Count("id"), fees=Sum("fees"))
        .order_by()
    }
    return [
        {
            "month": month.strftime("%Y-%m"),
            "n": grouped[month]["n"] if month in grouped else 0,
            "fees": money(grouped[month]["fees"]) if month in grouped else 0.0,
        }
        for month in months
    ]


def overdue_audits(f: Filters) -> dict:
    """Process audits not held within two weeks of their date, as of today; the service-line
    filter applies through the audit's schedule, the office filter does not apply."""
    qs = Review.objects.overdue_audits(f.today)
    if f.service_line_id:
        qs = qs.filter(schedule__service_line_id=f.service_line_id)
    rows = [
        {
            "id": row["id"],
            "title": row["title"],
            "due": timezone.localtime(row["scheduled_for"]).date().isoformat(),
            "days": (f.today - timezone.localtime(row["scheduled_for"]).date()).days,
            "facilitator": row["facilitator__display_name"] or row["facilitator__username"] or "",
        }
        for row in qs.order_by("scheduled_for", "id").values(
            "id", "title", "scheduled_for", "facilitator__display_name", "facilitator__username"
        )
    ]
    return {"count": len(rows), "rows": rows[:TOP_ROWS]}
