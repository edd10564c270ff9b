import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import ClientFactory, OfficeFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db

URL = reverse("feedback:client_list")


def _make_clients(n, **kwargs):
    tax = ServiceLineFactory(name="Tax")
    for _ in range(n):
        ClientFactory(service_lines=[tax], **kwargs)


def test_the_client_list_lists_only_alice_own_clients(client, alice, bob, client_a, client_b):
    client.force_login(alice)
    body = client.get(URL).content.decode()
    assert "Acme Holdings" in body
    assert "Birch Dental" not in body


def test_the_client_list_lists_every_client_for_partners(client, pat, client_a, client_b):
    client.force_login(pat)
    body = client.get(URL).content.decode()
    assert "Acme Holdings" in body and "Birch Dental" in body


def test_the_client_list_shows_staff_no_clients(client, sam, client_a):
    client.force_login(sam)
    assert "Acme Holdings" not in client.get(URL).content.decode()


def test_the_client_list_searches_by_name(client, pat, client_a, client_b):
    client.force_login(pat)
    body = client.get(URL, {"q": "birch"}).content.decode()
    assert "Birch Dental" in body and "Acme Holdings" not in body


def test_the_client_list_filters_by_status_office_service_line_and_manager(client, pat, alice, bob):
    hartford = OfficeFactory(name="Hartford")
    payroll = ServiceLineFactory(name="Payroll")
    ClientFactory(name="Lost One", status="lost", account_manager=alice)
    ClientFactory(name="Hartford One", office=hartford, account_manager=bob)
    ClientFactory(name="Payroll One", service_lines=[payroll])
    client.force_login(pat)
    assert "Lost One" in client.get(URL, {"status": "lost"}).content.decode()
    assert "Hartford One" not in client.get(URL, {"status": "lost"}).content.decode()
    body = client.get(URL, {"office": hartford.pk}).content.decode()
    assert "Hartford One" in body and "Lost One" not in body
    body = client.get(URL, {"service_line": payroll.pk}).content.decode()
    assert "Payroll One" in body and "Lost One" not in body
    body = client.get(URL, {"account_manager": alice.pk}).content.decode()
    assert "Lost One" in body and "Hartford One" not in body


def test_the_client_list_paginates(client, pat):
    _make_clients(30)
    client.force_login(pat)
    response = client.get(URL)
    assert len(response.context["page"]) == 25
    assert "Page 1 of 2" in response.content.decode()
    assert len(client.get(URL, {"page": 2}).context["page"]) == 5


def test_the_client_list_ignores_a_bad_filter_value(client, pat, client_a):
    client.force_login(pat)
    response = client.get(URL, {"office": "not-a-number", "page": "zzz"})
    assert response.status_code == 200


@pytest.mark.parametrize("view", ["feedback:client_list", "feedback:client_export"])
def test_the_client_list_uses_the_same_number_of_queries_for_5_and_50_rows(
    client, pat, alice, django_assert_num_queries, view
):
    client.force_login(pat)
    _make_clients(5, account_manager=alice)
    client.get(reverse(view))  # warm the session
    with CaptureQueriesContext(connection) as five:
        client.get(reverse(view))
    _make_clients(45, account_manager=alice)
    with django_assert_num_queries(len(five.captured_queries)):
        client.get(reverse(view))


def test_rows_show_what_changed_since_they_were_cached(client, pat, alice, client_a):
    """Rows are served from the cache (accounts.caching), keyed on everything they show."""
    client.force_login(pat)

    def row():
        return client.get(URL).content.decode().split(f"/clients/{client_a.pk}/")[1]

    assert "Acme Holdings" in row()
    type(client_a).objects.filter(pk=client_a.pk).update(name="Acme Group", annual_fees=123456)
    assert "Acme Group" in row() and "$123,456" in row()
    client_a.service_lines.add(ServiceLineFactory(name="Forensic audit"))
    assert "Forensic audit" in row()
    client_a.office.name = "Harbourside"
    client_a.office.save()
    assert "Harbourside" in row()
    alice.display_name = "Alice Newname"
    alice.save()
    assert "Alice Newname" in row()


def _menu(html: str, name: str) -> str:
    return html.split(f'name="{name}"')[1].split("</select>")[0]


def test_its_menus_show_a_new_office_service_line_and_manager_at_once(client, pat, alice, sam):
    client.force_login(pat)
    before = client.get(URL).content.decode()
    assert "Hartford" not in _menu(before, "office") and "Payroll" not in before
    assert sam.name not in _menu(before, "account_manager")
    OfficeFactory(name="Hartford")
    ServiceLineFactory(name="Payroll")
    sam.groups.add(Group.objects.get(name=Role.ACCOUNT_MANAGER))
    after = client.get(URL).content.decode()
    assert "Hartford" in _menu(after, "office")
    assert "Payroll" in _menu(after, "service_line")
    assert sam.name in _menu(after, "account_manager")


def test_its_manager_menu_shows_a_renamed_or_departed_manager_at_once(client, pat, alice, bob):
    client.force_login(pat)
    assert "Alice Moreno" in _menu(client.get(URL).content.decode(), "account_manager")
    alice.display_name = "Alice Okafor"
    alice.save()
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    menu = _menu(client.get(URL).content.decode(), "account_manager")
    assert "Alice Okafor" in menu and "Alice Moreno" not in menu and "Bob Chen" not in menu


def test_its_menus_cost_no_query_while_nothing_they_show_changes(
    client, pat, alice, django_assert_max_num_queries
):
    client.force_login(pat)
    client.get(URL)
    with django_assert_max_num_queries(50) as warm:
        client.get(URL)
    client.force_login(alice)  # a login saves last_login only: the menus are kept
    client.force_login(pat)
    with django_assert_max_num_queries(50) as again:
        client.get(URL)
    assert len(again.captured_queries) == len(warm.captured_queries)
    assert not any("accounts_office" in q["sql"] for q in again.captured_queries)
