"""The perception gap panel and the suggestion counts of the learning panel, against the
hand-worked firm of conftest.py (today 15 June 2026; the period 16 June 2025 – 15 June 2026
touches the quarters 2025Q2 to 2026Q2).

Verified actions in the firm: A11 2025-12-05 (Q4), A5 2026-02-11 and A6 2026-03-21 (2026Q1),
A7 2026-05-01 (2026Q2); A2 2025-01-05 is before the first quarter. Item 5 of the learning
check: 2026Q1 answers 3 and 1 (mean 2.0), 2026Q2 one answer of 2; 2024Q4 is outside."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from actions.models import Action
from dashboard import queries, services
from feedback.models import FeedbackResponse, Suggestion
from tests.dashboard.conftest import at
from tests.factories import ActionFactory, FeedbackResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _acted_on(client, day, value):
    made = FeedbackResponseFactory(request__client=client, client=client, acted_on=value)
    FeedbackResponse.objects.filter(pk=made.pk).update(submitted_at=at(day))


@pytest.fixture
def answers(firm):
    c9, c10 = firm.at_risk[0], firm.at_risk[1]  # c9 is Tax, c10 Payroll
    _acted_on(c9, "2026-01-20", 2)
    _acted_on(c10, "2026-03-01", 3)
    _acted_on(c9, "2026-05-05", 4)
    _acted_on(c9, "2025-01-10", 5)  # before the first quarter of the period
    # Verified late on 31 March in New York (1 April in UTC): a first-quarter change.
    ActionFactory(
        title="A12",
        status=Action.Status.VERIFIED,
        evidence="Done.",
        verified_at=at("2026-03-31", 23),
        client=c9,
    )
    # Whole quarters: 1 May 2025 is before the period but inside its first quarter, 2025Q2.
    ActionFactory(
        title="A13", status=Action.Status.VERIFIED, evidence="Done.", verified_at=at("2025-05-01")
    )
    return firm


def _perception(firm, **filters):
    f = services.default_filters(firm.today)
    return queries.perception(queries.Filters(start=f.start, end=f.end, today=f.today, **filters))


def test_the_perception_gap_panel_sets_changes_made_against_what_clients_and_staff_say(answers):
    rows = [
        (r["quarter"], r["verified"], r["client_mean"], r["client_answers"])
        + (r["staff_mean"], r["staff_answers"], r["gap"])
        for r in _perception(answers)["quarters"]
    ]
    assert rows == [
        ("2025Q2", 1, None, 0, None, 0, None),
        ("2025Q3", 0, None, 0, None, 0, None),
        ("2025Q4", 1, None, 0, None, 0, None),
        # A5, A6, A12; clients (2 + 3) / 2; staff (3 + 1) / 2; gap 2.0 - 2.5
        ("2026Q1", 3, 2.5, 2, 2.0, 2, -0.5),
        ("2026Q2", 1, 4.0, 1, 2.0, 1, -2.0),
    ]


def test_the_service_line_filter_cuts_actions_and_answers_through_the_client(answers):
    tax = answers.lines.tax
    rows = {r["quarter"]: r for r in _perception(answers, service_line_id=tax.pk)["quarters"]}
    # Only A12 has a Tax client; only c9's answers count; staff answers are not cut.
    assert [rows[q]["verified"] for q in rows] == [0, 0, 0, 1, 0]
    assert (rows["2026Q1"]["client_mean"], rows["2026Q1"]["client_answers"]) == (2.0, 1)
    assert rows["2026Q1"]["staff_mean"] == 2.0


def _suggestion(day, status="new", merged_into=None, **fields):
    made = Suggestion.objects.create(
        text=f"Idea of {day}", submitted_on=dt.date.fromisoformat(day), **fields
    )
    if status != "new":
        Suggestion.objects.filter(pk=made.pk).update(
            status=status, answer="Answered.", merged_into=merged_into
        )
    return made


def test_the_learning_panel_counts_suggestions_received_and_answered(firm):
    target = _suggestion("2026-06-01")  # received, not answered
    _suggestion("2026-03-01", "accepted", author=UserFactory())
    _suggestion("2025-07-01", "declined")
    _suggestion("2026-02-02", "merged", merged_into=target)
    _suggestion("2025-06-15", "accepted")  # the day before the period
    _suggestion("2026-06-16", "declined")  # after it
    data = queries.learning(services.default_filters(firm.today))
    assert data["suggestions"] == {"received": 4, "answered": 3, "answered_share": 0.75}


def test_no_suggestions_means_no_share(firm):
    data = queries.learning(services.default_filters(firm.today))
    assert data["suggestions"] == {"received": 0, "answered": 0, "answered_share": None}


def test_the_dashboard_shows_both_and_exports_the_gap(client, answers, pat):
    _suggestion("2026-06-01")
    _suggestion("2026-03-01", "declined")
    client.force_login(pat)
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "Perception gap" in page and 'id="chart-perception"' in page
    assert "Staff suggestions received in the period: 2" in page
    assert "Suggestions answered: 1 of 2 (50 %)" in page
    assert "How to read this: per quarter, bars are actions verified" in page
    response = client.get(reverse("dashboard:export", kwargs={"panel": "perception"}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:2] == ["Quarter", "Actions verified"]
    assert rows[-2] == ["2026Q1", "3", "2.5", "2", "2.0", "2", "-0.5"]
    learning = client.get(reverse("dashboard:export", kwargs={"panel": "learning"}))
    assert "Staff suggestions received in the period,2" in learning.content.decode()
