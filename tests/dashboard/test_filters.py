import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")


@pytest.fixture
def as_pat(client, firm, pat):
    client.force_login(pat)
    return client


def _period(response):
    filters = response.context["filters"]
    return str(filters.start), str(filters.end)


def test_the_dashboard_filter_defaults_to_the_last_twelve_months(as_pat):
    assert _period(as_pat.get(URL)) == ("2025-06-16", "2026-06-15")


def test_the_dashboard_filter_shows_this_quarter(as_pat):
    response = as_pat.get(URL, {"period": "quarter"})
    assert _period(response) == ("2026-04-01", "2026-06-15")
    # c6 (held 2026-04-01) and c1 (2026-05-10)
    assert response.context["snapshot"].data["headline"]["fees_lost"] == 55000.0


def test_the_dashboard_filter_shows_last_quarter(as_pat):
    response = as_pat.get(URL, {"period": "last_quarter"})
    assert _period(response) == ("2026-01-01", "2026-03-31")
    assert response.context["snapshot"].data["headline"]["clients_lost"] == 2  # c2, c3


def test_the_dashboard_filter_takes_custom_dates(as_pat):
    response = as_pat.get(URL, {"period": "custom", "start": "2025-07-01", "end": "2025-09-30"})
    assert _period(response) == ("2025-07-01", "2025-09-30")
    assert response.context["snapshot"].data["headline"]["fees_lost"] == 30000.0  # c5, c4


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"period": "custom", "start": "2026-13-01", "end": "2026-02-01"}, "start", "valid date"),
        (
            {"period": "custom", "start": "2026-03-01", "end": "2026-02-01"},
            "end",
            "before the start",
        ),
        ({"period": "custom", "start": "2026-03-01", "end": "2030-01-01"}, "end", "future"),
        ({"period": "custom", "end": "2026-02-01"}, "start", "first day"),
        ({"period": "custom", "start": "1999-01-01", "end": "2026-02-01"}, "start", "from 2000"),
        ({"period": "forever"}, "period", "valid choice"),
    ],
)
def test_the_dashboard_filter_explains_bad_dates_and_shows_the_default_period(
    as_pat, params, field, message
):
    response = as_pat.get(URL, params)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert _period(response) == ("2025-06-16", "2026-06-15")


@pytest.mark.parametrize("field", ["service_line", "office"])
@pytest.mark.parametrize("value", ["999999", "abc"])
def test_the_dashboard_filter_explains_an_unknown_service_line_or_office(as_pat, field, value):
    response = as_pat.get(URL, {field: value})
    assert response.status_code == 200
    assert "There is no such" in response.content.decode()
    assert response.context["snapshot"].data["headline"]["clients_lost"] == 6


def test_the_dashboard_filter_narrows_the_page_to_an_office_and_keeps_it_in_links(as_pat, firm):
    response = as_pat.get(URL, {"office": firm.offices.hartford.pk})
    html = response.content.decode()
    assert response.context["snapshot"].data["headline"]["fees_lost"] == 50000.0
    office = firm.offices.hartford.pk
    assert f"/dashboard/losses/?office={office}&amp;reason={firm.reasons.P.pk}" in html


def test_the_dashboard_filter_narrows_to_a_service_line(as_pat, firm):
    response = as_pat.get(URL, {"service_line": firm.lines.tax.pk})
    assert response.context["snapshot"].data["headline"]["fees_lost"] == 105000.0
    assert "Tax" in response.content.decode()


def test_a_filtered_view_checks_each_filter_with_one_query(as_pat, firm):
    """An office and a service line are each looked up by id; the panels come from the
    snapshot as for the default view."""
    filtered = {"office": firm.offices.hartford.pk, "service_line": firm.lines.tax.pk}
    as_pat.get(URL)
    as_pat.get(URL, filtered)
    with CaptureQueriesContext(connection) as default:
        as_pat.get(URL)
    with CaptureQueriesContext(connection) as narrowed:
        response = as_pat.get(URL, filtered)
    assert len(narrowed.captured_queries) == len(default.captured_queries) + 2
    assert "Hartford" in response.content.decode() and "Tax" in response.content.decode()


def test_the_kept_filter_bar_shows_a_renamed_office_at_once(as_pat, firm):
    assert "Hartford" in as_pat.get(URL).content.decode()
    office = firm.offices.hartford
    office.name = "Hartford Downtown"
    office.save()
    assert "Hartford Downtown" in as_pat.get(URL).content.decode()
