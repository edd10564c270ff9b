"""`manage.py export_client` hands over everything held about a client; `manage.py erase_client`
leaves no trace of its name, contact details or words anywhere: not in any table or JSON field,
however it is written there (other case, \\u escapes, compressed session data), nor in a cache;
but it keeps the numbers the dashboard counts. Every test runs for a plain ASCII name and for
one that needs Unicode case folding."""

import contextlib
import datetime as dt
import html
import io
import json
import pickle
import unicodedata
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import audit, caching
from accounts.models import AuditEvent
from actions import services as action_services
from actions.models import Action
from dashboard.models import Goal, Snapshot
from feedback import services as feedback_services
from feedback.models import Client, ExitInterview, FeedbackResponse
from feedback.services import (
    create_action_from_feedback,
    email_feedback_link,
    feedback_link_message,
)
from privacy import services as privacy_services
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    LessonFactory,
    ReviewFactory,
    loss_reason,
)

pytestmark = pytest.mark.django_db

EMAIL = "zq.owner@quillfeather.example"
# The client's contact, whom the feedback link was e-mailed to.
CONTACT = ("Ottoline Vexbridge-Harcourt", "o.vexbridge@quillfeather.example")
LOST_ON = dt.date(2026, 6, 30)
# What the client asked for, word for word; an action born from the response copies it.
ASKED = "Please answer our calls within two working days."
NAMES = {
    "ascii": ("Zephyrine Quillfeather Holdings", "Marguerite Oyelaran-Voss"),
    "unicode": ("Zoë Åberg-Müller & Co", "Søren Ærøskøbing-Straße"),
    "cyrillic": ("Ромашка Трейдинг ООО", "Анна Петрова-Сидорова"),
}


@pytest.fixture(params=list(NAMES))
def names(request):
    return NAMES[request.param]


@pytest.fixture
def name(names):
    return names[0]


@pytest.fixture
def interviewee(names):
    return names[1]


@pytest.fixture
def seeded(alice, fran, pat, name, interviewee, client, django_capture_on_commit_callbacks):
    client_obj = ClientFactory(
        name=name,
        account_manager=alice,
        relationship_partner=pat,
        status=Client.Status.LOST,
        lost_on=LOST_ON,
        annual_fees=48000,
        contact_name=CONTACT[0],
        contact_email=CONTACT[1],
    )
    reason = loss_reason("not reachable")
    interview = ExitInterviewFactory(
        client=client_obj,
        interviewee_name=interviewee,
        client_words=f"At {name} we waited two weeks for a call back. Write to {EMAIL}.",
        team_hypothesis=f"{name} were price shopping, said {interviewee}.",
        did_well="The payroll team was quick.",
        do_better="Call us back.",
        client_primary_reason=reason,
        fees_lost=Decimal("48000.00"),
        restricted=True,
    )
    response = FeedbackResponseFactory(
        request__client=client_obj,
        contact_name=interviewee,
        contact_email=EMAIL,
        contact_consent=True,
        doing_right="Quick payroll.",
        do_better=f"Answer {EMAIL} within a day. {ASKED}",
        rating=3,
        reason=reason,
    )
    message = feedback_link_message(client=client_obj, by=alice)
    email_feedback_link(client=client_obj, by=alice, **message)
    from_feedback = create_action_from_feedback(
        response=response,
        by=pat,
        title="Answer client calls sooner",
        owner=alice,
        due_on=LOST_ON,
    )
    review = ReviewFactory(title=f"Why we lost {name}", facilitator=fran, summary=f"{name}.")
    review.clients.add(client_obj)
    review.exit_interviews.add(interview)
    note = ContributionFactory(review=review, text=f"{name.upper()} escalated and nobody answered.")
    quoting_note = ContributionFactory(review=review, text=f"They said: “{ASKED.upper()}”")
    other_note = ContributionFactory(review=review, text="Busy season stretched the team.")
    lesson = LessonFactory(review=review, statement_internal=f"With {name} we learned to call.")
    action = ActionFactory(
        title=f"Call {name} back",
        detail=f"Ask {interviewee} ({EMAIL}) what would bring them back.",
        owner=alice,
        client=client_obj,
        source_interview=interview,
    )
    audit.record(actor=alice, verb="view", obj=interview, detail={"client": name})
    # The account manager's inbox heard of the client's feedback, and a comment names it.
    feedback_services.feedback_received(response=response)
    action_services.comment_on_action(action=action, by=alice, text=f"{name} wants a call @pat")
    LogEntry.objects.create(
        user=pat,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(client_obj.pk),
        object_repr=name,
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"name": name}}]),
    )
    # Derived copies: a dashboard snapshot (JSON, \\u-escaped on SQLite), and a message the
    # partner has not seen yet, kept compressed in the session.
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:check_in", args=[client_obj.pk]))
    Snapshot.objects.create(
        key="erasure-test",
        data={"at_risk": {"rows": [{"label": name, "fees": 48000}]}},
        computed_at=(now := timezone.now()),
    )
    Snapshot.objects.create(key="unrelated", data={"at_risk": {"rows": []}}, computed_at=now)
    return {
        "client": client_obj,
        "interview": interview,
        "response": response,
        "review": review,
        "note": note,
        "other_note": other_note,
        "lesson": lesson,
        "action": action,
        "from_feedback": from_feedback,
        "quoting_note": quoting_note,
        "reason": reason,
    }


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _dump_database() -> str:
    """Every value in the database as a person would read it, folded: dumpdata's JSON parsed,
    JSON kept inside text read too (\\u escapes decoded), and each session's data decoded from
    its signed, compressed form."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    values: list[str] = []

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            values.append(value)
            if value.lstrip()[:1] in ("{", "[", '"'):
                with contextlib.suppress(ValueError):
                    walk(json.loads(value))

    for row in json.loads(out.getvalue()):
        if row["model"] == "sessions.session":
            walk(SessionStore().decode(row["fields"]["session_data"]))
        walk(row["fields"])
    return _folded("\n".join(values))


def _erase(client_id: int, capture) -> None:
    with capture(execute=True):
        call_command("erase_client", str(client_id), "--yes", stdout=io.StringIO())


def _cached_fragments() -> str:
    """Every rendered fragment this process holds, folded."""
    store = caches["fragments"]
    return _folded("\n".join(str(pickle.loads(value)) for value in store._cache.values()))


def _raw_dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _export(client_id: int) -> dict:
    out = io.StringIO()
    call_command("export_client", str(client_id), stdout=out)
    return json.loads(out.getvalue())


def test_the_seeded_database_does_hold_the_name_contact_and_words(seeded, name, interviewee):
    dump = _dump_database()
    for text in (name, EMAIL, interviewee, ASKED, *CONTACT):
        assert _folded(text) in dump
    sessions = [s for s in json.loads(_raw_dump()) if s["model"] == "sessions.session"]
    assert sessions and all(_folded(name) not in _folded(str(s)) for s in sessions)


def test_export_client_hands_over_everything_held_about_the_client(seeded, name, interviewee):
    data = _export(seeded["client"].pk)
    assert data["client"]["fields"]["name"] == name
    assert data["exit_interviews"][0]["fields"]["interviewee_name"] == interviewee
    assert data["feedback_responses"][0]["fields"]["contact_email"] == EMAIL
    assert len(data["feedback_requests"]) == 1
    assert data["client"]["fields"]["contact_email"] == CONTACT[1]
    assert [e["fields"]["to"] for e in data["feedback_link_emails"]] == [CONTACT[1]]
    assert [r["pk"] for r in data["reviews"]] == [seeded["review"].pk]
    assert [n["pk"] for n in data["review_notes_mentioning_client"]] == [seeded["note"].pk]
    assert [n["pk"] for n in data["lessons_mentioning_client"]] == [seeded["lesson"].pk]
    assert {seeded["action"].pk, seeded["from_feedback"].pk} < {a["pk"] for a in data["actions"]}
    assert {e["fields"]["object_type"] for e in data["audit_events"]} == {
        "feedback.exitinterview",
        "feedback.feedbacklinkemail",
    }


def test_export_client_records_the_export_in_the_audit_log(seeded):
    _export(seeded["client"].pk)
    event = AuditEvent.objects.get(verb="export")
    assert (event.object_type, event.object_id) == ("feedback.client", str(seeded["client"].pk))


def test_erase_client_leaves_no_trace_of_name_contact_or_words_anywhere_in_the_database(
    seeded, name, interviewee, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    dump = _dump_database()
    for text in (name, EMAIL, interviewee, "two weeks for a call back", ASKED, *CONTACT):
        assert _folded(text) not in dump, text


def test_erase_client_erases_the_clients_words_from_an_action_born_from_its_feedback(
    seeded, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    seeded["from_feedback"].refresh_from_db()
    seeded["quoting_note"].refresh_from_db()
    assert seeded["from_feedback"].detail == "[the client's words, erased]"
    assert seeded["quoting_note"].text == "They said: “[the client's words, erased]”"
    assert seeded["from_feedback"].title == "Answer client calls sooner"


def test_erase_client_erases_a_short_answer_copied_whole_into_the_clients_action(
    seeded, pat, alice, django_capture_on_commit_callbacks
):
    response = FeedbackResponseFactory(
        request=seeded["response"].request, do_better="Reply faster.", doing_right=""
    )
    action = create_action_from_feedback(
        response=response, by=pat, title="Faster replies", owner=alice, due_on=LOST_ON
    )
    elsewhere = ContributionFactory(review=seeded["review"], text="Reply faster.")
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    action.refresh_from_db()
    elsewhere.refresh_from_db()
    assert action.detail == "[the client's words, erased]"
    # Two common words in someone else's note are not the client's.
    assert elsewhere.text == "Reply faster."


def test_erase_client_drops_the_dashboard_snapshots_that_name_the_client(
    seeded, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    assert list(Snapshot.objects.values_list("key", flat=True)) == ["unrelated"]


def test_erase_client_drops_the_unread_message_that_names_the_client(
    seeded, client, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    page = client.get(reverse("home")).content.decode()
    assert "Check-in action created" not in page
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_erase_client_drops_every_rendered_copy_of_the_name_from_the_cache(
    seeded, name, client, django_capture_on_commit_callbacks
):
    shown = _folded(html.escape(name))
    assert shown in _folded(client.get(reverse("feedback:client_list")).content.decode())
    assert shown in _cached_fragments()
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    assert shown not in _cached_fragments()
    page = client.get(reverse("feedback:client_list")).content.decode()
    assert shown not in _folded(page)


def test_another_process_drops_its_rendered_copies_at_its_next_page(
    seeded, name, client, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    # A web process that rendered the client's row before the erasure and has not seen it yet.
    caching._seen_generation = "before the erasure"
    caches["fragments"].set("row:old", f"<tr><td>{name}</td></tr>")
    client.get(reverse("feedback:client_list"))
    assert _folded(name) not in _cached_fragments()


def test_erase_client_drops_the_kept_goals_and_dashboard_that_name_the_client(
    seeded, name, client, django_capture_on_commit_callbacks
):
    Goal.objects.create(
        title=f"Win {name} back",
        measure=Goal.Measure.CONTROLLABLE_LOSSES,
        starts_on=LOST_ON,
        ends_on=LOST_ON + dt.timedelta(days=365),
        baseline=10,
        target=5,
    )
    shown = _folded(html.escape(name))
    pages = [reverse("home"), reverse("dashboard:index")]
    assert all(shown in _folded(client.get(page).content.decode()) for page in pages)
    assert shown in _cached_fragments()
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    assert shown not in _cached_fragments()
    assert all(shown not in _folded(client.get(page).content.decode()) for page in pages)


def test_erase_client_keeps_what_the_dashboard_counts(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    client = Client.objects.get(pk=seeded["client"].pk)
    assert client.name == f"Erased client #{client.pk}"
    assert (client.status, client.lost_on, client.annual_fees) == ("lost", LOST_ON, 48000)
    assert client.account_manager == seeded["client"].account_manager
    interview = ExitInterview.objects.get(pk=seeded["interview"].pk)
    assert interview.fees_lost == Decimal("48000.00")
    assert interview.client_primary_reason == seeded["reason"]
    assert interview.held_on == seeded["interview"].held_on
    assert (interview.status, interview.restricted) == ("final", True)
    assert interview.client_words == interview.interviewee_name == ""
    response = FeedbackResponse.objects.get(pk=seeded["response"].pk)
    assert (response.rating, response.reason) == (3, seeded["reason"])
    assert (response.contact_email, response.contact_consent) == ("", False)


def test_erase_client_rewrites_mentions_and_keeps_the_rest_of_the_text(
    seeded, django_capture_on_commit_callbacks
):
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    erased = f"Erased client #{seeded['client'].pk}"
    seeded["note"].refresh_from_db()
    seeded["other_note"].refresh_from_db()
    seeded["review"].refresh_from_db()
    seeded["action"].refresh_from_db()
    assert seeded["note"].text == f"{erased} escalated and nobody answered."
    assert seeded["other_note"].text == "Busy season stretched the team."
    assert seeded["review"].title == f"Why we lost {erased}"
    assert seeded["action"].title == f"Call {erased} back"
    assert seeded["action"].detail == f"Ask {erased} ({erased}) what would bring them back."


# Ways a person types the same name: another case, doubled or no-break spaces, an en dash,
# accents as separate combining marks, an invisible zero-width space.
VARIANTS = {
    "upper": str.upper,
    "lower": str.lower,
    "double spaces": lambda t: t.replace(" ", "  "),
    "no-break spaces": lambda t: t.replace(" ", "\u00a0"),
    "en dash": lambda t: t.replace("-", "\u2013"),
    "combining accents": lambda t: unicodedata.normalize("NFD", t),
    "zero-width space": lambda t: t[:2] + "\u200b" + t[2:],
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_erase_client_finds_the_name_however_it_is_written(
    seeded, name, interviewee, variant, django_capture_on_commit_callbacks
):
    write = VARIANTS[variant]
    by_name = ContributionFactory(review=seeded["review"], text=f"{write(name)} called.")
    by_person = ContributionFactory(review=seeded["review"], text=f"{write(interviewee)} called.")
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    erased = f"Erased client #{seeded['client'].pk}"
    by_name.refresh_from_db()
    by_person.refresh_from_db()
    assert (by_name.text, by_person.text) == (f"{erased} called.", f"{erased} called.")


def test_erase_client_finds_the_name_without_its_legal_form(
    seeded, name, django_capture_on_commit_callbacks
):
    short = name.rsplit(" ", 2)[0] if name.endswith("& Co") else name.rsplit(" ", 1)[0]
    note = ContributionFactory(review=seeded["review"], text=f"We lost {short}, sadly.")
    _erase(seeded["client"].pk, django_capture_on_commit_callbacks)
    note.refresh_from_db()
    assert note.text == f"We lost Erased client #{seeded['client'].pk}, sadly."


def test_erase_client_leaves_other_clients_alone(seeded, bob):
    other = ExitInterviewFactory(client__account_manager=bob, client__name="Quillfeatherton LLC")
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    other.refresh_from_db()
    assert other.client.name == "Quillfeatherton LLC"
    assert other.interviewee_name == "Dana Client"
    assert other.client_words.startswith("When our notice came in")


def test_erase_client_revokes_the_clients_feedback_link(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    seeded["response"].request.refresh_from_db()
    assert seeded["response"].request.revoked_at is not None


def test_erase_client_records_the_erasure_in_the_audit_log(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    event = AuditEvent.objects.get(verb="delete")
    assert (event.object_type, event.object_id) == ("feedback.client", str(seeded["client"].pk))
    assert event.detail["exit_interviews"] == 1
    assert event.detail["feedback_responses"] == 1


def test_erase_client_asks_before_erasing(seeded, name):
    with mock.patch("builtins.input", return_value="no"), pytest.raises(CommandError):
        call_command("erase_client", str(seeded["client"].pk), stdout=io.StringIO())
    assert Client.objects.get(pk=seeded["client"].pk).name == name


def test_erase_client_erases_after_the_typed_confirmation(seeded):
    with mock.patch("builtins.input", return_value="erase"):
        call_command("erase_client", str(seeded["client"].pk), stdout=io.StringIO())
    assert Client.objects.get(pk=seeded["client"].pk).name.startswith("Erased client #")


@pytest.mark.parametrize("args", [["export_client", "999"], ["erase_client", "999", "--yes"]])
def test_erase_client_refuses_an_unknown_client(args):
    with pytest.raises(CommandError, match="There is no client #999"):
        call_command(*args)


def test_erase_client_says_to_restart_the_web_processes_when_the_cache_is_not_shared(
    seeded, settings
):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    out = io.StringIO()
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=out)
    assert "restart the web processes" in out.getvalue()


def test_erase_client_asks_for_no_restart_when_the_cache_is_a_server(seeded, settings):
    # Any backend but the per-process one (here a stand-in that needs no server).
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    out = io.StringIO()
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=out)
    assert "restart" not in out.getvalue()


def test_erasure_knows_how_each_record_of_one_client_that_an_action_comes_from_names_it():
    """An action follows its client through the record it came from (Action.SOURCES): a new
    kind of source that belongs to one client says in CLIENT_PATHS how it names the client."""
    for source in Action.SOURCES:
        model = Action._meta.get_field(source.field).related_model
        names_one_client = any(
            field.many_to_one and field.related_model is Client
            for field in model._meta.get_fields()
        )
        assert names_one_client == (model in privacy_services.CLIENT_PATHS), source.key
