"""The dashboard shows process audits not held within two weeks of their date, with a link to
each and to the audits page."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from retrospectives.models import AuditSchedule, Review
from tests.dashboard.conftest import at
from tests.factories import ReviewFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")


@pytest.fixture
def audits(firm, fran, pat):
    """Today is 15 June 2026. Payroll audits on 31 May (16 days ago) and 1 June (14 days ago)."""
    payroll = ServiceLineFactory(name="Payroll")
    schedule = AuditSchedule.objects.create(
        service_line=payroll,
        facilitator=fran,
        starts_on=dt.date(2026, 1, 31),
        time_of_day=dt.time(9, 0),
        created_by=pat,
    )

    def audit(title, day, status=Review.Status.PLANNED, schedule=schedule):
        return ReviewFactory(
            title=title,
            kind=Review.Kind.PROCESS_AUDIT,
            facilitator=fran,
            scheduled_for=at(day, 9),
            status=status,
            schedule=schedule,
            occurrence_on=dt.date.fromisoformat(day) if schedule else None,
        )

    return {
        "missed": audit("Payroll audit May", "2026-05-31"),
        "recent": audit("Payroll audit June", "2026-06-01"),
        "held": audit("Payroll audit April", "2026-04-30", Review.Status.CLOSED),
        "cancelled": audit("Payroll audit March", "2026-03-31", Review.Status.CANCELLED),
        "one_off": audit("Tax one-off audit", "2026-05-01", schedule=None),
        "loss": ReviewFactory(title="Old loss review", scheduled_for=at("2026-04-01")),
        "payroll": payroll,
    }


def _links(html: str) -> set[str]:
    return {title for title in _TITLES if f">{title}</a>" in html}


_TITLES = [
    "Payroll audit May",
    "Payroll audit June",
    "Payroll audit April",
    "Payroll audit March",
    "Tax one-off audit",
    "Old loss review",
]


def test_the_overdue_audits_panel_lists_audits_missed_by_more_than_two_weeks(client, pat, audits):
    client.force_login(pat)
    response = client.get(URL)
    html = response.content.decode()
    assert "Process audits overdue" in html
    assert _links(html) == {"Payroll audit May", "Tax one-off audit"}
    assert "Audit (2 overdue)" in html
    assert f'href="{audits["missed"].get_absolute_url()}"' in html
    assert f'href="{reverse("retrospectives:audit_list")}#overdue"' in html
    data = response.context["snapshot"].data["overdue_audits"]
    assert data["count"] == 2
    assert [(row["title"], row["due"], row["days"]) for row in data["rows"]] == [
        ("Tax one-off audit", "2026-05-01", 45),
        ("Payroll audit May", "2026-05-31", 15),
    ]


def test_the_service_line_filter_keeps_that_lines_scheduled_audits(client, pat, audits):
    client.force_login(pat)
    html = client.get(f"{URL}?service_line={audits['payroll'].pk}").content.decode()
    assert _links(html) == {"Payroll audit May"}


def test_the_overdue_audits_panel_says_so_when_every_audit_was_held(client, pat, firm):
    client.force_login(pat)
    html = client.get(URL).content.decode()
    assert "Every process audit was held on time." in html


def test_the_drill_down_lists_the_same_overdue_audits(client, pat, audits):
    client.force_login(pat)
    html = client.get(reverse("retrospectives:audit_list")).content.decode()
    assert "Overdue audits (2)" in html
    assert _links(html) == {"Payroll audit May", "Tax one-off audit"}


def test_an_audit_is_overdue_from_the_fifteenth_day_after_its_date(audits, time_machine):
    overdue = Review.objects.overdue_audits
    assert audits["recent"] not in overdue()
    time_machine.move_to(at("2026-06-16", 0), tick=False)
    assert audits["recent"] in overdue()
    audits["recent"].status = Review.Status.LIVE
    audits["recent"].save()
    assert audits["recent"] not in overdue()


def test_the_panel_exports_the_overdue_audits(client, pat, audits):
    client.force_login(pat)
    response = client.get(reverse("dashboard:export", kwargs={"panel": "overdue_audits"}))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0::2] for row in rows[2:4]] == [
        ["Tax one-off audit", "2026-05-01"],
        ["Payroll audit May", "2026-05-31"],
    ]
    assert [row[3] for row in rows[2:4]] == ["45", "15"]
    assert rows[-1] == ["Overdue audits in all", "2"]
