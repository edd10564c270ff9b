import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from feedback.models import Client
from tests.factories import OfficeFactory, ServiceLineFactory

pytestmark = pytest.mark.django_db

NEW = reverse("feedback:client_new")


def _data(**overrides):
    data = {
        "name": "Cedar Bakery",
        "industry": "retail",
        "size_band": "small",
        "annual_fees": "12000",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_an_account_manager_creates_a_client_of_her_own(client, alice, bob):
    client.force_login(alice)
    response = client.post(NEW, _data(account_manager=bob.pk))
    created = Client.objects.get(name="Cedar Bakery")
    assert response.status_code == 302
    assert created.account_manager == alice
    assert AuditEvent.objects.filter(verb="create", object_type="feedback.client").exists()


def test_a_partner_assigns_the_account_manager(client, pat, bob):
    tax = ServiceLineFactory(name="Tax")
    client.force_login(pat)
    client.post(NEW, _data(account_manager=bob.pk, service_lines=[tax.pk]))
    created = Client.objects.get(name="Cedar Bakery")
    assert created.account_manager == bob
    assert list(created.service_lines.all()) == [tax]


def test_staff_and_facilitators_cannot_create_clients(client, sam, fran):
    for user in (sam, fran):
        client.force_login(user)
        assert client.get(NEW).status_code == 404


def test_the_client_form_404s_when_another_account_manager_edits(client, bob, client_a):
    client.force_login(bob)
    assert client.get(reverse("feedback:client_edit", args=[client_a.pk])).status_code == 404


def test_the_facilitator_sees_but_does_not_edit(client, fran, client_a):
    client.force_login(fran)
    assert client.get(reverse("feedback:client_edit", args=[client_a.pk])).status_code == 404


def test_the_account_manager_edits_her_client(client, alice, client_a):
    client.force_login(alice)
    url = reverse("feedback:client_edit", args=[client_a.pk])
    response = client.post(url, _data(name="Acme Holdings Inc", office=OfficeFactory().pk))
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.name == "Acme Holdings Inc"
    assert client_a.account_manager == alice


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required"),
        ({"annual_fees": "-5"}, "annual_fees", "greater than or equal to 0"),
        ({"client_since": "2999-01-01"}, "client_since", "in the future"),
        ({"status": "lost"}, "lost_on", "when the client was lost"),
        ({"name": "Bad\x00Name"}, "name", "Null characters are not allowed"),
        ({"name": "x" * 20_000}, "name", "at most 200 characters"),
    ],
)
def test_the_client_form_rejects_bad_input_and_keeps_it(client, pat, overrides, field, message):
    client.force_login(pat)
    response = client.post(NEW, _data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["form"]["industry"].value() == "retail"
    assert not Client.objects.exists()


def test_the_client_form_escapes_script_and_keeps_emoji(client, pat):
    client.force_login(pat)
    client.post(NEW, _data(name="<script>alert(1)</script> Café 🍰"))
    created = Client.objects.get()
    body = client.get(created.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Café 🍰" in body
