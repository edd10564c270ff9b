"""Status changes from the detail page (normal POSTs) and from list rows (htmx)."""

import pytest
from django.urls import reverse

from actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def action(alice):
    return ActionFactory(owner=alice, title="Publish escalation roster")


def _url(name, action):
    return reverse(f"actions:action_{name}", args=[action.pk])


def test_a_status_change_requires_post(client, alice, action):
    client.force_login(alice)
    for name in ["start", "complete", "verify", "wont_do", "reopen", "snooze"]:
        assert client.get(_url(name, action)).status_code == 405


def test_the_owner_completes_with_evidence_and_is_redirected(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("complete", action), {"evidence": "Roster is on the intranet"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_done_without_evidence_shows_the_message_next_to_the_field(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("complete", action), {"evidence": ""})
    assert response.status_code == 200
    assert "Say what changed" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_wont_do_without_reason_shows_a_message(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("wont_do", action), {"reason": "  "})
    assert response.status_code == 200
    assert "Say why this will not be done" in response.content.decode()


def test_a_visible_non_partner_gets_a_clear_message_when_verifying(client, alice, fran, action):
    action.status, action.evidence = Action.Status.DONE, "Roster"
    action.save()
    for person in (alice, fran):
        client.force_login(person)
        response = client.post(_url("verify", action), {})
        assert response.status_code == 200
        assert "Only a partner or the facilitator" in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_someone_who_cannot_see_the_action_gets_404(client, bob, action):
    client.force_login(bob)
    for name in ["start", "complete", "verify", "wont_do", "reopen", "snooze"]:
        assert client.post(_url(name, action), {"evidence": "x"}).status_code == 404


def test_a_partner_verifies_from_the_detail_page(client, pat, action):
    action.status, action.evidence = Action.Status.DONE, "Roster"
    action.save()
    client.force_login(pat)
    response = client.post(_url("verify", action), {"recheck_on": "2099-01-01"})
    assert response.status_code == 200  # beyond the three-year range: a message, not a 500
    assert "within the next 3 years" in response.content.decode()
    response = client.post(_url("verify", action), {"note": "Seen the roster"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.verified_by == pat


def test_htmx_start_returns_the_updated_row(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("start", action), {"show_owner": "0"}, **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.strip().startswith(f'<tr id="action-{action.pk}"')
    assert "In progress" in content


def test_htmx_complete_without_evidence_returns_the_row_with_the_error(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("complete", action), {"evidence": "", "link": "nope"}, **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Say what changed" in content
    assert "Enter a valid URL" in content
    assert '<details class="action-inline" open>' in content


def test_htmx_verify_from_the_partners_list(client, pat, action):
    action.status, action.evidence = Action.Status.DONE, "Roster"
    action.save()
    client.force_login(pat)
    response = client.post(_url("verify", action), {"show_owner": "1"}, **HTMX)
    assert response.status_code == 200
    assert "Verified" in response.content.decode()
    assert "Alice Moreno" in response.content.decode()


def test_the_owner_snoozes_from_the_detail_page(client, alice, action):
    client.force_login(alice)
    response = client.post(_url("snooze", action), {"until": "2000-01-01", "reason": "Leave"})
    assert "Choose a day after today" in response.content.decode()
    action.refresh_from_db()
    assert action.snoozed_until is None


def test_the_owner_reopens_a_dropped_action(client, alice, action):
    action.status, action.wont_do_reason = Action.Status.WONT_DO, "Merged"
    action.save()
    client.force_login(alice)
    assert client.post(_url("reopen", action), {"note": "Back on"}).status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
