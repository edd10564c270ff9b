"""Clients through the API: the client form's rules, the pages' audit records."""

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client as Browser

from accounts.models import AuditEvent
from feedback.models import Client
from tests.factories import ClientFactory, ServiceLineFactory

LIST = "/api/v1/clients/"


def test_an_account_manager_adds_a_client_who_stays_theirs(api, alice, bob):
    line = ServiceLineFactory()
    response = api(alice).post(
        LIST,
        {"name": "Northwind Traders", "account_manager": bob.pk, "service_lines": [line.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    client = Client.objects.get(name="Northwind Traders")
    assert client.account_manager == alice
    assert client.status == Client.Status.ACTIVE
    assert list(client.service_lines.all()) == [line]
    assert AuditEvent.objects.filter(verb="create", object_id=str(client.pk), actor=alice).exists()


def test_a_change_keeps_what_was_not_sent(api, alice):
    line = ServiceLineFactory()
    client = ClientFactory(account_manager=alice, annual_fees=1000, industry="retail")
    client.service_lines.add(line)
    response = api(alice).patch(
        f"{LIST}{client.pk}/", {"annual_fees": "2500.00"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    client.refresh_from_db()
    assert (client.annual_fees, client.industry) == (2500, "retail")
    assert list(client.service_lines.all()) == [line]
    assert AuditEvent.objects.filter(verb="update", object_id=str(client.pk)).exists()


def test_the_client_forms_rules_come_back_as_400_by_field(api, alice):
    client = ClientFactory(account_manager=alice)
    response = api(alice).patch(
        f"{LIST}{client.pk}/", {"status": "lost", "lost_on": None}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Say when the client was lost." in response.json()["lost_on"]
    response = api(alice).post(LIST, {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()
    response = api(alice).post(LIST, {"annual_fees": "lots"}, content_type="application/json")
    assert response.status_code == 400
    assert "annual_fees" in response.json()


def test_list_filters_by_name_and_checks_its_values(api, pat):
    ClientFactory(name="Harbor Freight Co")
    ClientFactory(name="Blue Ridge Dental")
    rows = api(pat).get(LIST, {"q": "harbor"}).json()["results"]
    assert [row["name"] for row in rows] == ["Harbor Freight Co"]
    assert api(pat).get(LIST, {"status": "gone"}).status_code == 400


def test_pages_are_capped_at_a_hundred_rows(api, pat):
    response = api(pat).get(LIST, {"page_size": 1000})
    assert response.status_code == 200
    assert api(pat).get(LIST, {"page": 99}).status_code == 404


def test_a_browser_session_needs_the_csrf_token_to_change_anything(alice):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.get(LIST).status_code == 200
    body = {"name": "Northwind Traders"}
    refused = browser.post(LIST, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    token = _get_new_csrf_string()
    browser.cookies["csrftoken"] = token
    response = browser.post(LIST, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
