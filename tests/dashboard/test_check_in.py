import datetime as dt

import pytest
from django.urls import reverse

from actions.models import Action, ActionEvent
from dashboard import services
from dashboard.models import Snapshot

pytestmark = pytest.mark.django_db


def _url(client_obj):
    return reverse("dashboard:check_in", args=[client_obj.pk])


def _at_risk_rows(response):
    return response.context["snapshot"].data["at_risk"]["rows"]


def test_a_check_in_creates_a_check_in_action_for_the_account_manager(client, firm, pat, alice):
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


def test_a_check_in_marks_the_stored_views_stale_and_they_refresh_in_the_background(
    client, firm, pat, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(pat)
    client.get(reverse("dashboard:index"))
    client.get(reverse("dashboard:index"), {"office": firm.offices.hartford.pk})
    before = {s.key: s.computed_at for s in Snapshot.objects.all()}
    client.post(_url(firm.at_risk[0]))
    # Nothing is deleted: every view, and every partner's home page, still has its copy.
    assert {s.key: s.computed_at for s in Snapshot.objects.all()} == before
    assert all(s.changed_since_computed for s in Snapshot.objects.all())

    computed = []
    real_compute = services.panels.compute
    monkeypatch.setattr(services.panels, "compute", lambda f: computed.append(f) or real_compute(f))
    with django_capture_on_commit_callbacks() as queued:
        home = client.get(reverse("home"))
        index = client.get(reverse("dashboard:index"))
    assert (home.status_code, index.status_code) == (200, 200)
    assert computed == []  # the pages were served from the stored copy
    assert len(queued) == 1  # one refresh of the default view, queued for both pages
    # c9 is the one client flagged
    assert [row["check_in_open"] for row in _at_risk_rows(index)] == [False]

    queued[0]()  # the worker refreshes it
    rows = _at_risk_rows(client.get(reverse("dashboard:index")))
    assert [row["check_in_open"] for row in rows] == [True]
    assert not Snapshot.objects.get(key=computed[0].key).changed_since_computed


def test_a_change_while_a_view_is_computed_leaves_it_stale(firm, pat):
    filters = services.default_filters(firm.today)
    services.refresh_snapshot(filters=filters)
    real_compute = services.panels.compute

    def computed_while_a_check_in_is_made(f):
        data = real_compute(f)
        services.check_in(client=firm.at_risk[1], by=pat, due_on=firm.today)
        return data

    services.panels.compute = computed_while_a_check_in_is_made
    try:
        services.refresh_snapshot(filters=filters)
    finally:
        services.panels.compute = real_compute
    assert Snapshot.objects.get(key=filters.key).changed_since_computed


def test_posting_twice_makes_one_action_and_says_it_is_already_open(client, firm, pat):
    c9 = firm.at_risk[0]
    client.force_login(pat)
    client.post(_url(c9))
    response = client.post(_url(c9), follow=True)
    assert Action.objects.filter(client=c9, title__startswith="Check in").count() == 1
    text = response.content.decode()
    assert "A check-in with c9 is already open (Alice Moreno, due 29 Jun 2026)" in text
    assert "no second one was created" in text


def test_a_second_htmx_post_answers_with_the_open_check_in(client, firm, pat):
    client.force_login(pat)
    client.post(_url(firm.at_risk[0]), headers={"HX-Request": "true"})
    response = client.post(_url(firm.at_risk[0]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"already open" in response.content
    assert b"Alice Moreno, due 29 Jun 2026" in response.content
    assert Action.objects.filter(title="Check in with c9").count() == 1


def test_a_new_check_in_may_follow_one_that_was_closed(client, firm, pat):
    client.force_login(pat)
    client.post(_url(firm.at_risk[0]))
    Action.objects.filter(title="Check in with c9").update(
        status=Action.Status.WONT_DO, wont_do_reason="Client is fine."
    )
    client.post(_url(firm.at_risk[0]))
    assert Action.objects.filter(title="Check in with c9").count() == 2


def test_a_check_in_answers_htmx_with_the_new_state(client, firm, pat):
    client.force_login(pat)
    response = client.post(_url(firm.at_risk[0]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"check-in created for Alice Moreno" in response.content
    assert Action.objects.filter(title="Check in with c9").count() == 1


def test_a_check_in_requires_post(client, firm, pat):
    client.force_login(pat)
    assert client.get(_url(firm.at_risk[0])).status_code == 405


@pytest.mark.parametrize("persona", ["alice", "sam", "fran"])
def test_a_check_in_404s_for_non_partners(client, firm, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(firm.at_risk[0])).status_code == 404
    assert not Action.objects.filter(title__startswith="Check in").exists()


def test_a_check_in_404s_for_an_unknown_client(client, firm, pat):
    client.force_login(pat)
    assert client.post(reverse("dashboard:check_in", args=[999999])).status_code == 404
