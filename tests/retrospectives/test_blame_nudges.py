import pytest
from django.urls import reverse
from django.utils.html import escape

from feedback import blame
from retrospectives import services
from retrospectives.models import Contribution, Lesson
from tests.factories import ClientFactory, ExitInterviewFactory, LessonFactory

pytestmark = pytest.mark.django_db


def _check(client, review, text):
    url = reverse("retrospectives:blame_check", args=[review.join_code])
    return client.post(url, {"text": text}).content.decode()


@pytest.mark.parametrize(
    ("text", "spotted", "hint"),
    [
        ("Bob should have called them back", "should have called", "make sense at the time"),
        ("That was careless work", "careless", "This judges a person"),
        ("It was the partner's fault", "partner's fault", "puts the cause on a person"),
        ("Bob Chen never answered", "Bob Chen never answered", "puts the cause on a person"),
        ("as usual the letter went out late", "as usual", "turns one event into a habit"),
        ("difficult client, nothing to learn", "difficult client", "outside the firm"),
        ("I spoke to Bob Chen on monday", "Bob Chen", "name the role instead"),
    ],
)
def test_the_author_sees_the_words_and_the_hint_for_their_kind_while_typing(
    client, alice, bob, live_review, text, spotted, hint
):
    client.force_login(alice)
    page = _check(client, live_review, text)
    assert f">{escape(spotted)}</mark>" in page
    assert hint in page
    assert "data-blame-flags" in page  # positions for the highlighting in the text box


def test_neutral_text_gets_no_hint(client, alice, live_review):
    client.force_login(alice)
    assert _check(client, live_review, "The notice arrived during busy season").strip() == ""


def test_posting_is_never_blocked_and_the_hint_stays(client, alice, live_review):
    client.force_login(alice)
    url = reverse("retrospectives:note_add", args=[live_review.join_code])
    response = client.post(url, {"text": "Someone failed to escalate", "phase": live_review.phase})
    note = Contribution.objects.get()
    assert note.blame_flags == [{"kind": "cause", "text": "Someone failed", "start": 0, "end": 14}]
    page = response.content.decode()
    assert "Posted" in page
    assert "puts the cause on a person" in page


def test_the_facilitator_sees_a_flag_and_the_words_marked(client, fran, alice, live_review):
    services.add_note(review=live_review, author=alice, text="Lazy follow-up", anonymous=True)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_notes", args=[live_review.pk]))
    assert "“Lazy” (judges a person)" in page.content.decode()
    assert '<mark class="blame-mark" data-kind="character">Lazy</mark> follow-up' in (
        page.content.decode()
    )


def test_editing_a_note_shows_its_hint_and_checks_as_it_is_typed(client, alice, live_review):
    note = services.add_note(
        review=live_review, author=alice, text="as usual nobody called", anonymous=True
    )
    client.force_login(alice)
    page = client.get(
        reverse("retrospectives:note_edit", args=[live_review.join_code, note.pk])
    ).content.decode()
    assert 'data-blame-hint-for="id_text"' in page
    assert "turns one event into a habit" in page
    assert reverse("retrospectives:blame_check", args=[live_review.join_code]) in page


def test_notes_flagged_before_the_new_kinds_still_read_well(client, fran, alice, live_review):
    note = services.add_note(review=live_review, author=alice, text="x", anonymous=True)
    Contribution.objects.filter(pk=note.pk).update(
        blame_flags=[{"kind": "counterfactual", "text": "should have"}]
    )
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_notes", args=[live_review.pk]))
    assert "“should have” (hindsight)" in page.content.decode()


def test_editing_rechecks_the_note(alice, live_review):
    note = services.add_note(
        review=live_review, author=alice, text="Stupid mistake", anonymous=True
    )
    services.edit_note(note=note, by=alice, text="The form had two similar fields", anonymous=True)
    note.refresh_from_db()
    assert note.blame_flags == []


def test_notes_interviews_and_lessons_share_one_name_matching(alice, pat):
    """The nudges and the publishing check fold text the same way and read names alike."""
    text = "Pat\u00a0 Lindqvist knew; a pat on the back to Moreno"
    nudged = [flag.text for flag in blame.detect(text) if flag.kind == "name"]
    assert nudged == ["Pat\u00a0 Lindqvist", "Moreno"]
    assert services.names_in_public_text(text) == ["Pat Lindqvist", "Moreno"]


def _publish(client, lesson, public):
    url = reverse("retrospectives:lesson_edit", args=[lesson.pk])
    return client.post(
        url,
        {
            "statement_internal": lesson.statement_internal,
            "statement_public": public,
            "publish": "on",
        },
    )


@pytest.mark.parametrize(
    ("public", "named"),
    [
        ("Harbor  Freight needed a named backup partner.", "Harbor Freight"),
        ("Harbor\u00a0Freight needed a named backup partner.", "Harbor Freight"),
        ("Moreno missed the notices in busy season.", "Moreno"),
        ("Dana Whitfield asked for monthly calls.", "Dana Whitfield"),
        ("Kessler wanted a fixed fee.", "Kessler"),
    ],
)
def test_a_lesson_naming_a_client_a_contact_or_a_colleague_is_not_published(
    client, fran, alice, review, public, named
):
    ClientFactory(name="Harbor Freight LLC")
    ExitInterviewFactory(
        client=ClientFactory(name="Kessler Mfg Inc"), interviewee_name="Dana Whitfield"
    )
    lesson = LessonFactory(review=review, created_by=fran, statement_public="")
    client.force_login(fran)
    page = _publish(client, lesson, public).content.decode()
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.DRAFT
    assert f"“{named}”" in page


def test_an_everyday_word_that_is_also_a_name_does_not_stop_publishing(client, fran, pat, review):
    lesson = LessonFactory(review=review, created_by=fran, statement_public="")
    client.force_login(fran)
    _publish(client, lesson, "A pat on the back for the team; we will mark fee letters early.")
    lesson.refresh_from_db()
    assert lesson.status == Lesson.Status.PUBLISHED
