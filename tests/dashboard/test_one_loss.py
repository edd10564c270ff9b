"""One loss counts once: the hand-worked firm of conftest.py, after its losses were written up
again, and every number that counts losses worked out by hand.

What happened after the firm of conftest.py (all through the real finalise, nothing faked):
  c1  its interview finalised twice more                    -> unchanged: S / D, 50
  c2  a second interview finalised through the web page      -> P / D, 45 (was S / S, 40)
  c5  a second interview that corrects the date to 15 July   -> X / X, 12, 2025-07-15
  c7  won back, then lost again on 10 Feb 2026 (new loss)    -> S / S, 60; the 2025 loss stays
  c11 an interview after a near miss, the client stays       -> no loss

Losses in the period (16 June 2025 – 15 June 2026), fees in thousands:
  c1 Tax        manufacturing Boston   pat    2026-05-10  50  S / D
  c2 Tax        manufacturing Boston   pat    2026-03-01  45  P / D
  c3 Audit      retail        Hartford quinn  2026-01-20  30  P / D  (+ D among other reasons)
  c4 Audit      healthcare    Hartford quinn  2025-09-05  20  X / X
  c5 Tax+Audit  retail        Boston   quinn  2025-07-15  12  X / X
  c6 Tax        manufacturing Boston   —      2026-04-01   5  — / —
  c7 Tax        manufacturing Boston   pat    2026-02-10  60  S / S
Seven losses, 222 in fees; controllable (S, P): c1 c2 c3 c7, 4 of the 6 with a reason.
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from dashboard import goals, panels, services
from dashboard.models import Goal
from feedback import services as feedback_services
from feedback.models import Client, ExitInterview
from tests.factories import ExitInterviewFactory

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def relogged(firm, client, pat):
    r = firm.reasons
    c1, c2, c3, c4, c5, c6, c7 = (interview.client for interview in firm.losses)

    def second(of, reason, team, fees, held_on):
        return ExitInterviewFactory(
            client=of,
            status=ExitInterview.Status.DRAFT,
            held_on=D(held_on),
            client_primary_reason=reason,
            team_reason=team,
            fees_lost=fees,
        )

    def finalise(interview, **options):
        return feedback_services.finalise_interview(interview=interview, by=pat, **options)

    finalise(firm.losses[0])
    finalise(firm.losses[0])
    client.force_login(pat)
    response = client.post(
        reverse("feedback:interview_finalise", args=[second(c2, r.P, r.D, 45000, "2026-03-08").pk]),
        {"mark_client_lost": "on", "client_lost_on": "2026-03-01"},
    )
    assert response.status_code == 302
    finalise(second(c5, r.X, r.X, 12000, "2025-07-20"), lost_on=D("2025-07-15"))
    c7.status = Client.Status.WON_BACK
    c7.save()
    finalise(second(c7, r.S, r.S, 60000, "2026-02-12"), lost_on=D("2026-02-10"))
    finalise(second(firm.safe, r.P, None, 70000, "2026-06-01"), mark_client_lost=False)
    return firm


@pytest.fixture
def data(relogged):
    return panels.compute(services.default_filters(relogged.today))


def test_each_loss_is_counted_through_one_interview(relogged):
    counted = ExitInterview.objects.losses().order_by("client__name", "lost_on")
    assert [(i.client.name, str(i.lost_on)) for i in counted] == [
        ("c1", "2026-05-10"),
        ("c2", "2026-03-01"),
        ("c3", "2026-01-20"),
        ("c4", "2025-09-05"),
        ("c5", "2025-07-15"),
        ("c6", "2026-04-01"),
        ("c7", "2025-03-01"),
        ("c7", "2026-02-10"),
    ]


def test_the_headline_counts_each_loss_once(data):
    headline = data["headline"]
    assert (headline["clients_lost"], headline["losses"]) == (7, 7)
    assert headline["fees_lost"] == 222000.0  # 50 + 45 + 30 + 20 + 12 + 5 + 60
    assert (headline["controllable"], headline["with_reason"]) == (4, 6)
    assert headline["controllable_share"] == 0.6667


def test_the_pareto_counts_each_loss_once(data):
    by_count = [
        (r["label"][:12], r["count"], r["fees"], r["cumulative"], r["vital"])
        for r in data["pareto"]["by_count"]
    ]
    assert by_count == [
        ("Client sold,", 2, 32000.0, 0.2857, True),
        ("Partner or m", 2, 75000.0, 0.5714, True),
        ("Service leve", 2, 110000.0, 0.8571, True),
        ("No reason re", 1, 5000.0, 1.0, False),
    ]
    by_fees = [(r["label"][:12], r["cumulative"], r["vital"]) for r in data["pareto"]["by_fees"]]
    assert by_fees == [
        ("Service leve", 0.4955, True),
        ("Partner or m", 0.8333, True),
        ("Client sold,", 0.9775, False),
        ("No reason re", 1.0, False),
    ]


def test_the_segments_count_each_loss_once(data):
    def cut(key):
        return [(r["label"], r["count"], r["fees"]) for r in data["segments"][key]["rows"]]

    assert cut("service_line") == [("Tax", 5, 172000.0), ("Audit & assurance", 3, 62000.0)]
    assert cut("industry") == [
        ("Manufacturing", 4, 160000.0),
        ("Retail", 2, 42000.0),
        ("Healthcare", 1, 20000.0),
    ]
    assert cut("office") == [("Boston", 5, 172000.0), ("Hartford", 2, 50000.0)]
    assert cut("partner") == [
        ("Pat Lindqvist", 3, 155000.0),
        ("Quinn Adler", 3, 62000.0),
        ("Not recorded", 1, 5000.0),
    ]
    assert cut("size_band") == [("Small ($1M–$10M)", 7, 222000.0)]


def test_team_versus_client_compares_each_loss_once(data, relogged):
    tvc = data["team_vs_client"]
    r = relogged.reasons
    assert (tvc["compared"], tvc["matched"], tvc["match_rate"]) == (6, 3, 0.5)  # c4 c5 c7
    matrix = {row["id"]: [cell["n"] for cell in row["cells"]] for row in tvc["rows"]}
    assert [c["id"] for c in tvc["columns"]] == [r.S.pk, r.P.pk, r.X.pk]
    assert matrix == {r.S.pk: [1, 0, 0], r.X.pk: [0, 0, 2], r.D.pk: [1, 2, 0]}
    assert (tvc["losses"], tvc["with_team_reason"]) == (7, 6)
    assert (tvc["difficult_said_by_team"], tvc["difficult_said_by_clients"]) == (3, 1)


def test_repeat_causes_count_each_loss_once(data, relogged):
    # A1 (service level) was done on 2025-10-01: c7's new loss and c1's came within 12 months.
    assert data["repeat_causes"] == [
        {
            "id": relogged.reasons.S.pk,
            "label": "Service level below what was sold",
            "count": 2,
            "fees": 110000.0,
            "first": "2026-02-10",
        }
    ]


def test_the_trend_counts_each_loss_once_in_its_month(data):
    trend = {row["month"]: (row["n"], row["fees"]) for row in data["trend"] if row["n"]}
    assert trend == {
        "2025-03": (1, 99000.0),  # c7's first loss
        "2025-07": (1, 12000.0),
        "2025-09": (1, 20000.0),
        "2026-01": (1, 30000.0),
        "2026-02": (1, 60000.0),
        "2026-03": (1, 45000.0),
        "2026-04": (1, 5000.0),
        "2026-05": (1, 50000.0),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]),
        ({"controllable": "1"}, ["c1", "c2", "c3", "c7"]),
        ({"repeat": "1"}, ["c1", "c7"]),
        ({"industry": "retail"}, ["c3", "c5"]),
    ],
)
def test_the_drill_down_lists_each_loss_once(client, relogged, pat, params, expected):
    client.force_login(pat)
    response = client.get(reverse("dashboard:losses"), params)
    assert sorted(i.client.name for i in response.context["page"]) == expected


def test_the_drill_down_of_a_reason_lists_the_interview_that_counts(client, relogged, pat):
    client.force_login(pat)
    response = client.get(reverse("dashboard:losses"), {"reason": relogged.reasons.P.pk})
    assert sorted((i.client.name, i.fees_lost) for i in response.context["page"]) == [
        ("c2", 45000),
        ("c3", 30000),
    ]


def test_the_export_counts_each_loss_once(client, relogged, pat):
    client.force_login(pat)
    response = client.get(reverse("dashboard:export", kwargs={"panel": "headline"}))
    rows = dict(tuple(row) for row in list(csv.reader(io.StringIO(response.content.decode())))[2:])
    assert (rows["Clients lost"], rows["Fees lost"]) == ("7", "222000.0")
    assert rows["Share with a controllable primary reason"] == "0.6667"


def test_goal_measures_count_each_loss_once(relogged):
    def measure(what):
        goal = Goal(
            title=what,
            measure=what,
            starts_on=D("2026-01-01"),
            ends_on=D("2026-12-31"),
            baseline=10,
            target=5,
        )
        return goals.measured_value(goal, relogged.today)

    # 2026 so far: c1 S, c2 P, c3 P, c7 S are controllable; c6 has no reason.
    assert measure(Goal.Measure.CONTROLLABLE_LOSSES) == 4
    assert measure(Goal.Measure.FEES_LOST) == 190000  # 50 + 45 + 30 + 5 + 60


def test_the_account_managers_view_counts_each_lost_client_once(client, relogged, alice):
    client.force_login(alice)
    counts = client.get(reverse("dashboard:index")).context["client_counts"]
    assert counts["lost"] == 8  # c1–c8, c7 once though lost twice


def test_the_home_headline_counts_each_loss_once(client, relogged, pat):
    client.force_login(pat)
    headline = client.get(reverse("home")).context["headline"]
    assert (headline["clients_lost"], headline["fees_lost"]) == (7, 222000.0)
