import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_pat(client, firm, pat):
    client.force_login(pat)
    return client


def _clients(response):
    return sorted(interview.client.name for interview in response.context["page"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["c1", "c2", "c3", "c4", "c5", "c6"]),
        ({"reason": "none"}, ["c6"]),
        ({"industry": "retail"}, ["c3", "c5"]),
        ({"partner": "none"}, ["c6"]),
        ({"size_band": "small"}, ["c1", "c2", "c3", "c4", "c5", "c6"]),
        ({"repeat": "1"}, ["c1", "c2"]),
        ({"controllable": "1"}, ["c1", "c2", "c3", "c5"]),
        ({"period": "quarter"}, ["c1", "c6"]),
    ],
)
def test_the_drill_down_lists_the_losses_behind_a_bar(as_pat, params, expected):
    response = as_pat.get(reverse("dashboard:losses"), params)
    assert response.status_code == 200
    assert _clients(response) == expected


def test_the_drill_down_lists_the_losses_of_one_reason_and_segment(as_pat, firm):
    url = reverse("dashboard:losses")
    assert _clients(as_pat.get(url, {"reason": firm.reasons.S.pk})) == ["c1", "c2"]
    assert _clients(
        as_pat.get(url, {"partner": firm.losses[0].client.relationship_partner_id})
    ) == [
        "c1",
        "c2",
    ]
    assert _clients(as_pat.get(url, {"office": firm.offices.hartford.pk})) == ["c3", "c4"]
    assert _clients(as_pat.get(url, {"service_line": firm.lines.audit.pk})) == ["c3", "c4", "c5"]


@pytest.mark.parametrize("params", [{"reason": "abc"}, {"reason": "999999"}, {"partner": "x"}])
def test_the_drill_down_404s_for_unknown_drill_values(as_pat, params):
    assert as_pat.get(reverse("dashboard:losses"), params).status_code == 404


def _titles(response):
    return sorted(action.title for action in response.context["page"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "overdue"}, ["A3", "A8"]),
        ({"status": "open"}, ["A3", "A8", "A9"]),
        ({"status": "verified"}, ["A11", "A5", "A6", "A7"]),
        ({"status": "wont_do"}, ["A10"]),
    ],
)
def test_the_drill_down_lists_the_actions_behind_the_funnel(as_pat, params, expected):
    assert _titles(as_pat.get(reverse("dashboard:actions"), params)) == expected


def test_the_drill_down_lists_overdue_actions_of_one_owner_and_closed_actions_of_a_cause(
    as_pat, firm, alice
):
    url = reverse("dashboard:actions")
    assert _titles(as_pat.get(url, {"status": "overdue", "owner": alice.pk})) == ["A3"]
    assert _titles(as_pat.get(url, {"status": "closed", "cause": firm.reasons.S.pk})) == ["A1"]
    assert as_pat.get(url, {"status": "nonsense"}).status_code == 404


def test_the_drill_down_lists_every_client_at_risk(as_pat):
    response = as_pat.get(reverse("dashboard:at_risk"))
    assert [client.name for client in response.context["page"]] == ["c9"]


def test_the_drill_down_lists_the_feedback_behind_the_client_voice(as_pat):
    url = reverse("dashboard:responses")
    assert len(as_pat.get(url).context["page"]) == 4
    assert [r.rating for r in as_pat.get(url, {"theme": "fees"}).context["page"]] == [6]
    assert [r.rating for r in as_pat.get(url, {"replied": "1"}).context["page"]] == [8]
    assert as_pat.get(url, {"theme": "weather"}).status_code == 404


@pytest.mark.parametrize("name", ["losses", "actions", "at_risk", "responses"])
@pytest.mark.parametrize("persona", ["alice", "sam", "fran"])
def test_the_drill_down_404s_for_non_partners(client, firm, name, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(f"dashboard:{name}")).status_code == 404


@pytest.mark.parametrize("name", ["losses", "actions", "at_risk", "responses"])
def test_the_drill_down_runs_the_same_queries_for_a_longer_list(
    client, firm, pat, name, django_assert_num_queries
):
    from tests.dashboard.test_index import _more_losses

    client.force_login(pat)
    url = reverse(f"dashboard:{name}")
    client.get(url)
    with django_assert_num_queries(DRILL_QUERIES[name]):
        client.get(url)
    _more_losses(40, firm)
    with django_assert_num_queries(DRILL_QUERIES[name]):
        client.get(url)


DRILL_QUERIES = {"losses": 9, "actions": 9, "at_risk": 11, "responses": 9}


def test_the_drill_down_keeps_the_narrowing_when_the_filters_change(as_pat, firm):
    response = as_pat.get(reverse("dashboard:losses"), {"reason": firm.reasons.S.pk, "page": "1"})
    html = response.content.decode()
    assert f'<input type="hidden" name="reason" value="{firm.reasons.S.pk}">' in html
    assert 'name="page"' not in html
