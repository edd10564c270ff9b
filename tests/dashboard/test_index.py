import datetime as dt
import json

import pytest
from django.urls import reverse

from dashboard.models import Snapshot
from tests.factories import ClientFactory, ExitInterviewFactory, UserFactory, loss_reason

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")


def test_the_dashboard_opens_for_pat(client, firm, pat):
    client.force_login(pat)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lessons dashboard" in html
    assert "$155,000" in html
    assert "80 %" in html
    assert "How to read this" in html


@pytest.mark.parametrize("persona", ["sam", "fran"])
def test_the_dashboard_404s_for_people_who_are_not_partners(client, firm, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404


def test_the_dashboard_lets_an_admin_in(client, firm):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(URL).status_code == 200


def test_the_dashboard_shows_an_account_manager_only_their_own_clients_and_actions(
    client, firm, alice, bob
):
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert "My clients and actions" in html
    assert "Lessons dashboard" not in html
    assert ">c9</a>" in html  # alice manages c9
    assert html.index(">c12</a>") < html.index(">c9</a>")  # at risk first
    # Action titles are link texts; a bare "A8" could also occur inside the random CSRF token.
    assert ">A3</a>" in html  # her overdue action
    assert ">A8</a>" not in html  # bob's

    client.force_login(bob)
    html = client.get(URL).content.decode()
    assert ">c9</a>" not in html
    assert ">A8</a>" in html


def test_the_dashboard_loads_chartjs_only_on_the_dashboard(client, firm, pat):
    client.force_login(pat)
    assert b"chart.umd.min.js" in client.get(URL).content
    assert b"chart.umd.min.js" not in client.get(reverse("home")).content


def test_the_dashboard_embeds_the_chart_data_as_json_not_script(client, firm, pat):
    client.force_login(pat)
    response = client.get(URL)
    html = response.content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in html
    charts = response.context["charts"]()
    assert charts["pareto_count"]["values"] == [2, 1, 1, 1, 1]
    assert charts["pareto_count"]["cumulative"] == [33.3, 50.0, 66.7, 83.3, 100.0]
    assert charts["pareto_count"]["links"][0].endswith(f"&reason={firm.reasons.S.pk}")
    json.loads(html.split('type="application/json">')[1].split("</script>")[0])


def test_the_dashboard_serves_the_stored_snapshot_and_says_how_old_it_is(client, firm, pat):
    client.force_login(pat)
    client.get(URL)
    ExitInterviewFactory(client=ClientFactory(lost_on=firm.today), fees_lost=1000)
    response = client.get(URL)
    assert Snapshot.objects.count() == 1
    assert response.context["snapshot"].data["headline"]["clients_lost"] == 6
    assert b"Data as of" in response.content


def test_the_dashboard_serves_a_stale_snapshot_at_once_and_refreshes_it_in_the_background(
    client, firm, pat, time_machine, django_capture_on_commit_callbacks
):
    client.force_login(pat)
    client.get(URL)
    ExitInterviewFactory(client=ClientFactory(lost_on=firm.today), fees_lost=1000)
    time_machine.shift(dt.timedelta(minutes=14))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        fresh = client.get(URL)
    assert fresh.context["snapshot"].data["headline"]["clients_lost"] == 6
    assert queued == []
    time_machine.shift(dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        # Both views get the stored copy, saying how old it is; one refresh is queued for both.
        for _ in range(2):
            response = client.get(URL)
            assert response.context["snapshot"].data["headline"]["clients_lost"] == 6
            assert b"Data as of" in response.content
    assert len(queued) == 1
    assert client.get(URL).context["snapshot"].data["headline"]["clients_lost"] == 7
    # Once the refresh is done, the next stale view may queue another.
    time_machine.shift(dt.timedelta(minutes=16))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.get(URL)
    assert len(queued) == 1


def test_a_view_nobody_opened_yet_is_computed_at_once(client, firm, pat):
    client.force_login(pat)
    client.get(URL)
    response = client.get(URL, {"period": "12m", "office": firm.offices.hartford.pk})
    assert response.context["snapshot"].data["headline"]["clients_lost"] == 2  # c3 and c4
    assert Snapshot.objects.count() == 2


def test_the_dashboard_recalculates_when_asked(client, firm, pat):
    client.force_login(pat)
    client.get(URL)
    ExitInterviewFactory(client=ClientFactory(lost_on=firm.today), fees_lost=1000)
    response = client.post(reverse("dashboard:refresh") + "?period=12m")
    assert response.status_code == 302
    assert client.get(URL + "?period=12m").context["snapshot"].data["headline"]["clients_lost"] == 7


def test_the_dashboard_refuses_a_recalculation_by_get_or_by_non_partners(client, firm, pat, sam):
    client.force_login(pat)
    assert client.get(reverse("dashboard:refresh")).status_code == 405
    client.force_login(sam)
    assert client.post(reverse("dashboard:refresh")).status_code == 404


def _more_losses(n, firm):
    reason = loss_reason("Errors and rework")
    for _ in range(n):
        ExitInterviewFactory(
            client=ClientFactory(
                lost_on=firm.today - dt.timedelta(days=30),
                service_lines=[firm.lines.tax],
                office=firm.offices.boston,
            ),
            client_primary_reason=reason,
            team_reason=reason,
        )


@pytest.mark.parametrize("extra", [5, 50])
def test_the_dashboard_runs_the_same_queries_whatever_the_data_size(
    client, firm, pat, extra, django_assert_num_queries
):
    _more_losses(extra, firm)
    client.force_login(pat)
    client.get(reverse("home"))  # the first request of a session does a little more
    Snapshot.objects.all().delete()
    # Computing the snapshot: a fixed number of grouped queries.
    with django_assert_num_queries(COMPUTE_QUERIES):
        assert client.get(URL).status_code == 200
    # Serving the stored snapshot with its cached panels: session, user, groups, snapshot, and
    # the savepoints of ATOMIC_REQUESTS inside the test transaction (no session write: it was
    # renewed less than a minute ago; the team goals come rendered from the cache).
    with django_assert_num_queries(SERVE_QUERIES):
        assert client.get(URL).status_code == 200


# Save attempts, process audits and suggestions add one query each, the perception gap three,
# the pilots' funnel one; the team goals panel looks for active goals (one query, none here).
COMPUTE_QUERIES = 44
SERVE_QUERIES = 6
