"""Evidence files: attached by who may change the object, downloaded only through a view that
checks who may see it (never a public URL), limited in size and kind with clear errors, and
gone with an erased client."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts import attachments
from accounts.models import Attachment, AuditEvent
from privacy import services as privacy
from retrospectives.report import build_report
from tests.factories import ActionFactory, ClientFactory, ExitInterviewFactory, ReviewFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% the new engagement letter\n"


def _upload(client, obj, name="letter.pdf", content=PDF, **headers):
    url = reverse("accounts:attachment_new", args=[obj.ATTACHMENT_KIND, obj.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, **headers)


@pytest.fixture
def action(alice):
    return ActionFactory(owner=alice, title="Revise the engagement letter")


def test_the_owner_attaches_evidence_and_it_is_listed_on_the_action(client, alice, action):
    client.force_login(alice)
    response = _upload(client, action, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "letter.pdf attached." in response.content.decode()
    attachment = Attachment.objects.get()
    assert (attachment.owner, attachment.name, attachment.size) == (action, "letter.pdf", len(PDF))
    assert "letter" not in attachment.file.name  # stored under a random name
    page = client.get(action.get_absolute_url()).content.decode()
    assert reverse("accounts:attachment", args=[attachment.pk]) in page


def test_a_download_is_the_file_for_who_may_see_the_action_and_is_audited(
    client, alice, fran, action
):
    client.force_login(alice)
    _upload(client, action)
    attachment = Attachment.objects.get()
    client.force_login(fran)  # facilitators see every action
    response = client.get(reverse("accounts:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'attachment; filename="letter.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(verb="view", object_type="accounts.attachment").exists()


@pytest.mark.parametrize("persona", ["bob", "sam"])
def test_anyone_else_gets_404_and_the_file_has_no_public_url(
    client, request, alice, action, persona
):
    client.force_login(alice)
    _upload(client, action)
    attachment = Attachment.objects.get()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:attachment", args=[attachment.pk])).status_code == 404
    # Nothing serves the storage: the only way to the file is the view above.
    assert client.get("/" + attachment.file.name).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "fran", "sam"])
def test_only_who_may_change_the_action_attaches(client, request, action, persona):
    client.force_login(request.getfixturevalue(persona))
    assert _upload(client, action).status_code == 404
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("tool.exe", b"MZ\x90\x00", "Attach a file of one of these kinds"),
        ("letter.pdf", b"MZ\x90\x00 not a pdf", "does not look like a .pdf file"),
        ("notes.txt", b"\xff\xfe\x00n\x00o", "does not look like a .txt file"),
        ("notes.txt", b"", "file is empty"),
        ("noextension", b"hello", "Attach a file of one of these kinds"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_next_to_the_field(
    client, alice, action, name, content, error
):
    client.force_login(alice)
    response = _upload(client, action, name=name, content=content, HTTP_HX_REQUEST="true")
    assert error in response.content.decode()
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(client, alice, action, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(alice)
    response = _upload(client, action, content=PDF + b"x" * 2048, follow=True)
    assert "attach files up to 1 KB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_removing_a_file_deletes_it_from_storage(
    client, alice, action, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    _upload(client, action)
    attachment = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists()
    assert not default_storage.exists(attachment.file.name)


def test_a_restricted_interviews_file_opens_only_for_its_interviewer_and_partners(
    client, alice, bob, fran, pat, sam
):
    interview = ExitInterviewFactory(
        client=ClientFactory(account_manager=alice), interviewer=alice, restricted=True
    )
    client.force_login(alice)
    _upload(client, interview, name="minutes.txt", content=b"What the CFO said")
    url = reverse("accounts:attachment", args=[Attachment.objects.get().pk])
    for person, status in [(alice, 200), (pat, 200), (bob, 404), (fran, 404), (sam, 404)]:
        client.force_login(person)
        assert client.get(url).status_code == status, person.username


def test_the_review_report_lists_evidence_files(client, alice, fran):
    review = ReviewFactory(facilitator=fran)
    action = ActionFactory(owner=alice, source_review=review)
    attachments.attach(obj=action, by=alice, upload=SimpleUploadedFile("roster.pdf", PDF))
    [listed] = build_report(review).actions
    assert [file.name for file in listed.files] == ["roster.pdf"]
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_report", args=[review.pk])).content.decode()
    assert "roster.pdf" in page


def test_an_erased_client_takes_its_files_with_it(
    alice, django_capture_on_commit_callbacks, capsys
):
    acme = ClientFactory(name="Acme Holdings", account_manager=alice)
    interview = ExitInterviewFactory(client=acme, interviewer=alice)
    action = ActionFactory(owner=alice, client=acme)
    on_interview = attachments.attach(
        obj=interview, by=alice, upload=SimpleUploadedFile("minutes.txt", b"Acme said...")
    )
    attachments.attach(obj=action, by=alice, upload=SimpleUploadedFile("plan.pdf", PDF))
    exported = privacy.export_client(client=acme)
    assert sorted(f["fields"]["name"] for f in exported["files"]) == ["minutes.txt", "plan.pdf"]
    assert {f["content_base64"] for f in exported["files"]} >= {"QWNtZSBzYWlkLi4u"}
    with django_capture_on_commit_callbacks(execute=True):
        counts = privacy.erase_client(client=acme)
    assert counts["files_deleted"] == 2
    assert not Attachment.objects.exists()
    assert not default_storage.exists(on_interview.file.name)
    call_command("check")
