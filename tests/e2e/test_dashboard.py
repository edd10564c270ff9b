"""Pat opens the dashboard, changes the period, drills into a Pareto bar; screenshots on screen
(1920×1080) and in print emulation for the partner handout."""

import pytest
from django.contrib.auth.hashers import make_password

from tests.dashboard.conftest import *  # noqa: F403 (the hand-worked firm and its clock)
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

# The loss taxonomy, which a flush removes, is put back by tests/conftest.py's _reference_data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pat_can_log_in(pat):
    pat.password = make_password(PASSWORD)
    pat.save(update_fields=["password"])
    return pat


def test_the_dashboard_lets_pat_filter_and_drill_into_a_pareto_bar(
    new_page, live_server, log_in, firm, pat_can_log_in
):
    page = new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, pat_can_log_in)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("heading", name="Why we lose clients").wait_for()
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 10")
    screenshot(page, "dashboard-desktop", full_page=True)

    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/dashboard/?period=quarter*")
    assert "$55,000" in page.locator(".dash-headline").inner_text()

    page.get_by_label("Period", exact=True).select_option("12m")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/dashboard/?period=12m*")
    page.locator("#pareto-count").get_by_role(
        "link", name="Service level below what was sold"
    ).click()
    page.wait_for_url("**/dashboard/losses/**")
    page.get_by_role("heading", name="Losses behind the dashboard").wait_for()
    rows = page.locator("table.drill-table tbody tr")
    assert rows.count() == 2
    assert "client's reason: Service level below what was sold" in page.content()
    screenshot(page, "dashboard-drilldown")


def test_the_dashboard_draws_a_pareto_bar_that_opens_its_losses(
    new_page, live_server, log_in, firm, pat_can_log_in
):
    page = new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, pat_can_log_in)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 10")
    canvas = page.locator("#chart-pareto_count")
    box = canvas.bounding_box()
    # The first bar is the tallest; click low inside the leftmost fifth of the plot.
    point = page.evaluate(
        """() => {
            const chart = Chart.getChart('chart-pareto_count');
            const bar = chart.getDatasetMeta(0).data[0];
            return {x: bar.x, y: bar.base - 5};
        }"""
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_url(f"**/dashboard/losses/?*reason={firm.reasons.S.pk}")
    assert page.locator("table.drill-table tbody tr").count() == 2


def test_the_dashboard_prints_a_one_page_handout(
    new_page, live_server, log_in, firm, pat_can_log_in
):
    page = new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, pat_can_log_in)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 10")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
    page.wait_for_timeout(300)
    assert not page.locator("form.filters").is_visible()
    assert page.locator(".print-only-inline").first.is_visible()  # "Data as of"
    screenshot(page, "dashboard-print", full_page=True)
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1


def test_the_dashboard_gives_an_account_manager_a_personal_view(
    new_page, live_server, log_in, firm, alice
):
    alice.password = make_password(PASSWORD)
    alice.save(update_fields=["password"])
    page = new_page(viewport={"width": 1920, "height": 1080})
    log_in(page, alice)
    page.get_by_role("link", name="My clients").first.click()
    page.get_by_role("heading", name="My clients and actions").wait_for()
    assert page.locator("table").first.get_by_role("link", name="c9").is_visible()
    assert "Lessons dashboard" not in page.content()
    screenshot(page, "dashboard-personal")
