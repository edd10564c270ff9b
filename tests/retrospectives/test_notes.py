import pytest
from django.urls import reverse

from retrospectives.models import Contribution, Phase

pytestmark = pytest.mark.django_db


def _add(client, review, text, headers=None, **extra):
    data = {"text": text, "phase": review.phase, **extra}
    url = reverse("retrospectives:note_add", args=[review.join_code])
    return client.post(url, data, headers=headers)


def test_the_note_form_adds_a_note_to_the_current_phase(client, alice, live_review):
    client.force_login(alice)
    live_review.refresh_from_db()
    before = live_review.version
    response = _add(
        client, live_review, "The notice sat in a shared inbox for 9 days.", anonymous="on"
    )
    note = Contribution.objects.get()
    assert response.status_code == 200
    assert note.phase == Phase.ACTUAL
    assert note.author == alice
    assert note.anonymous
    live_review.refresh_from_db()
    assert live_review.version == before + 1


def test_the_anonymous_toggle_defaults_to_the_review_setting(client, alice, live_review):
    client.force_login(alice)
    url = reverse("retrospectives:join", args=[live_review.join_code])
    assert (
        'id="note-anonymous" name="anonymous" value="on" checked'
        in client.get(url).content.decode()
    )
    live_review.anonymous_by_default = False
    live_review.save()
    assert 'name="anonymous" value="on">' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something"),
        ("   ", "Write something"),
        ("\x00\x00", "Write something"),
        ("x" * 5001, "at most 2000 characters"),
    ],
)
def test_the_note_form_refuses_bad_notes_clearly_and_keeps_the_text(
    client, alice, live_review, text, message
):
    client.force_login(alice)
    response = _add(client, live_review, text)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert not Contribution.objects.exists()
    if len(text) > 100:
        assert text in page


def test_the_note_form_strips_nul_bytes_and_escapes_script_tags(client, alice, live_review):
    client.force_login(alice)
    _add(client, live_review, "<script>alert(1)</script>\x00 plain words")
    note = Contribution.objects.get()
    assert "\x00" not in note.text
    page = client.get(reverse("retrospectives:join", args=[live_review.join_code])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_note_for_a_phase_that_has_ended_is_refused_and_kept(client, alice, live_review):
    client.force_login(alice)
    response = _add(client, live_review, "Written during intended", phase=Phase.INTENDED)
    page = response.content.decode()
    assert response.status_code == 409
    assert "moved on" in page
    assert "Written during intended" in page
    assert not Contribution.objects.exists()


def test_the_htmx_answer_is_swappable_and_says_what_went_wrong(client, alice, live_review):
    client.force_login(alice)
    response = _add(
        client, live_review, "Too late", phase=Phase.INTENDED, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "moved on" in response.content.decode()


@pytest.mark.parametrize("phase", [Phase.GROUND_RULES, Phase.CLOSE])
def test_phases_without_notes_refuse_them(client, alice, live_review, phase):
    live_review.phase = phase
    live_review.save()
    client.force_login(alice)
    response = _add(client, live_review, "A note")
    assert response.status_code == 409
    assert "takes no notes" in response.content.decode()
    assert "A note" in response.content.decode()


def test_a_closed_review_refuses_notes(client, alice, live_review):
    live_review.status = "closed"
    live_review.save()
    client.force_login(alice)
    response = _add(client, live_review, "After the end")
    assert response.status_code == 409
    assert "has ended" in response.content.decode()


class TestOwnNotes:
    @pytest.fixture
    def note(self, alice, live_review):
        return Contribution.objects.create(
            review=live_review, phase=live_review.phase, text="First draft", author=alice
        )

    def test_the_author_edits_it_during_the_phase(self, client, alice, note, live_review):
        client.force_login(alice)
        url = reverse("retrospectives:note_edit", args=[live_review.join_code, note.pk])
        response = client.post(url, {"text": "Second draft", "anonymous": ""})
        note.refresh_from_db()
        assert response.status_code == 302
        assert note.text == "Second draft"
        assert not note.anonymous

    def test_the_author_deletes_it(self, client, alice, note, live_review):
        client.force_login(alice)
        client.post(reverse("retrospectives:note_delete", args=[live_review.join_code, note.pk]))
        assert not Contribution.objects.exists()

    def test_nobody_else_can_touch_it(self, client, sam, note, live_review):
        client.force_login(sam)
        edit = reverse("retrospectives:note_edit", args=[live_review.join_code, note.pk])
        delete = reverse("retrospectives:note_delete", args=[live_review.join_code, note.pk])
        assert client.post(edit, {"text": "Hijacked"}).status_code == 404
        assert client.post(delete).status_code == 404
        note.refresh_from_db()
        assert note.text == "First draft"

    def test_a_note_is_frozen_once_the_phase_moves_on(self, client, alice, note, live_review):
        live_review.phase = Phase.WHY
        live_review.save()
        client.force_login(alice)
        url = reverse("retrospectives:note_edit", args=[live_review.join_code, note.pk])
        response = client.post(url, {"text": "Too late"})
        note.refresh_from_db()
        assert response.status_code == 400
        assert "only during the phase" in response.content.decode()
        assert note.text == "First draft"
        delete = reverse("retrospectives:note_delete", args=[live_review.join_code, note.pk])
        assert "only during the phase" in client.post(delete).content.decode()
        assert Contribution.objects.exists()
