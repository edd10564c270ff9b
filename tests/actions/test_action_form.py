import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
NEW = reverse("actions:action_new")


def _data(**overrides):
    data = {
        "title": "Name a backup partner",
        "detail": "",
        "due_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
        "priority": "normal",
    }
    data.update(overrides)
    return data


def test_anyone_creates_an_action_they_own(client, sam, bob):
    client.force_login(sam)
    response = client.post(NEW, _data(owner=bob.pk))
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.owner, action.created_by) == (sam, sam)
    assert action.events.get().note == "Created"


def test_a_partner_assigns_an_action_to_someone_else(client, pat, alice):
    client.force_login(pat)
    client.post(NEW, _data(owner=alice.pk))
    assert Action.objects.get().owner == alice


def test_a_past_due_date_warns_and_needs_confirmation(client, alice):
    client.force_login(alice)
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = client.post(NEW, _data(due_on=past))
    assert response.status_code == 200
    content = response.content.decode()
    assert "This date is in the past" in content
    assert 'value="Name a backup partner"' in content  # nothing typed is lost
    assert not Action.objects.exists()
    response = client.post(NEW, _data(due_on=past, confirm_past_due="on"))
    assert response.status_code == 302
    assert Action.objects.get().is_overdue


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required"),
        ("title", "x" * 201, "at most 200 characters"),
        ("due_on", "2026-02-30", "Enter a valid date"),
        ("due_on", "2999-01-01", "within the next 3 years"),
        ("priority", "urgent!", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field(client, alice, field, value, message):
    client.force_login(alice)
    response = client.post(NEW, _data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_owner_edits_title_and_due_date(client, alice):
    action = ActionFactory(owner=alice)
    new_due = action.due_on + dt.timedelta(days=7)
    client.force_login(alice)
    response = client.post(
        reverse("actions:action_edit", args=[action.pk]),
        _data(title="Renamed", due_on=new_due.isoformat()),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on) == ("Renamed", new_due)
    notes = list(action.events.values_list("note", flat=True))
    assert any("Edited title" in n for n in notes)
    assert any("Due date moved" in n for n in notes)


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_editing_someone_elses_action_is_404(client, request, alice, persona):
    action = ActionFactory(owner=alice)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("actions:action_edit", args=[action.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _data(title="Hijacked")).status_code == 404
    action.refresh_from_db()
    assert action.title != "Hijacked"


def test_a_partner_reassigns_a_deactivated_owners_action(client, pat, deactivated, bob):
    action = ActionFactory(owner=deactivated)
    client.force_login(pat)
    url = reverse("actions:action_edit", args=[action.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _data(owner=bob.pk, due_on=action.due_on.isoformat()))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner == bob
