import pytest
from django.urls import reverse

from retrospectives import services
from retrospectives.models import Contribution

pytestmark = pytest.mark.django_db


def _check(client, review, text):
    url = reverse("retrospectives:blame_check", args=[review.join_code])
    return client.post(url, {"text": text}).content.decode()


@pytest.mark.parametrize(
    ("text", "spotted"),
    [
        ("Bob should have called them back", "should have"),
        ("That was careless work", "careless"),
        ("It was the partner's fault", "fault"),
        ("Bob Chen never answered", "Bob Chen"),
    ],
)
def test_the_author_sees_a_hint_while_typing(client, alice, bob, live_review, text, spotted):
    client.force_login(alice)
    page = _check(client, live_review, text)
    assert "what made it make sense at the time" in page
    assert spotted in page


def test_neutral_text_gets_no_hint(client, alice, live_review):
    client.force_login(alice)
    assert _check(client, live_review, "The notice arrived during busy season").strip() == ""


def test_posting_is_never_blocked_and_the_hint_stays(client, alice, live_review):
    client.force_login(alice)
    url = reverse("retrospectives:note_add", args=[live_review.join_code])
    response = client.post(url, {"text": "Someone failed to escalate", "phase": live_review.phase})
    note = Contribution.objects.get()
    assert note.blame_flags == [{"kind": "counterfactual", "text": "failed to"}]
    page = response.content.decode()
    assert "Posted" in page
    assert "what made it make sense at the time" in page


def test_the_facilitator_sees_a_flag(client, fran, alice, live_review):
    services.add_note(review=live_review, author=alice, text="Lazy follow-up", anonymous=True)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_notes", args=[live_review.pk]))
    assert "“Lazy” (judges a person)" in page.content.decode()


def test_editing_rechecks_the_note(alice, live_review):
    note = services.add_note(
        review=live_review, author=alice, text="Stupid mistake", anonymous=True
    )
    services.edit_note(note=note, by=alice, text="The form had two similar fields", anonymous=True)
    note.refresh_from_db()
    assert note.blame_flags == []
