"""An anonymous note never shows its author, anywhere: pages, polls, the report, the CSV, e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from retrospectives import services
from retrospectives.models import Contribution, Phase

pytestmark = pytest.mark.django_db

SECRET = "The escalation went to a shared inbox nobody read"


@pytest.fixture
def notes(live_review, alice, sam):
    live_review.phase = Phase.WHY
    live_review.save()
    services.add_note(review=live_review, author=alice, text=SECRET, anonymous=True)
    services.add_note(review=live_review, author=sam, text="Sam's named note", anonymous=False)
    live_review.refresh_from_db()
    return live_review


def _everything(client, review, users):
    pages = []
    for user in users:
        client.force_login(user)
        for name in ["review_detail", "review_report", "review_report_csv"]:
            pages.append(client.get(reverse(f"retrospectives:{name}", args=[review.pk])))
        if user == review.facilitator or user.is_partner:
            for name in ["review_console", "console_notes", "review_present", "present_board"]:
                pages.append(client.get(reverse(f"retrospectives:{name}", args=[review.pk])))
        if review.participants.filter(user=user).exists():
            for name in ["join", "join_board"]:
                pages.append(client.get(reverse(f"retrospectives:{name}", args=[review.join_code])))
    return [page.content.decode() for page in pages if page.status_code == 200]


def test_no_page_or_export_names_the_author(client, notes, fran, pat, sam):
    pages = _everything(client, notes, [fran, pat, sam])
    assert any(SECRET in page for page in pages)
    for page in pages:
        # Participant lists may name alice; nothing around the note itself may.
        start = 0
        while (at := page.find(SECRET, start)) != -1:
            around = page[max(0, at - 300) : at + len(SECRET) + 600]
            assert "Alice" not in around
            assert "alice" not in around
            start = at + 1


def test_named_notes_do_show_their_author(client, notes, fran):
    client.force_login(fran)
    present = client.get(reverse("retrospectives:present_board", args=[notes.pk]))
    assert "Sam Rivera" in present.content.decode()
    csv = client.get(reverse("retrospectives:review_report_csv", args=[notes.pk]))
    assert "Sam Rivera" in csv.content.decode()


def test_the_report_e_mail_names_no_anonymous_author(
    notes, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.close_review(review=notes)
    assert mail.outbox
    for message in mail.outbox:
        assert "Alice Moreno" not in message.body
        assert "Alice Moreno" not in message.alternatives[0][0]


def test_the_author_is_still_kept_for_abuse_handling(notes, alice):
    assert Contribution.objects.get(text=SECRET).author == alice


def test_the_author_sees_their_own_note_marked_as_theirs(client, notes, alice):
    client.force_login(alice)
    page = client.get(reverse("retrospectives:join", args=[notes.join_code])).content.decode()
    assert "You · anonymous" in page
