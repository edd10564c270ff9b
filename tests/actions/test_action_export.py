import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from actions.models import Action
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
URL = reverse("actions:action_export")


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_action_export_exports_the_filtered_actions(client, pat, alice):
    ActionFactory(owner=alice, title="Open one")
    ActionFactory(owner=alice, title="Done one", status=Action.Status.DONE, evidence="Roster")
    client.force_login(pat)
    response = client.get(URL, {"status": "done"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert [r["title"] for r in rows] == ["Done one"]
    assert rows[0]["owner"] == "Alice Moreno"
    assert AuditEvent.objects.filter(verb="export", object_type="actions.action").exists()


def test_the_action_export_defuses_spreadsheet_formulas(client, pat, alice):
    ActionFactory(owner=alice, title='=HYPERLINK("http://evil")')
    client.force_login(pat)
    assert _rows(client.get(URL))[0]["title"].startswith("'=")


def test_an_owner_exports_their_own_actions_with_the_filters(client, alice, bob):
    ActionFactory(owner=alice, title="Mine, open")
    ActionFactory(owner=alice, title="Mine, done", status=Action.Status.DONE, evidence="Roster")
    ActionFactory(owner=bob, title="Bob's, done", status=Action.Status.DONE, evidence="Memo")
    client.force_login(alice)
    assert [r["title"] for r in _rows(client.get(URL, {"status": "done"}))] == ["Mine, done"]
