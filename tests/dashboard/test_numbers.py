"""Every number on the dashboard, against the hand-worked firm of conftest.py."""

import pytest

from dashboard import panels, queries, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(firm):
    return panels.compute(services.default_filters(firm.today))


def test_the_dashboard_uses_the_trailing_twelve_months(firm):
    filters = services.default_filters(firm.today)
    assert (str(filters.start), str(filters.end)) == ("2025-06-16", "2026-06-15")


def test_the_dashboard_counts_the_headline(data):
    assert data["headline"] == {
        "clients_lost": 6,
        "losses": 6,
        # 50 + 40 (annual fees, as fees_lost is empty) + 30 + 20 + 10 + 5
        "fees_lost": 155000.0,
        "with_reason": 5,
        "controllable": 4,
        "controllable_share": 0.8,
        "open_actions": 3,  # A3, A8, A9
        "overdue_actions": 2,  # A3, A8
        "median_days_to_verified": 15.0,  # A11 4, A5 10, A6 20, A7 30 days
        "learning_index": 51.7,  # mean 46/15 over the 2026 checks
        "learning_answers": 3,
        "speak_freely": None,  # two ratings: no average under three, it would tell them apart
        "speak_freely_answers": 2,
    }


def test_the_dashboard_orders_the_pareto_by_count_with_the_vital_few(data):
    rows = [
        (r["label"][:12], r["count"], r["cumulative"], r["vital"])
        for r in data["pareto"]["by_count"]
    ]
    assert rows == [
        ("Service leve", 2, 0.3333, True),
        ("Client sold,", 1, 0.5, True),
        ("Fees: level,", 1, 0.6667, True),
        ("No reason re", 1, 0.8333, True),  # the share before it, 67 %, is under 80 %
        ("Partner or m", 1, 1.0, False),
    ]


def test_the_dashboard_cuts_the_fees_pareto_at_80_percent(data):
    rows = [
        (r["label"][:12], r["fees"], r["cumulative"], r["vital"]) for r in data["pareto"]["by_fees"]
    ]
    assert rows == [
        ("Service leve", 90000.0, 0.5806, True),
        ("Partner or m", 30000.0, 0.7742, True),
        ("Client sold,", 20000.0, 0.9032, True),
        ("Fees: level,", 10000.0, 0.9677, False),
        ("No reason re", 5000.0, 1.0, False),
    ]


def test_the_dashboard_splits_losses_by_segment(data):
    def cut(key):
        return [(r["label"], r["count"], r["fees"]) for r in data["segments"][key]["rows"]]

    assert cut("service_line") == [("Tax", 4, 105000.0), ("Audit & assurance", 3, 60000.0)]
    assert cut("industry") == [
        ("Manufacturing", 3, 95000.0),
        ("Retail", 2, 40000.0),
        ("Healthcare", 1, 20000.0),
    ]
    assert cut("office") == [("Boston", 4, 105000.0), ("Hartford", 2, 50000.0)]
    assert cut("partner") == [
        ("Quinn Adler", 3, 60000.0),
        ("Pat Lindqvist", 2, 90000.0),
        ("Not recorded", 1, 5000.0),
    ]
    assert cut("size_band") == [("Small ($1M–$10M)", 6, 155000.0)]


def test_the_dashboard_compares_team_and_client_reasons(data, firm):
    tvc = data["team_vs_client"]
    r = firm.reasons
    assert (tvc["compared"], tvc["matched"], tvc["match_rate"]) == (4, 2, 0.5)
    assert [c["id"] for c in tvc["columns"]] == [r.S.pk, r.P.pk, r.X.pk]
    matrix = {row["id"]: [cell["n"] for cell in row["cells"]] for row in tvc["rows"]}
    assert matrix == {r.S.pk: [1, 0, 0], r.X.pk: [0, 0, 1], r.D.pk: [1, 1, 0]}
    assert (tvc["difficult_said_by_team"], tvc["difficult_said_by_clients"]) == (2, 1)


def test_the_dashboard_finds_causes_that_came_back_after_their_actions_closed(data, firm):
    # A1 (service level) was done on 2025-10-01; losses 1 and 2 came within 12 months.
    # A2 (partner access) closed more than 12 months before loss 3; A4 (client sold) after
    # loss 4; A3 (fees) is still open.
    assert data["repeat_causes"] == [
        {
            "id": firm.reasons.S.pk,
            "label": "Service level below what was sold",
            "count": 2,
            "fees": 90000.0,
            "first": "2026-03-01",
        }
    ]


def test_the_dashboard_builds_the_action_funnel(data, alice, bob):
    actions = data["actions"]
    assert actions["created"] == 10  # A2 was created before the period
    assert [(s["status"], s["n"]) for s in actions["stages"]] == [
        ("open", 2),
        ("in_progress", 1),
        ("done", 2),
        ("verified", 4),
        ("wont_do", 1),
    ]
    assert (actions["done_rate"], actions["verified_rate"]) == (0.6, 0.4)
    assert [(o["id"], o["n"], o["oldest"], o["days"]) for o in actions["overdue_by_owner"]] == [
        (alice.pk, 1, "2026-02-01", 134),
        (bob.pk, 1, "2026-06-01", 14),
    ]


def test_the_dashboard_flags_the_active_client_with_the_signals_of_controllable_losses(data, firm):
    """c9 rated us 8 then 4 (about partner access, c3's reason), has an overdue action and is
    on Tax, the line of three of the four controllable losses; c12 is marked at risk but only
    one client in ten of the four active ones is listed."""
    risk = data["at_risk"]
    assert (risk["clients"], risk["fees"], risk["active"], risk["cap"]) == (1, 80000.0, 4, 1)
    assert [(row["label"], row["fees"], row["points"], row["why"]) for row in risk["rows"]] == [
        (
            "c9",
            80000.0,
            6,
            [
                "feedback rating 6.0/10 in the last 6 months",
                "raised “Partner access and escalation” in feedback, the reason of 1 recent "
                "controllable loss",
                "1 overdue action on the client",
                "Tax, like 3 recent controllable losses",
            ],
        )
    ]
    assert not any(row["check_in_open"] for row in risk["rows"])


def test_the_dashboard_summarises_the_client_voice(data):
    voice = data["client_voice"]
    assert (voice["responses"], voice["rating"], voice["replies"], voice["untriaged"]) == (
        4,
        6.0,
        1,
        1,
    )
    assert [(t["id"], t["n"]) for t in voice["themes"]] == [
        ("access", 1),
        ("fees", 1),
        ("service", 1),
    ]
    assert voice["months"] == [
        {"month": "2026-01", "n": 2, "rating": 7.0},
        {"month": "2026-03", "n": 2, "rating": 4.0},
    ]


def test_the_dashboard_scores_learning_capacity_per_quarter_and_item(data):
    learning = data["learning"]
    assert learning["answers"] == 3
    assert learning["quarters"] == [
        {"quarter": "2026Q1", "n": 2, "index": 65.0},  # items 4,4,4,4,2: mean 3.6
        {"quarter": "2026Q2", "n": 1, "index": 25.0},
    ]
    assert [(i["mean"], i["index"], i["needs_action"]) for i in learning["items"]] == [
        (3.33, 58.3, False),
        (3.33, 58.3, False),
        (3.33, 58.3, False),
        (3.33, 58.3, False),
        (2.0, 25.0, True),
    ]


def test_the_dashboard_trends_losses_over_24_months(data):
    trend = {row["month"]: (row["n"], row["fees"]) for row in data["trend"]}
    assert len(data["trend"]) == 24
    assert data["trend"][0]["month"] == "2024-07"
    assert data["trend"][-1]["month"] == "2026-06"
    assert {month: value for month, value in trend.items() if value[0]} == {
        "2025-03": (1, 99000.0),
        "2025-07": (1, 10000.0),
        "2025-09": (1, 20000.0),
        "2026-01": (1, 30000.0),
        "2026-03": (1, 40000.0),
        "2026-04": (1, 5000.0),
        "2026-05": (1, 50000.0),
    }


def test_the_dashboard_narrows_to_an_office(firm):
    filters = services.default_filters(firm.today)
    hartford = queries.Filters(**{**filters.__dict__, "office_id": firm.offices.hartford.pk})
    headline = queries.headline(hartford)
    assert (headline["clients_lost"], headline["fees_lost"]) == (2, 50000.0)
    assert headline["open_actions"] == 1  # only A3 has a client, in Hartford


def test_the_dashboard_narrows_to_a_service_line(firm):
    filters = services.default_filters(firm.today)
    tax = queries.Filters(**{**filters.__dict__, "service_line_id": firm.lines.tax.pk})
    headline = queries.headline(tax)
    assert (headline["clients_lost"], headline["fees_lost"]) == (4, 105000.0)
