import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from feedback.models import Client
from tests.factories import ClientFactory, OfficeFactory, ServiceLineFactory

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


def test_it_imports_every_row(client, partner, alice):
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


def test_it_imports_nothing_when_one_row_is_bad(client, partner):
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


def test_it_reports_a_missing_name_and_duplicates(client, partner):
    response = _upload(client, HEADER + ",retail,,,,,,\nSame,,,,,,,\nSAME,,,,,,,\n")
    errors = _errors(response)
    assert "2: name: This field is required." in errors
    assert "4: name: the same client is on line 3." in errors


def test_it_rejects_latin_1(client, partner):
    response = _upload(client, (HEADER + "Café Crème,,,,,,,\n").encode("latin-1"))
    assert "not UTF-8" in _errors(response)
    assert not Client.objects.exists()


def test_it_accepts_a_byte_order_mark_and_emoji(client, partner):
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
def test_it_explains_malformed_files(client, partner, text, message):
    response = _upload(client, text)
    assert response.status_code == 200
    assert message in _errors(response)
    assert not Client.objects.exists()


def test_it_refuses_an_empty_file(client, partner):
    response = _upload(client, "")
    assert "empty" in " ".join(response.context["form"].errors["file"])


def test_it_refuses_files_over_a_megabyte(client, partner):
    response = _upload(client, HEADER + "x,,,,,,,\n" * 120_000)
    assert response.status_code == 200
    assert "larger than 1 MB" in " ".join(response.context["form"].errors["file"])


def test_it_escapes_script_in_error_rows(client, partner):
    response = _upload(client, HEADER + "<script>x</script>,bogus,,,,,,\n")
    assert "<script>x</script>" not in response.content.decode()


def test_only_partners_import(client, alice, fran, sam):
    for user in (alice, fran, sam):
        client.force_login(user)
        assert client.get(URL).status_code == 404
