import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role, User
from feedback.forms import ClientForm, ClientRowForm
from feedback.models import Client, Office, ServiceLine
from feedback.services import CSV_COLUMNS
from tests.factories import ClientFactory, OfficeFactory, ServiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("feedback:client_import")
HEADER = "name,industry,annual_fees,office,account_manager,status,client_since,service_lines\n"


def _upload(client, text: str | bytes, name="clients.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def _errors(response) -> str:
    return " | ".join(f"{line}: {msg}" for line, msg in response.context["result"].errors)


@pytest.fixture
def partner(client, pat, alice):
    OfficeFactory(name="Boston")
    ServiceLineFactory(name="Tax")
    ServiceLineFactory(name="Payroll")
    client.force_login(pat)
    return pat


def test_the_client_import_imports_every_row(client, partner, alice):
    response = _upload(
        client,
        HEADER
        + "Cedar Bakery,retail,12000,Boston,alice,active,2019-04-01,Tax;Payroll\n"
        + "Dune Logistics,,5000,,,,,\n",
    )
    assert response.status_code == 302
    cedar = Client.objects.get(name="Cedar Bakery")
    assert cedar.account_manager == alice
    assert sorted(cedar.service_lines.values_list("name", flat=True)) == ["Payroll", "Tax"]
    assert Client.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="feedback.client", object_id="import").exists()


def test_re_import_updates_by_name(client, partner):
    existing = ClientFactory(name="Cedar Bakery", annual_fees=1000, industry="retail")
    _upload(client, HEADER + "cedar bakery,,9000,,,,,\n")
    existing.refresh_from_db()
    assert existing.annual_fees == 9000
    assert existing.industry == "retail"  # empty cells keep what was there
    assert Client.objects.count() == 1


def test_the_client_import_imports_nothing_when_one_row_is_bad(client, partner):
    response = _upload(
        client,
        HEADER
        + "Good One,retail,100,Boston,alice,active,2019-04-01,Tax\n"
        + "Bad One,spaceships,-5,Atlantis,nobody,gone,2999-01-01,Astrology\n",
    )
    assert response.status_code == 200
    errors = _errors(response)
    for expected in [
        "3: industry",
        "3: annual_fees",
        "3: office",
        "3: account_manager",
        "3: status",
        "3: client_since: This date is in the future",
        "3: service_lines: Unknown service line: Astrology",
    ]:
        assert expected in errors
    assert "2:" not in errors
    assert not Client.objects.exists()
    assert "Nothing was imported" in response.content.decode()


def test_the_client_import_reports_a_missing_name_and_duplicates(client, partner):
    response = _upload(client, HEADER + ",retail,,,,,,\nSame,,,,,,,\nSAME,,,,,,,\n")
    errors = _errors(response)
    assert "2: name: This field is required." in errors
    assert "4: name: the same client is on line 3." in errors


def test_the_client_import_rejects_latin_1(client, partner):
    response = _upload(client, (HEADER + "Café Crème,,,,,,,\n").encode("latin-1"))
    assert "not UTF-8" in _errors(response)
    assert not Client.objects.exists()


def test_the_client_import_accepts_a_byte_order_mark_and_emoji(client, partner):
    response = _upload(client, "\ufeff" + HEADER + "Café 🍰 Crème,,,,,,,\n")
    assert response.status_code == 302
    assert Client.objects.get().name == "Café 🍰 Crème"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("industry,status\nretail,active\n", "“name” column"),
        ("name,colour\nX,red\n", "Unknown column(s): colour"),
        ("name\n", "no clients"),
        (HEADER + 'Cedar,"retail,1\n', "not valid CSV"),
        (HEADER + "Cedar,retail,1,Boston,alice,active,2019-04-01,Tax,extra\n", "more values"),
        ("name\nNUL\x00Bakery\n", "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_the_client_import_explains_malformed_files(client, partner, text, message):
    response = _upload(client, text)
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Client.objects.exists()


def test_the_client_import_refuses_an_empty_file(client, partner):
    response = _upload(client, "")
    assert "empty" in " ".join(response.context["form"].errors["file"])


def test_the_client_import_refuses_files_over_a_megabyte(client, partner):
    response = _upload(client, HEADER + "x,,,,,,,\n" * 120_000)
    assert response.status_code == 200
    assert "larger than 1 MB" in " ".join(response.context["form"].errors["file"])


def test_the_client_import_escapes_script_in_error_rows(client, partner):
    response = _upload(client, HEADER + "<script>x</script>,bogus,,,,,,\n")
    assert "<script>x</script>" not in response.content.decode()


def test_only_partners_import(client, alice, fran, sam):
    for user in (alice, fran, sam):
        client.force_login(user)
        assert client.get(URL).status_code == 404


# --- the import applies the client form's rules ----------------------------------------------

FULL = (
    "name,industry,size_band,annual_fees,office,relationship_partner,account_manager,status,"
    "client_since,lost_on,service_lines\n"
)
GOOD = {
    "name": "Cedar Bakery",
    "industry": "retail",
    "size_band": "small",
    "annual_fees": "12000",
    "office": "Boston",
    "relationship_partner": "pat",
    "account_manager": "alice",
    "status": "active",
    "client_since": "2019-04-01",
    "lost_on": "",
    "service_lines": "Tax",
}
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

# (what changes from GOOD, the field the client form and the import refuse)
BREACHES = [
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"industry": "spaceships"}, "industry"),
    ({"size_band": "huge"}, "size_band"),
    ({"annual_fees": "-5"}, "annual_fees"),
    ({"annual_fees": "lots"}, "annual_fees"),
    ({"annual_fees": "12345678901"}, "annual_fees"),
    ({"office": "Atlantis"}, "office"),
    ({"relationship_partner": "alice"}, "relationship_partner"),  # not a partner
    ({"account_manager": "sam"}, "account_manager"),  # not an account manager
    ({"account_manager": "gone"}, "account_manager"),  # has left
    ({"status": "gone"}, "status"),
    ({"client_since": "2019-13-45"}, "client_since"),
    ({"client_since": TOMORROW}, "client_since"),
    ({"status": "lost", "lost_on": TOMORROW}, "lost_on"),
    ({"status": "lost"}, "lost_on"),  # lost without a date
    ({"status": "lost", "lost_on": "2018-01-31"}, "lost_on"),  # lost before client-since
    ({"service_lines": "Astrology"}, "service_lines"),
]


def _as_csv(row: dict[str, str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([row[column] for column in FULL.strip().split(",")])
    return FULL + out.getvalue()


def _form_data(row: dict[str, str]) -> dict:
    """The same client as the web form posts it: people, office and lines by id."""
    user = User.objects.filter(username=row["relationship_partner"]).first()
    manager = User.objects.filter(username=row["account_manager"]).first()
    office = Office.objects.filter(name=row["office"]).first()
    lines = ServiceLine.objects.filter(name__in=row["service_lines"].split(";"))
    return {
        **row,
        "relationship_partner": user.pk if user else row["relationship_partner"],
        "account_manager": manager.pk if manager else row["account_manager"],
        "office": office.pk if office else row["office"],
        "service_lines": [line.pk for line in lines] or ([-1] if row["service_lines"] else []),
    }


@pytest.fixture
def gone(db):
    return UserFactory(username="gone", is_active=False, roles=[Role.ACCOUNT_MANAGER])


def test_a_good_row_passes_the_form_and_the_import(client, partner):
    assert ClientForm(data=_form_data(GOOD), user=partner).is_valid()
    assert _upload(client, _as_csv(GOOD)).status_code == 302
    assert Client.objects.get().relationship_partner == partner


@pytest.mark.parametrize(("change", "column"), BREACHES)
def test_the_import_refuses_what_the_client_form_refuses(
    client, partner, sam, gone, change, column
):
    row = {**GOOD, **change}
    form = ClientForm(data=_form_data(row), user=partner)
    assert not form.is_valid() and column in form.errors
    response = _upload(client, _as_csv(row))
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert errors and all(line == 2 for line, _ in errors)
    assert [message for _, message in errors if message.startswith(f"{column}: ")], errors
    for message in form.errors[column]:
        if "valid choice" not in message:  # ids in the form, names in the file
            assert f"{column}: {message}" in [m for _, m in errors]
    assert not Client.objects.exists()


def test_the_loss_rules_hold_against_what_the_client_already_has(client, partner):
    ClientFactory(name="Cedar Bakery", client_since=dt.date(2020, 1, 1))
    response = _upload(client, FULL + "Cedar Bakery,,,,,,,lost,,2019-06-30,\n")
    assert "lost_on: The loss date is before the client joined." in _errors(response)
    response = _upload(client, HEADER + "Cedar Bakery,,,,,lost,,\n")
    assert "lost_on: Say when the client was lost." in _errors(response)
    assert Client.objects.get().status == Client.Status.ACTIVE


def test_an_empty_cell_keeps_a_loss_date_the_client_already_has(client, partner):
    cedar = ClientFactory(name="Cedar Bakery", client_since=dt.date(2019, 1, 1))
    cedar.status, cedar.lost_on = Client.Status.LOST, dt.date(2024, 5, 1)
    cedar.save()
    response = _upload(client, HEADER + "Cedar Bakery,,15000,,,,,\n")
    assert response.status_code == 302, _errors(response)
    cedar.refresh_from_db()
    assert (cedar.status, cedar.lost_on, cedar.annual_fees) == ("lost", dt.date(2024, 5, 1), 15000)


def test_the_client_import_marks_a_client_lost_with_its_date(client, partner):
    response = _upload(client, FULL + "Cedar Bakery,,,,,,,lost,2019-04-01,2024-05-01,\n")
    assert response.status_code == 302, _errors(response)
    assert Client.objects.get().lost_on == dt.date(2024, 5, 1)


def test_every_field_of_the_client_form_is_a_column_of_the_import():
    assert set(ClientForm._meta.fields) == set(CSV_COLUMNS)
    assert issubclass(ClientRowForm, ClientForm)


def test_an_updated_client_keeps_the_case_of_its_name(client, partner):
    ClientFactory(name="Cedar Bakery")
    _upload(client, HEADER + "CEDAR BAKERY,,9000,,,,,\n")
    assert Client.objects.get().name == "Cedar Bakery"


def test_each_problem_is_shown_next_to_its_line_and_column(client, partner):
    response = _upload(client, HEADER + "Cedar Bakery,,,,,lost,,\n")
    page = response.content.decode()
    assert "Line 2: lost_on: Say when the client was lost." in page
