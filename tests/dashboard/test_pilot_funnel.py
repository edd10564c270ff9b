"""The action funnel counts pilots apart, against the hand-worked firm of conftest.py
plus five pilots:

  P1 running, created 2026-05-01        P2 worked, created 2026-02-01, rolled out as R
  P3 did not work, created 2026-03-01   P4 inconclusive, created 2026-04-01
  P5 worked, created 2024-01-01 (before the period, not counted)
R (the roll-out of P2, created 2026-06-01) is an ordinary open action.
"""

import datetime as dt

import pytest
from django.urls import reverse

from actions.models import Action
from dashboard import panels, queries, services
from tests.dashboard.conftest import at
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

PLAN = {"is_pilot": True, "hypothesis": "h", "success_measure": "m"}


@pytest.fixture
def pilots(firm, alice):
    def make(title, created, result="", **fields):
        done = {"status": "done", "evidence": "e", "pilot_learning": "l"} if result else {}
        made = ActionFactory(
            title=title,
            owner=alice,
            review_on=dt.date(2026, 6, 1),
            pilot_result=result,
            **PLAN,
            **done,
            **fields,
        )
        Action.objects.filter(pk=made.pk).update(created_at=at(created, 10))
        return made

    p2 = make("P2", "2026-02-01", "worked")
    made = {
        "P1": make("P1", "2026-05-01"),
        "P2": p2,
        "P3": make("P3", "2026-03-01", "did_not_work"),
        "P4": make("P4", "2026-04-01", "inconclusive"),
        "P5": make("P5", "2024-01-01", "worked"),
        "R": ActionFactory(title="R", owner=alice, rollout_of=p2),
    }
    Action.objects.filter(pk=made["R"].pk).update(created_at=at("2026-06-01", 10))
    return made


def test_the_action_funnel_counts_pilots_apart_from_the_status_stages(firm, pilots):
    funnel = queries.action_funnel(services.default_filters(firm.today))
    assert funnel["created"] == 11  # the firm's 10 and R; no pilot
    assert [(s["status"], s["n"]) for s in funnel["stages"]] == [
        ("open", 3),  # A3, A9, R
        ("in_progress", 1),
        ("done", 2),
        ("verified", 4),
        ("wont_do", 1),
    ]
    assert funnel["pilots"] == {
        "total": 4,
        "stages": [
            {"result": "running", "label": "Running", "n": 1},
            {"result": "worked", "label": "Worked", "n": 1},
            {"result": "did_not_work", "label": "Did not work", "n": 1},
            {"result": "inconclusive", "label": "Inconclusive", "n": 1},
            {"result": "rolled_out", "label": "Rolled out", "n": 1},
        ],
    }


def test_the_dashboard_and_its_export_show_the_pilots(client, firm, pilots, pat):
    client.force_login(pat)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "4 pilots started in the period, by result" in page
    assert "pilot=rolled_out" in page
    csv = client.get(reverse("dashboard:export", args=["actions"])).content.decode()
    assert "Pilots created in the period,Pilots" in csv and "Did not work,1" in csv
    data = services.snapshot_for(filters=services.default_filters(firm.today)).data
    assert ["Worked", 1] in list(panels.PANELS["actions"].csv_rows(data["actions"]))


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"pilot": "worked"}, ["P2"]),
        ({"pilot": "running"}, ["P1"]),
        ({"pilot": "rolled_out"}, ["P2"]),
        ({"status": "wont_do", "pilot": "no"}, ["A10"]),
        ({"status": "done", "pilot": "no"}, ["A1", "A4"]),
    ],
)
def test_the_drill_down_lists_the_pilots_behind_a_row(client, firm, pilots, pat, params, expected):
    client.force_login(pat)
    response = client.get(reverse("dashboard:actions"), params)
    assert sorted(a.title for a in response.context["page"]) == expected


def test_an_unknown_pilot_result_is_a_404(client, firm, pat):
    client.force_login(pat)
    assert client.get(reverse("dashboard:actions"), {"pilot": "maybe"}).status_code == 404
