"""Evidence files in the browser: Alice attaches the revised letter to her action without a
reload, a wrong kind of file is refused next to the field, and the file downloads."""

import pytest
from playwright.sync_api import expect

from accounts.models import Attachment
from tests.e2e.conftest import screenshot
from tests.factories import ActionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_alice_attaches_and_downloads_evidence(page, live_server, log_in, alice, tmp_path):
    action = ActionFactory(owner=alice, title="Revise the engagement letter")
    bad = tmp_path / "macro.exe"
    bad.write_bytes(b"MZ\x90\x00")
    good = tmp_path / "engagement-letter.pdf"
    good.write_bytes(b"%PDF-1.4\n% revised letter\n")
    log_in(page, alice)
    page.goto(f"{live_server.url}{action.get_absolute_url()}")

    page.get_by_label("Attach a file").set_input_files(str(bad))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text("Attach a file of one of these kinds")).to_be_visible()

    page.get_by_label("Attach a file").set_input_files(str(good))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text("engagement-letter.pdf attached.")).to_be_visible()
    screenshot(page, "action-evidence-file", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="engagement-letter.pdf").click()
    assert download.value.path().read_bytes() == good.read_bytes()
    assert Attachment.objects.get().owner == action
