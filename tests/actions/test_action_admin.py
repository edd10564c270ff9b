"""An action edited in admin keeps its reminder plan in step, as one changed through a page does."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from actions import services
from actions.models import Reminder
from tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


def _form_data(page) -> dict:
    """What the change page would post back unchanged."""
    data = {}
    for name, value in page.context["adminform"].form.initial.items():
        if value is None or value is False:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list) else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
    return data


def test_the_action_admin_replans_the_reminders_when_an_admin_moves_the_due_date(
    client, alice, django_capture_on_commit_callbacks
):
    action = ActionFactory(owner=alice, due_on=dt.date(2027, 3, 10))
    services.replan_reminders(action=action)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:actions_action_change", args=[action.pk])
    data = {**_form_data(client.get(url)), "due_on": "2027-03-24"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    due = action.reminders.get(kind=Reminder.Kind.DUE, sent_at__isnull=True)
    assert due.scheduled_for.date() == dt.date(2027, 3, 24)
