"""The partners' dashboard, one registered panel at a time, in display order.

A panel is one `Panel` below: its key, its heading, the query that computes its numbers
(dashboard.queries), its CSV rows, its charts and its template, dashboard/panels/<key>.html. The
snapshot, the page, the CSV export and dashboard.js all read PANELS; adding a panel is one entry
here and one template.

A snapshot stores each panel's data as plain JSON under the panel's key. When any panel's data
changes shape (a key added, renamed or dropped), raise SCHEMA_VERSION: a snapshot computed at an
older version is computed again before it is shown, so no code reads a shape it does not know.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from . import queries
from .queries import Filters

SCHEMA_VERSION = 1


def _no_charts(data: Any, filter_query: str) -> dict:
    return {}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str  # the heading on the page
    csv_title: str  # the first line of its CSV export
    compute: Callable[[Filters], Any]  # JSON-ready data, stored in the snapshot
    rows: Callable[[Any], Iterable[list]]  # the CSV header and rows, from that data
    # Chart name -> what dashboard.js draws on the canvas "chart-<name>" ("kind" says how).
    charts: Callable[[Any, str], dict] = _no_charts
    in_grid: bool = True  # False: shown full width above the grid of cards

    @property
    def template(self) -> str:
        return f"dashboard/panels/{self.key}.html"

    @property
    def anchor(self) -> str:
        """The id of the panel's section on the page, for links such as #at-risk."""
        return self.key.replace("_", "-")

    def csv_rows(self, data: Any) -> Iterator[list]:
        yield from self.rows(data)


def _blank(value):
    return "" if value is None else value


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _percents(rows: list[dict]) -> list[float]:
    return [round(100 * (row["cumulative"] or 0), 1) for row in rows]


def _pareto_chart(rows: list[dict], metric: str, label: str, link: str) -> dict:
    """Bars largest first with the running share; each bar links to the losses behind it."""
    return {
        "kind": "pareto",
        "label": label,
        "labels": [row["label"] for row in rows],
        "values": [row[metric] for row in rows],
        "cumulative": _percents(rows),
        "links": [f"{link}={row['id']}" for row in rows],
    }


# --- headline --------------------------------------------------------------------------------

HEADLINE_FIGURES = [
    ("clients_lost", "Clients lost"),
    ("fees_lost", "Fees lost"),
    ("controllable_share", "Share with a controllable primary reason"),
    ("open_actions", "Open actions"),
    ("overdue_actions", "Overdue actions"),
    ("median_days_to_verified", "Median days from action created to verified"),
    ("learning_index", "Learning-capacity index (0-100)"),
    ("speak_freely", "Average could-I-speak-freely rating (1-5)"),
]


def headline_rows(data: dict) -> Iterator[list]:
    yield ["Figure", "Value"]
    for key, label in HEADLINE_FIGURES:
        yield [label, _blank(data[key])]


# --- loss reasons and segments ---------------------------------------------------------------


def pareto_rows(data: dict) -> Iterator[list]:
    yield ["Order", "Reason", "Losses", "Fees lost", "Share", "Cumulative share", "Vital few"]
    for order in ("by_count", "by_fees"):
        for row in data[order]:
            yield [
                order.replace("_", " "),
                row["label"],
                row["count"],
                row["fees"],
                _blank(row["share"]),
                _blank(row["cumulative"]),
                _yes(row["vital"]),
            ]


def pareto_charts(data: dict, filter_query: str) -> dict:
    link = f"{reverse('dashboard:losses')}?{filter_query}&reason"
    return {
        "pareto_count": _pareto_chart(data["by_count"], "count", "Clients lost", link),
        "pareto_fees": _pareto_chart(data["by_fees"], "fees", "Fees lost ($)", link),
    }


def segments_rows(data: dict) -> Iterator[list]:
    yield ["Dimension", "Segment", "Losses", "Fees lost", "Share", "Cumulative share"]
    for segment in data.values():
        for row in segment["rows"]:
            yield [
                segment["title"],
                row["label"],
                row["count"],
                row["fees"],
                _blank(row["share"]),
                _blank(row["cumulative"]),
            ]


def segments_charts(data: dict, filter_query: str) -> dict:
    losses_url = reverse("dashboard:losses")
    return {
        f"seg-{key}": _pareto_chart(
            segment["rows"][: queries.TOP_ROWS],
            "count",
            "Clients lost",
            f"{losses_url}?{filter_query}&{key}",
        )
        for key, segment in data.items()
    }


def team_vs_client_rows(data: dict) -> Iterator[list]:
    yield ["Team reason \\ client reason", *[column["label"] for column in data["columns"]]]
    for row in data["rows"]:
        yield [row["label"], *[cell["n"] for cell in row["cells"]]]
    yield []
    yield ["Compared", data["compared"]]
    yield ["Matched", data["matched"]]
    yield ["Match rate", _blank(data["match_rate"])]
    yield ["Difficult client, said by the team", data["difficult_said_by_team"]]
    yield ["Difficult client, said by clients", data["difficult_said_by_clients"]]


def repeat_causes_rows(data: list) -> Iterator[list]:
    yield ["Cause", "Repeat losses", "Fees lost", "First repeat"]
    for row in data:
        yield [row["label"], row["count"], row["fees"], row["first"]]


# --- actions, clients at risk, client voice, saves -------------------------------------------


def actions_rows(data: dict) -> Iterator[list]:
    yield ["Created in the period, now", "Actions"]
    for stage in data["stages"]:
        yield [stage["label"], stage["n"]]
    yield []
    yield ["Pilots created in the period", "Pilots"]
    for stage in data["pilots"]["stages"]:
        yield [stage["label"], stage["n"]]
    yield []
    yield ["Owner", "Overdue actions", "Oldest due date", "Days overdue"]
    for row in data["overdue_by_owner"]:
        yield [row["label"], row["n"], row["oldest"], row["days"]]


def actions_charts(data: dict, filter_query: str) -> dict:
    return {
        "funnel": {
            "kind": "bars",
            "label": "Actions",
            "horizontal": True,
            "labels": [stage["label"] for stage in data["stages"]],
            "values": [stage["n"] for stage in data["stages"]],
        }
    }


def at_risk_rows(data: dict) -> Iterator[list]:
    yield ["Client", "Annual fees", "Account manager", "Why flagged", "Check-in open"]
    for row in data["rows"]:
        yield [
            row["label"],
            row["fees"],
            row["account_manager"],
            "; ".join(row["why"]),
            _yes(row["check_in_open"]),
        ]


def client_voice_rows(data: dict) -> Iterator[list]:
    yield ["Theme", "Responses"]
    for row in data["themes"]:
        yield [row["label"], row["n"]]
    yield ["Handled, no reason given", data["handled_without_reason"]]
    yield ["Not triaged yet", data["untriaged"]]
    yield []
    yield ["Month", "Responses", "Average rating (0-10)"]
    for row in data["months"]:
        yield [row["month"], row["n"], _blank(row["rating"])]
    yield []
    yield ["You said, we did replies sent", data["replies"]]


def client_voice_charts(data: dict, filter_query: str) -> dict:
    return {
        "voice": {
            "kind": "line",
            "label": "Average rating",
            "scale": {"min": 0, "max": 10},
            "labels": [row["month"] for row in data["months"]],
            "values": [row["rating"] for row in data["months"]],
        }
    }


SAVE_FIGURES = [
    ("opened", "Opened"),
    ("saved", "Saved"),
    ("lost", "Lost"),
    ("open", "Still open"),
    ("overdue", "Still open, past the first-contact date"),
]


def saves_rows(data: dict) -> Iterator[list]:
    yield ["Save attempts opened in the period", "Attempts"]
    for key, label in SAVE_FIGURES:
        yield [label, data[key]]


# --- learning, perception, trend, audits -----------------------------------------------------


def learning_rows(data: dict) -> Iterator[list]:
    yield ["Quarter", "Answers", "Index (0-100)"]
    for row in data["quarters"]:
        yield [row["quarter"], row["n"], _blank(row["index"])]
    yield []
    yield ["Item", "Mean (1-5)", "Index (0-100)", "Suggests an action"]
    for row in data["items"]:
        yield [row["label"], _blank(row["mean"]), _blank(row["index"]), _yes(row["needs_action"])]
    suggestions = data["suggestions"]
    yield []
    yield ["Staff suggestions received in the period", suggestions["received"]]
    yield ["Answered (accepted, declined or merged)", suggestions["answered"]]
    yield ["Share answered", _blank(suggestions["answered_share"])]


def learning_charts(data: dict, filter_query: str) -> dict:
    return {
        "learning": {
            "kind": "line",
            "label": "Index",
            "scale": {"min": 0, "max": 100},
            "labels": [row["quarter"] for row in data["quarters"]],
            "values": [row["index"] for row in data["quarters"]],
        }
    }


def perception_rows(data: dict) -> Iterator[list]:
    yield [
        "Quarter",
        "Actions verified",
        "Clients: we acted on what they told us (1-5)",
        "Client answers",
        "Staff: clients can tell we learned, item 5 (1-5)",
        "Staff answers",
        "Gap (staff minus clients)",
    ]
    for row in data["quarters"]:
        yield [
            row["quarter"],
            row["verified"],
            _blank(row["client_mean"]),
            row["client_answers"],
            _blank(row["staff_mean"]),
            row["staff_answers"],
            _blank(row["gap"]),
        ]


def perception_charts(data: dict, filter_query: str) -> dict:
    quarters = data["quarters"]
    return {
        "perception": {
            "kind": "perception",
            "labels": [row["quarter"] for row in quarters],
            "verified": [row["verified"] for row in quarters],
            "clients": [row["client_mean"] for row in quarters],
            "staff": [row["staff_mean"] for row in quarters],
        }
    }


def trend_rows(data: list) -> Iterator[list]:
    yield ["Month", "Losses", "Fees lost"]
    for row in data:
        yield [row["month"], row["n"], row["fees"]]


def trend_charts(data: list, filter_query: str) -> dict:
    return {
        "trend": {
            "kind": "trend",
            "labels": [row["month"] for row in data],
            "losses": [row["n"] for row in data],
            "fees": [row["fees"] for row in data],
        }
    }


def overdue_audits_rows(data: dict) -> Iterator[list]:
    yield ["Audit", "Facilitator", "Was due", "Days late"]
    for row in data["rows"]:
        yield [row["title"], row["facilitator"], row["due"], row["days"]]
    yield []
    yield ["Overdue audits in all", data["count"]]


# --- the registry ----------------------------------------------------------------------------

PANELS: dict[str, Panel] = {
    panel.key: panel
    for panel in [
        Panel(
            "headline",
            "The period at a glance",
            "Headline",
            queries.headline,
            headline_rows,
            in_grid=False,
        ),
        Panel(
            "pareto",
            "Why we lose clients",
            "Loss reasons (Pareto)",
            queries.pareto,
            pareto_rows,
            pareto_charts,
        ),
        Panel(
            "segments",
            "Which segments drive losses",
            "Segments driving losses",
            queries.segments,
            segments_rows,
            segments_charts,
        ),
        Panel(
            "team_vs_client",
            "Team vs client",
            "Team vs client",
            queries.team_vs_client,
            team_vs_client_rows,
        ),
        Panel(
            "repeat_causes",
            "Repeat causes — lessons not learned",
            "Repeat causes",
            queries.repeat_causes,
            repeat_causes_rows,
        ),
        Panel(
            "actions",
            "Do actions close?",
            "Action funnel and overdue by owner",
            queries.action_funnel,
            actions_rows,
            actions_charts,
        ),
        Panel("at_risk", "Clients at risk", "Clients at risk", queries.at_risk, at_risk_rows),
        Panel(
            "client_voice",
            "Client voice",
            "Client voice",
            queries.client_voice,
            client_voice_rows,
            client_voice_charts,
        ),
        Panel("saves", "Save attempts", "Save attempts", queries.saves, saves_rows),
        Panel(
            "learning",
            "Learning capacity",
            "Learning capacity",
            queries.learning,
            learning_rows,
            learning_charts,
        ),
        Panel(
            "perception",
            "Perception gap",
            "Perception gap",
            queries.perception,
            perception_rows,
            perception_charts,
        ),
        Panel(
            "trend",
            "Losses per month",
            "Losses per month",
            queries.trend,
            trend_rows,
            trend_charts,
        ),
        Panel(
            "overdue_audits",
            "Process audits overdue",
            "Process audits overdue",
            queries.overdue_audits,
            overdue_audits_rows,
        ),
    ]
}


def compute(filters: Filters) -> dict:
    """Every panel's data, JSON-ready, for one set of filters: what a snapshot stores."""
    return {key: panel.compute(filters) for key, panel in PANELS.items()}


def shown(data: dict) -> list[tuple[Panel, Any]]:
    """Each panel with its data from a snapshot, in display order, for the page."""
    return [(panel, data[key]) for key, panel in PANELS.items()]


def charts(data: dict, filter_query: str) -> dict:
    """What dashboard.js draws, every panel's charts by name; links keep the filters."""
    out = {}
    for key, panel in PANELS.items():
        out.update(panel.charts(data[key], filter_query))
    return out
