"""Each kind of review runs its own script: a win asks what went well and why, a near miss what
nearly went wrong and what caught it, a save what saved the client, a process audit where the
process drifts from its design. The blameless ground rules are the same for every kind. One
table (kind × phase → title, prompt) feeds the console, presenter, phones, report, CSV, invite
and e-mails."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from retrospectives import invites, services
from retrospectives.models import SCRIPTS, Phase, Review
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db

KINDS = list(Review.Kind)
LOSS = SCRIPTS[Review.Kind.CLIENT_LOSS]
# The phases whose questions depend on what happened; the first and last never do.
QUESTION_PHASES = [Phase.INTENDED, Phase.ACTUAL, Phase.WHY, Phase.SUSTAIN_IMPROVE]


def test_the_script_gives_every_kind_a_title_and_prompt_for_every_phase():
    assert set(SCRIPTS) == set(Review.Kind)
    for kind, script in SCRIPTS.items():
        assert [phase for phase, _ in script.phases] == list(Phase), kind
        for phase, step in script.phases:
            assert step.title.strip() and step.prompt.strip(), (kind, phase)
        assert script.purpose.strip()


def test_the_script_keeps_the_blameless_ground_rules_identical_for_every_kind():
    for script in SCRIPTS.values():
        assert script.step(Phase.GROUND_RULES) == LOSS.step(Phase.GROUND_RULES)
        assert script.step(Phase.CLOSE) == LOSS.step(Phase.CLOSE)
    assert "system, not the person" in LOSS.prompt(Phase.GROUND_RULES)


def test_the_loss_script_is_the_one_of_the_method():
    assert LOSS.title(Phase.WHY) == "Why the difference"
    assert LOSS.prompt(Phase.WHY).startswith("Why the difference?")


@pytest.mark.parametrize("kind", [k for k in KINDS if k != Review.Kind.CLIENT_LOSS])
def test_the_script_asks_each_kind_its_own_questions(kind):
    script = SCRIPTS[kind]
    for phase in QUESTION_PHASES:
        assert script.prompt(phase) != LOSS.prompt(phase), (kind, phase)
        assert script.title(phase) != LOSS.title(phase), (kind, phase)
    assert "Why the difference" not in " ".join(step.prompt for _, step in script.phases)
    # Still blameless where causes are named.
    assert "not culprits" in script.prompt(Phase.WHY) or "not heroes" in script.prompt(Phase.WHY)


def test_each_kind_asks_what_its_review_is_for():
    assert "went well" in SCRIPTS[Review.Kind.WIN].prompt(Phase.ACTUAL)
    assert "Why did it go well" in SCRIPTS[Review.Kind.WIN].prompt(Phase.WHY)
    assert "nearly went wrong" in SCRIPTS[Review.Kind.NEAR_MISS].prompt(Phase.ACTUAL)
    assert "What caught it" in SCRIPTS[Review.Kind.NEAR_MISS].prompt(Phase.WHY)
    assert "saved the client" in SCRIPTS[Review.Kind.CLIENT_SAVE].prompt(Phase.WHY)
    assert "designed" in SCRIPTS[Review.Kind.PROCESS_AUDIT].prompt(Phase.INTENDED)
    assert "drift" in SCRIPTS[Review.Kind.PROCESS_AUDIT].prompt(Phase.WHY)


def test_the_review_reads_its_kinds_script(review):
    review.kind, review.phase = Review.Kind.NEAR_MISS, Phase.WHY
    assert review.script is SCRIPTS[Review.Kind.NEAR_MISS]
    assert review.phase_title == "What caught it"
    assert review.prompt == SCRIPTS[Review.Kind.NEAR_MISS].prompt(Phase.WHY)


def _live(review, kind, phase):
    review.kind, review.status, review.phase = kind, Review.Status.LIVE, phase
    review.save()
    return review


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("kind", KINDS)
def test_every_screen_shows_the_kinds_title_and_prompt(client, review, fran, alice, kind, phase):
    _live(review, kind, phase)
    step = SCRIPTS[kind].step(phase)
    screens = {
        "console": (fran, reverse("retrospectives:review_console", args=[review.pk])),
        "presenter": (fran, reverse("retrospectives:review_present", args=[review.pk])),
        "presenter board": (fran, reverse("retrospectives:present_board", args=[review.pk])),
        "phone": (alice, reverse("retrospectives:join", args=[review.join_code])),
        "phone board": (alice, reverse("retrospectives:join_board", args=[review.join_code])),
    }
    for name, (who, url) in screens.items():
        client.force_login(who)
        page = client.get(url).content.decode()
        assert escape(step.title) in page, (name, kind, phase)
        assert escape(step.prompt) in page, (name, kind, phase)
        if kind != Review.Kind.CLIENT_LOSS and phase in QUESTION_PHASES:
            assert escape(LOSS.prompt(phase)) not in page, (name, kind, phase)


def test_the_console_lists_the_kinds_phases(client, review, fran):
    _live(review, Review.Kind.WIN, Phase.WORKING)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_console", args=[review.pk])).content.decode()
    for phase, step in SCRIPTS[Review.Kind.WIN].phases:
        assert f"{phase.value}. {escape(step.title)}" in page
    assert "Why the difference" not in page


def test_the_process_map_names_the_kinds_phase(client, review, fran):
    _live(review, Review.Kind.PROCESS_AUDIT, Phase.WHY)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:process_map", args=[review.pk])).content.decode()
    assert "in the live “The process as run” phase" in page
    response = client.post(
        reverse("retrospectives:process_map", args=[review.pk]),
        {"lane": "staff", "text": "Second check", "happened_on": "2026-03-03"},
    )
    assert "“The process as run”" in response.content.decode()


def test_a_console_note_of_an_earlier_phase_is_labelled_with_the_kinds_title(
    client, review, fran, alice
):
    _live(review, Review.Kind.NEAR_MISS, Phase.WHY)
    ContributionFactory(review=review, phase=Phase.ACTUAL, author=alice, text="Wrong ledger")
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_notes", args=[review.pk])).content.decode()
    assert "What nearly went wrong" in page
    assert ">Actual<" not in page


def test_a_note_posted_after_the_phase_moved_on_names_the_kinds_phase(client, review, alice):
    _live(review, Review.Kind.PROCESS_AUDIT, Phase.WHY)
    client.force_login(alice)
    response = client.post(
        reverse("retrospectives:note_add", args=[review.join_code]),
        {"text": "We skip the second review", "phase": Phase.ACTUAL, "anonymous": "on"},
    )
    assert response.status_code == 409
    assert "moved on to “Where it drifts, and why”" in response.content.decode()


@pytest.fixture
def closed_win(review, fran, alice, sam):
    _live(review, Review.Kind.WIN, Phase.ACTUAL)
    ContributionFactory(review=review, phase=Phase.ACTUAL, author=alice, text="Filed early")
    ContributionFactory(review=review, phase=Phase.WHY, author=sam, text="A shared checklist")
    review.phase = Phase.WHY
    review.save()
    return review


def test_the_report_names_the_phases_as_the_kind_does(client, closed_win, fran):
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_report", args=[closed_win.pk]))
    text = page.content.decode()
    assert "4. What went well" in text
    assert "5. Why it went well" in text
    assert "Why the difference" not in text
    assert ">4. Actual<" not in text


def test_the_csv_names_the_phases_as_the_kind_does(client, closed_win, fran):
    client.force_login(fran)
    response = client.get(reverse("retrospectives:review_report_csv", args=[closed_win.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    phases = {row[2]: row[1] for row in rows if row[0] == "note"}
    assert phases == {"Filed early": "What went well", "A shared checklist": "Why it went well"}


def test_the_report_email_says_what_the_review_was_for(
    closed_win, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.close_review(review=closed_win)
    assert mail.outbox
    purpose = SCRIPTS[Review.Kind.WIN].purpose
    for message in mail.outbox:
        assert purpose in message.body
        assert escape(purpose) in message.alternatives[0][0]


def test_the_invite_and_invitation_say_what_the_review_is_for(
    review, fran, django_capture_on_commit_callbacks
):
    review.kind = Review.Kind.NEAR_MISS
    review.save()
    purpose = SCRIPTS[Review.Kind.NEAR_MISS].purpose
    event = Calendar.from_ical(invites.build(review)).walk("VEVENT")[0]
    assert str(event["description"]).startswith(f"Near miss review: {purpose} ")
    services.send_invitations(review=review)
    assert mail.outbox
    assert purpose in mail.outbox[0].body
    assert escape(purpose) in mail.outbox[0].alternatives[0][0]


def test_a_participant_can_read_the_kinds_questions_on_the_review_page(client, review, alice):
    _live(review, Review.Kind.CLIENT_SAVE, Phase.WHY)
    client.force_login(alice)
    page = client.get(review.get_absolute_url()).content.decode()
    assert "now in “What saved the client”" in page
