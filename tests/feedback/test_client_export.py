import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

URL = reverse("feedback:client_export")


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_client_export_exports_visible_clients_and_writes_an_audit_event(
    client, alice, client_a, client_b
):
    client.force_login(alice)
    response = client.get(URL)
    assert response["Content-Type"].startswith("text/csv")
    assert [row["name"] for row in _rows(response)] == ["Acme Holdings"]
    event = AuditEvent.objects.get(verb="export")
    assert event.actor == alice
    assert event.detail == {"rows": 1}


def test_the_client_export_applies_the_list_filters(client, pat, client_a, client_b):
    client.force_login(pat)
    assert [row["name"] for row in _rows(client.get(URL, {"q": "birch"}))] == ["Birch Dental"]


def test_the_client_export_neutralises_spreadsheet_formulas(client, pat):
    ClientFactory(name='=HYPERLINK("http://evil")')
    client.force_login(pat)
    assert _rows(client.get(URL))[0]["name"].startswith("'=")


def test_the_export_reads_back_in(client, pat, alice, client_a):
    client.force_login(pat)
    exported = client.get(URL).content
    response = client.post(
        reverse("feedback:client_import"), {"file": SimpleUploadedFile("c.csv", exported)}
    )
    assert response.status_code == 302
