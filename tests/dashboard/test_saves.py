"""The save-attempts panel, against attempts worked out by hand.

Today is 15 June 2026; the default period is 16 June 2025 – 15 June 2026.

  attempt  client (line, office)   opened       status  first contact due / done
  s1       t1 (Tax, Boston)        2026-05-02   saved   —
  s2       t2 (Tax, Boston)        2026-03-10   lost    —
  s3       t3 (Audit, Hartford)    2026-06-01   open    due 2026-06-03, not contacted → overdue
  s4       t4 (Audit, Hartford)    2026-06-12   open    due 2026-06-16, not contacted
  s5       t5 (Tax, Hartford)      2026-06-08   open    due 2026-06-10, contacted 2026-06-09
  s6       t1 (Tax, Boston)        2025-06-15   saved   (the day before the period)
  s7       t2 (Tax, Boston)        2025-06-16   lost    (the first day of the period)

In the period: opened 6 (s1–s5, s7), saved 1, lost 2, open 3, overdue 1.
Tax only: s1, s2, s5, s7 → opened 4, saved 1, lost 2, open 1, overdue 0.
Hartford only: s3, s4, s5 → opened 3, open 3, overdue 1.
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from dashboard import queries, services
from feedback.models import SaveAttempt
from tests.dashboard.conftest import at
from tests.factories import ClientFactory, OfficeFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def saves(today, alice):
    boston, hartford = OfficeFactory(name="Boston"), OfficeFactory(name="Hartford")
    tax, audit = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Audit & assurance")

    def client(name, line, office):
        return ClientFactory(name=name, service_lines=[line], office=office, account_manager=alice)

    t1, t2 = client("t1", tax, boston), client("t2", tax, boston)
    t3, t4 = client("t3", audit, hartford), client("t4", audit, hartford)
    t5 = client("t5", tax, hartford)

    def attempt(client, opened, status, due, contacted=None):
        return SaveAttempt.objects.create(
            client=client,
            owner=alice,
            trigger=SaveAttempt.Trigger.LOW_RATING,
            status=status,
            opened_at=at(opened, 9),
            first_contact_due_on=dt.date.fromisoformat(due),
            first_contact_on=contacted and dt.date.fromisoformat(contacted),
            client_status_before="active",
        )

    attempt(t1, "2026-05-02", "saved", "2026-05-05", "2026-05-04")
    attempt(t2, "2026-03-10", "lost", "2026-03-12", "2026-03-11")
    attempt(t3, "2026-06-01", "open", "2026-06-03")
    attempt(t4, "2026-06-12", "open", "2026-06-16")
    attempt(t5, "2026-06-08", "open", "2026-06-10", "2026-06-09")
    attempt(t1, "2025-06-15", "saved", "2025-06-17", "2025-06-16")
    attempt(t2, "2025-06-16", "lost", "2025-06-18", "2025-06-17")
    return {"tax": tax, "hartford": hartford}


def test_the_save_attempts_panel_counts_the_attempts_opened_in_the_period_and_their_outcome(
    saves, today
):
    assert queries.saves(services.default_filters(today)) == {
        "opened": 6,
        "saved": 1,
        "lost": 2,
        "open": 3,
        "overdue": 1,
    }


def test_the_save_attempts_panel_follows_the_service_line_and_office_filters(saves, today):
    period = services.default_filters(today)
    tax = queries.Filters(
        start=period.start, end=period.end, today=today, service_line_id=saves["tax"].pk
    )
    assert queries.saves(tax) == {"opened": 4, "saved": 1, "lost": 2, "open": 1, "overdue": 0}
    hartford = queries.Filters(
        start=period.start, end=period.end, today=today, office_id=saves["hartford"].pk
    )
    assert queries.saves(hartford) == {
        "opened": 3,
        "saved": 0,
        "lost": 0,
        "open": 3,
        "overdue": 1,
    }


def test_a_shorter_period_counts_fewer(saves, today):
    june = queries.Filters(start=dt.date(2026, 6, 1), end=today, today=today)
    assert queries.saves(june) == {"opened": 3, "saved": 0, "lost": 0, "open": 3, "overdue": 1}


def test_the_panel_shows_the_numbers_to_partners(client, saves, pat):
    client.force_login(pat)
    html = client.get(reverse("dashboard:index")).content.decode()
    panel = html[html.index('id="saves"') : html.index('id="learning"')]
    values = [part.split("</span>")[0] for part in panel.split('<span class="stat-value">')[1:]]
    assert values == ["6", "1", "2", "3"]
    assert "1 past first-contact date" in panel
    assert reverse("feedback:save_list") in panel


def test_the_panel_exports_its_numbers(client, saves, pat):
    client.force_login(pat)
    response = client.get(reverse("dashboard:export", kwargs={"panel": "saves"}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2:] == [
        ["Opened", "6"],
        ["Saved", "1"],
        ["Lost", "2"],
        ["Still open", "3"],
        ["Still open, past the first-contact date", "1"],
    ]
    html = client.get(reverse("dashboard:index")).content.decode()
    assert f"{reverse('dashboard:export', kwargs={'panel': 'saves'})}?" in html
