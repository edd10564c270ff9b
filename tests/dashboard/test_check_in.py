import datetime as dt

import pytest
from django.urls import reverse

from actions.models import Action, ActionEvent
from dashboard.models import Snapshot

pytestmark = pytest.mark.django_db


def _url(client_obj):
    return reverse("dashboard:check_in", args=[client_obj.pk])


def test_it_creates_a_check_in_action_for_the_account_manager(client, firm, pat, alice):
    c9 = firm.at_risk[0]
    client.force_login(pat)
    client.get(reverse("dashboard:index"))
    response = client.post(_url(c9) + "?period=12m")
    assert response.status_code == 302
    assert response.url == reverse("dashboard:index") + "?period=12m#at-risk"
    action = Action.objects.get(title="Check in with c9")
    assert (action.owner, action.client, action.created_by) == (alice, c9, pat)
    assert action.due_on == firm.today + dt.timedelta(days=14)
    assert ActionEvent.objects.filter(action=action).exists()
    assert not Snapshot.objects.exists()  # the dashboard recomputes and shows it as open
    rows = client.get(reverse("dashboard:index")).context["snapshot"].data["at_risk"]["rows"]
    assert [row["check_in_open"] for row in rows] == [True]  # c9, the one client flagged


def test_it_answers_htmx_with_the_new_state(client, firm, pat):
    client.force_login(pat)
    response = client.post(_url(firm.at_risk[0]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"check-in created for Alice Moreno" in response.content
    assert Action.objects.filter(title="Check in with c9").count() == 1


def test_it_requires_post(client, firm, pat):
    client.force_login(pat)
    assert client.get(_url(firm.at_risk[0])).status_code == 405


@pytest.mark.parametrize("persona", ["alice", "sam", "fran"])
def test_it_404s_for_non_partners(client, firm, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(firm.at_risk[0])).status_code == 404
    assert not Action.objects.filter(title__startswith="Check in").exists()


def test_it_404s_for_an_unknown_client(client, firm, pat):
    client.force_login(pat)
    assert client.post(reverse("dashboard:check_in", args=[999999])).status_code == 404
