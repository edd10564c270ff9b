"""A client's fee history: every change of its annual fees is kept, whoever made it and however
(the client form, the CSV import, Django admin), and shown to whoever may see the client."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.models import Client, FeeChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _edit(client, client_obj, **overrides):
    data = {
        "name": client_obj.name,
        "industry": client_obj.industry,
        "size_band": client_obj.size_band,
        "annual_fees": str(client_obj.annual_fees),
        "status": client_obj.status,
    }
    data.update(overrides)
    return client.post(reverse("feedback:client_edit", args=[client_obj.pk]), data)


def _history(client_obj) -> list[tuple]:
    return list(
        FeeChange.objects.filter(client=client_obj)
        .order_by("changed_on", "pk")
        .values_list("previous", "new", "changed_on", "changed_by__username")
    )


def test_the_fee_history_records_a_fee_change_made_in_the_client_form(client, alice, client_a):
    client.force_login(alice)
    assert _edit(client, client_a, annual_fees="30000").status_code == 302
    assert _history(client_a) == [
        (Decimal("25000.00"), Decimal("30000.00"), timezone.localdate(), "alice")
    ]


def test_the_fee_history_records_nothing_when_the_fees_stay_the_same(client, alice, client_a):
    client.force_login(alice)
    _edit(client, client_a, name="Acme Holdings Inc", annual_fees="25000.00")
    _edit(client, client_a, name="Acme Holdings Inc", annual_fees="25000")
    assert _history(client_a) == []


def test_a_new_client_has_no_fee_change(client, alice):
    client.force_login(alice)
    data = {"name": "Cedar", "annual_fees": "1000", "status": "active"}
    assert client.post(reverse("feedback:client_new"), data).status_code == 302
    assert not FeeChange.objects.exists()


def test_the_fee_history_records_a_fee_change_made_by_a_csv_import(client, pat, client_a):
    client.force_login(pat)
    upload = SimpleUploadedFile("c.csv", b"name,annual_fees\nacme holdings,18000.50\n")
    response = client.post(reverse("feedback:client_import"), {"file": upload})
    assert response.status_code == 302
    assert _history(client_a) == [
        (Decimal("25000.00"), Decimal("18000.50"), timezone.localdate(), "pat")
    ]


def test_the_fee_history_records_a_fee_change_made_in_django_admin(pat, client_a):
    request = RequestFactory().post("/admin/")
    request.user = pat
    client_a.annual_fees = Decimal("40000")
    site._registry[Client].save_model(request, client_a, form=None, change=True)
    assert _history(client_a) == [
        (Decimal("25000.00"), Decimal("40000.00"), timezone.localdate(), "pat")
    ]


def test_the_fee_history_records_each_change_once_with_the_amount_before_it(client_a):
    client_a.annual_fees = 30000
    client_a.save()
    client_a.save()
    client_a.annual_fees = "27000.00"
    client_a.save(update_fields=["annual_fees"])
    assert [(p, n, by) for p, n, _, by in _history(client_a)] == [
        (Decimal("25000.00"), Decimal("30000.00"), None),
        (Decimal("30000.00"), Decimal("27000.00"), None),
    ]


def test_the_fee_history_ignores_fees_that_were_not_saved(client_a):
    client_a.annual_fees = 30000
    client_a.save(update_fields=["name"])
    assert _history(client_a) == []
    client_a.save()
    assert [n for _, n, _, _ in _history(client_a)] == [Decimal("30000.00")]


def test_the_fee_history_compares_with_the_fees_stored_after_a_refresh(client_a):
    Client.objects.filter(pk=client_a.pk).update(annual_fees=40000)
    client_a.refresh_from_db()
    client_a.save()
    assert _history(client_a) == []
    client_a.annual_fees = 41000
    client_a.save()
    assert [(p, n) for p, n, _, _ in _history(client_a)] == [
        (Decimal("40000.00"), Decimal("41000.00"))
    ]


def test_the_fee_history_records_fees_set_on_a_client_loaded_without_them(client_a):
    deferred = Client.objects.only("name").get(pk=client_a.pk)
    deferred.annual_fees = 26000
    deferred.save()
    assert [(p, n) for p, n, _, _ in _history(client_a)] == [
        (Decimal("25000.00"), Decimal("26000.00"))
    ]


def test_a_client_loaded_without_fees_and_saved_records_nothing(
    client_a, django_assert_num_queries
):
    deferred = Client.objects.only("name").get(pk=client_a.pk)
    deferred.name = "Acme Holdings Inc"
    with django_assert_num_queries(1):  # the update, and no look-up of the fees
        deferred.save()
    assert _history(client_a) == []


def test_the_client_page_shows_the_fee_history(client, alice, fran, client_a):
    client.force_login(alice)
    _edit(client, client_a, annual_fees="30000")
    FeeChange.objects.update(changed_on=dt.date(2026, 3, 2))
    for person in (alice, fran):
        client.force_login(person)
        body = client.get(reverse("feedback:client_detail", args=[client_a.pk])).content.decode()
        assert "Fee history" in body
        assert "2 Mar 2026" in body and "$25,000" in body and "$30,000" in body
        assert "+20%" in body


def test_the_client_page_of_another_account_manager_stays_hidden(client, bob, client_a):
    client_a.annual_fees = 30000
    client_a.save()
    client.force_login(bob)
    assert client.get(reverse("feedback:client_detail", args=[client_a.pk])).status_code == 404


def test_the_client_page_reads_the_history_in_one_query(client, alice, client_a):
    client.force_login(alice)
    url = reverse("feedback:client_detail", args=[client_a.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client_a.annual_fees = 26000
    client_a.save()
    one = queries()
    for fees in (27000, 28000, 29000):
        client_a.annual_fees = fees
        client_a.save()
    assert queries() == one


def test_erasing_the_client_keeps_its_fee_history(client_a):
    from privacy.services import erase_client, export_client

    client_a.annual_fees = 30000
    client_a.save()
    exported = export_client(client=client_a)
    assert [row["fields"]["new"] for row in exported["fee_changes"]] == [Decimal("30000.00")]
    erase_client(client=client_a)
    assert [(p, n) for p, n, _, _ in _history(client_a)] == [
        (Decimal("25000.00"), Decimal("30000.00"))
    ]


def test_admin_shows_the_fee_history_read_only(client, client_a):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client_a.annual_fees = 30000
    client_a.save()
    client.force_login(admin)
    response = client.get(reverse("admin:feedback_client_change", args=[client_a.pk]))
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"])
    assert inline.formset.model is FeeChange
    assert not inline.has_add_permission and not inline.has_change_permission
