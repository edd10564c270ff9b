"""The rows of the action lists are rendered once and then served from the cache
(accounts.caching): whatever changes, a list still shows the action as it is now, with the
buttons of the person looking and a CSRF token that works for them."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.factories import ActionFactory, ClientFactory

pytestmark = pytest.mark.django_db
LIST = reverse("actions:action_list")
MINE = reverse("actions:action_mine")


def _row(html: str, action: Action) -> str:
    return html.split(f'id="action-{action.pk}"')[1].split("</tr>")[0]


def test_a_row_served_from_the_cache_is_the_row_rendered_afresh(client, pat, alice):
    action = ActionFactory(owner=alice, client=ClientFactory(name="Harbor & Co"), priority="high")
    client.force_login(pat)
    first = _row(client.get(LIST).content.decode(), action)
    second = _row(client.get(LIST).content.decode(), action)
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", second)
    assert "Harbor &amp; Co" in second and "High priority" in second


def test_a_change_shows_at_once_even_when_it_bypasses_save(client, pat, alice):
    action = ActionFactory(owner=alice, title="Call the CFO")
    client.force_login(pat)
    assert "Call the CFO" in _row(client.get(LIST).content.decode(), action)
    # update() leaves updated_at alone: the row is keyed on what it shows, not on a timestamp.
    Action.objects.filter(pk=action.pk).update(title="Call the CEO")
    row = _row(client.get(LIST).content.decode(), action)
    assert "Call the CEO" in row and "Call the CFO" not in row
    Action.objects.filter(pk=action.pk).update(status="in_progress")
    assert "In progress" in _row(client.get(LIST).content.decode(), action)
    alice.display_name = "Alice Renamed"
    alice.save()
    assert "Alice Renamed" in _row(client.get(LIST).content.decode(), action)


def test_a_row_turns_overdue_when_its_due_date_passes(client, pat, alice, monkeypatch):
    today = timezone.localdate()
    action = ActionFactory(owner=alice, due_on=today + dt.timedelta(days=1))
    client.force_login(pat)
    assert "Overdue" not in _row(client.get(LIST).content.decode(), action)
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + dt.timedelta(days=2))
    assert "Overdue" in _row(client.get(LIST).content.decode(), action)


def test_each_person_gets_their_own_buttons_from_the_same_cached_row(client, pat, alice):
    action = ActionFactory(owner=alice)
    complete = f'action="{reverse("actions:action_complete", args=[action.pk])}"'
    client.force_login(pat)
    assert complete not in _row(client.get(LIST).content.decode(), action)
    client.force_login(alice)
    assert complete in _row(client.get(MINE).content.decode(), action)
    client.force_login(pat)
    assert complete not in _row(client.get(LIST).content.decode(), action)


def test_the_token_in_a_cached_row_is_the_viewers_own(pat, alice):
    action = ActionFactory(owner=alice)
    first = Client(enforce_csrf_checks=True)
    first.force_login(pat)
    first.get(LIST)  # pat's view puts the row in the cache
    second = Client(enforce_csrf_checks=True)
    second.force_login(pat)
    row = _row(second.get(LIST).content.decode(), action)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row).group(1)
    response = second.post(
        reverse("actions:action_start", args=[action.pk]), {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
