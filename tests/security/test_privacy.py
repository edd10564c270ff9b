"""`manage.py export_client` hands over everything held about a client; `manage.py erase_client`
leaves no trace of its name or contact details anywhere in the database, but keeps the numbers
the dashboard counts."""

import datetime as dt
import io
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from accounts import audit
from accounts.models import AuditEvent
from feedback.models import Client, ExitInterview, FeedbackResponse
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

NAME = "Zephyrine Quillfeather Holdings"
EMAIL = "zq.owner@quillfeather.example"
INTERVIEWEE = "Marguerite Oyelaran-Voss"
LOST_ON = dt.date(2026, 6, 30)


@pytest.fixture
def seeded(alice, fran, pat):
    client = ClientFactory(
        name=NAME,
        account_manager=alice,
        relationship_partner=pat,
        status=Client.Status.LOST,
        lost_on=LOST_ON,
        annual_fees=48000,
    )
    reason = loss_reason("not reachable")
    interview = ExitInterviewFactory(
        client=client,
        interviewee_name=INTERVIEWEE,
        client_words=f"At {NAME} we waited two weeks for a call back. Write to {EMAIL}.",
        team_hypothesis=f"{NAME} were price shopping, said {INTERVIEWEE}.",
        did_well="The payroll team was quick.",
        do_better="Call us back.",
        client_primary_reason=reason,
        fees_lost=Decimal("48000.00"),
        restricted=True,
    )
    response = FeedbackResponseFactory(
        request__client=client,
        contact_name=INTERVIEWEE,
        contact_email=EMAIL,
        contact_consent=True,
        doing_right="Quick payroll.",
        do_better=f"Answer {EMAIL} within a day.",
        rating=3,
        reason=reason,
    )
    review = ReviewFactory(title=f"Why we lost {NAME}", facilitator=fran, summary=f"{NAME}.")
    review.clients.add(client)
    review.exit_interviews.add(interview)
    note = ContributionFactory(review=review, text=f"{NAME.upper()} escalated and nobody answered.")
    other_note = ContributionFactory(review=review, text="Busy season stretched the team.")
    lesson = LessonFactory(review=review, statement_internal=f"With {NAME} we learned to call.")
    action = ActionFactory(
        title=f"Call {NAME} back",
        detail=f"Ask {INTERVIEWEE} ({EMAIL}) what would bring them back.",
        owner=alice,
        client=client,
        source_interview=interview,
    )
    audit.record(actor=alice, verb="view", obj=interview, detail={"client": NAME})
    LogEntry.objects.create(
        user=pat,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(client.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"name": "{NAME}"}}}}]',
    )
    return {
        "client": client,
        "interview": interview,
        "response": response,
        "review": review,
        "note": note,
        "other_note": other_note,
        "lesson": lesson,
        "action": action,
        "reason": reason,
    }


def _dump_database() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def _export(client_id: int) -> dict:
    out = io.StringIO()
    call_command("export_client", str(client_id), stdout=out)
    return json.loads(out.getvalue())


def test_the_seeded_database_does_hold_the_name_and_contact(seeded):
    dump = _dump_database()
    assert NAME in dump
    assert EMAIL in dump
    assert INTERVIEWEE in dump


def test_it_exports_everything_held_about_the_client(seeded):
    data = _export(seeded["client"].pk)
    assert data["client"]["fields"]["name"] == NAME
    assert data["exit_interviews"][0]["fields"]["interviewee_name"] == INTERVIEWEE
    assert data["feedback_responses"][0]["fields"]["contact_email"] == EMAIL
    assert len(data["feedback_requests"]) == 1
    assert [r["pk"] for r in data["reviews"]] == [seeded["review"].pk]
    assert [n["pk"] for n in data["review_notes_mentioning_client"]] == [seeded["note"].pk]
    assert [n["pk"] for n in data["lessons_mentioning_client"]] == [seeded["lesson"].pk]
    assert [a["pk"] for a in data["actions"]] == [seeded["action"].pk]
    assert {e["fields"]["object_type"] for e in data["audit_events"]} == {"feedback.exitinterview"}


def test_it_records_the_export_in_the_audit_log(seeded):
    _export(seeded["client"].pk)
    event = AuditEvent.objects.get(verb="export")
    assert (event.object_type, event.object_id) == ("feedback.client", str(seeded["client"].pk))


def test_it_leaves_no_trace_of_name_or_contact_anywhere_in_the_database(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    dump = _dump_database().lower()
    assert NAME.lower() not in dump
    assert EMAIL.lower() not in dump
    assert INTERVIEWEE.lower() not in dump
    assert "two weeks for a call back" not in dump


def test_it_keeps_what_the_dashboard_counts(seeded):
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


def test_it_rewrites_mentions_and_keeps_the_rest_of_the_text(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
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


def test_it_leaves_other_clients_alone(seeded, bob):
    other = ExitInterviewFactory(client__account_manager=bob, client__name="Quillfeatherton LLC")
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    other.refresh_from_db()
    assert other.client.name == "Quillfeatherton LLC"
    assert other.interviewee_name == "Dana Client"
    assert other.client_words.startswith("When our notice came in")


def test_it_revokes_the_clients_feedback_link(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    seeded["response"].request.refresh_from_db()
    assert seeded["response"].request.revoked_at is not None


def test_it_records_the_erasure_in_the_audit_log(seeded):
    call_command("erase_client", str(seeded["client"].pk), "--yes", stdout=io.StringIO())
    event = AuditEvent.objects.get(verb="delete")
    assert (event.object_type, event.object_id) == ("feedback.client", str(seeded["client"].pk))
    assert event.detail["exit_interviews"] == 1
    assert event.detail["feedback_responses"] == 1


def test_it_asks_before_erasing(seeded):
    with mock.patch("builtins.input", return_value="no"), pytest.raises(CommandError):
        call_command("erase_client", str(seeded["client"].pk), stdout=io.StringIO())
    assert Client.objects.get(pk=seeded["client"].pk).name == NAME


def test_it_erases_after_the_typed_confirmation(seeded):
    with mock.patch("builtins.input", return_value="erase"):
        call_command("erase_client", str(seeded["client"].pk), stdout=io.StringIO())
    assert Client.objects.get(pk=seeded["client"].pk).name.startswith("Erased client #")


@pytest.mark.parametrize("args", [["export_client", "999"], ["erase_client", "999", "--yes"]])
def test_it_refuses_an_unknown_client(args):
    with pytest.raises(CommandError, match="There is no client #999"):
        call_command(*args)
