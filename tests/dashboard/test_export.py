import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from dashboard.panels import PANELS

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("panel", list(PANELS))
def test_the_dashboard_export_exports_every_panel(client, firm, pat, panel):
    client.force_login(pat)
    response = client.get(reverse("dashboard:export", kwargs={"panel": panel}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"dashboard-{panel}-2025-06-16-2026-06-15.csv" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [f"{PANELS[panel].csv_title}, 2025-06-16 to 2026-06-15"]
    assert len(rows) > 2


def test_the_dashboard_export_exports_the_pareto_with_the_vital_few(client, firm, pat):
    client.force_login(pat)
    rows = _csv(client.get(reverse("dashboard:export", kwargs={"panel": "pareto"})))
    assert rows[1][:3] == ["Order", "Reason", "Losses"]
    by_fees = [row for row in rows if row[0] == "by fees"]
    assert [(row[1][:12], row[3], row[6]) for row in by_fees] == [
        ("Service leve", "90000.0", "yes"),
        ("Partner or m", "30000.0", "yes"),
        ("Client sold,", "20000.0", "yes"),
        ("Fees: level,", "10000.0", "no"),
        ("No reason re", "5000.0", "no"),
    ]


def test_the_dashboard_export_exports_the_headline_for_the_filters(client, firm, pat):
    client.force_login(pat)
    url = reverse("dashboard:export", kwargs={"panel": "headline"})
    rows = _csv(client.get(url, {"office": firm.offices.hartford.pk}))
    assert ["Fees lost", "50000.0"] in rows
    assert ["Share with a controllable primary reason", "0.5"] in rows


def test_the_dashboard_export_records_the_export_in_the_audit_log(client, firm, pat):
    client.force_login(pat)
    client.get(reverse("dashboard:export", kwargs={"panel": "at_risk"}))
    event = AuditEvent.objects.get(verb="export")
    assert (event.actor, event.object_type, event.object_id) == (pat, "dashboard.panel", "at_risk")


def test_the_dashboard_export_404s_for_an_unknown_panel(client, firm, pat):
    client.force_login(pat)
    assert client.get(reverse("dashboard:export", kwargs={"panel": "salaries"})).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "sam", "fran"])
def test_the_dashboard_export_404s_for_non_partners(client, firm, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dashboard:export", kwargs={"panel": "headline"}))
    assert response.status_code == 404


def test_the_dashboard_export_exports_a_client_at_risk_with_a_formula_for_a_name_as_text(
    client, firm, pat
):
    flagged = firm.at_risk[0]
    flagged.name = '=HYPERLINK("http://evil.example/","Open")'
    flagged.save(update_fields=["name"])
    client.force_login(pat)
    rows = _csv(client.get(reverse("dashboard:export", kwargs={"panel": "at_risk"})))
    names = [row[0] for row in rows[2:]]
    assert "'" + flagged.name in names
    assert flagged.name not in names
