"""One small firm for the security tests: every kind of object, owned so that each persona's rights
differ. Also the list of every named URL, read from the resolver.

alice manages client A (normal and restricted exit interviews, a feedback link and response, an
action); bob manages client B; fran facilitates a live review of client A in which alice takes
part; pat is a partner and set the firm's goal (measured by hand); sam is plain staff and took
part in nothing."""

import copy
import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as TestClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import attachments, tokens
from accounts.models import ApiToken, Attachment, Role, User
from actions.models import Action, Notification
from dashboard.models import Goal
from feedback.models import (
    Client,
    ExitInterview,
    FeedbackRequest,
    FeedbackResponse,
    SaveAttempt,
    Suggestion,
)
from feedback.services import submit_suggestion
from retrospectives.models import (
    AuditSchedule,
    Contribution,
    Lesson,
    Phase,
    ProcessStep,
    Review,
    WhyProposal,
)
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ContributionFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    LessonFactory,
    ParticipantFactory,
    ReviewFactory,
    ServiceLineFactory,
    UserFactory,
)

PERSONAS = ["anonymous", "deactivated", "alice", "bob", "fran", "pat", "sam"]

# Distinctive text in the world, and who may ever see it on any page.
SECRETS = {
    "client_a": "Harbor Freight Co",
    "client_b": "Blue Ridge Dental",
    "interview": "Nobody called us back for two weeks",
    "restricted": "The partner raised his voice at our controller",
    "interview_b": "Invoices for Blue Ridge arrived three months late",
    "response": "Please warn us before billing extra work",
    "note": "The escalation path was unclear to the new senior",
    "why": "Nobody owned the escalation inbox",
}
MAY_SEE = {
    "client_a": {"alice", "fran", "pat"},
    "client_b": {"bob", "fran", "pat"},
    "interview": {"alice", "fran", "pat"},
    "restricted": {"alice", "pat"},
    "interview_b": {"bob", "pat"},
    "response": {"alice", "pat"},
    "note": {"alice", "fran", "pat"},
    "why": {"alice", "fran", "pat"},
}


@dataclass
class World:
    users: dict[str, User]
    client_a: Client
    client_b: Client
    interview: ExitInterview
    restricted: ExitInterview
    interview_b: ExitInterview
    feedback_request: FeedbackRequest
    response: FeedbackResponse
    review: Review
    note: Contribution
    proposal: WhyProposal
    lesson: Lesson
    action: Action
    schedule: AuditSchedule
    save_attempt: SaveAttempt
    step: ProcessStep
    suggestion: Suggestion
    receipt_token: str
    goal: Goal
    notification: Notification
    attachment: Attachment
    restricted_file: Attachment
    api_token: ApiToken


def _attach(obj, by, name: str, content: bytes) -> Attachment:
    return attachments.attach(obj=obj, by=by, upload=SimpleUploadedFile(name, content))


def build_world() -> World:
    users = {
        "alice": UserFactory(
            username="alice", display_name="Alice Moreno", roles=[Role.ACCOUNT_MANAGER]
        ),
        "bob": UserFactory(username="bob", display_name="Bob Chen", roles=[Role.ACCOUNT_MANAGER]),
        "fran": UserFactory(username="fran", display_name="Fran Okafor", roles=[Role.FACILITATOR]),
        "pat": UserFactory(username="pat", display_name="Pat Lindqvist", roles=[Role.PARTNER]),
        "sam": UserFactory(username="sam", display_name="Sam Rivera"),
        "deactivated": UserFactory(
            username="gone",
            display_name="Former Colleague",
            roles=[Role.ACCOUNT_MANAGER],
            is_active=False,
        ),
    }
    alice = users["alice"]
    client_a = ClientFactory(
        name=SECRETS["client_a"], account_manager=alice, relationship_partner=users["pat"]
    )
    client_b = ClientFactory(name=SECRETS["client_b"], account_manager=users["bob"])
    interview = ExitInterviewFactory(
        client=client_a, interviewer=alice, status="draft", client_words=SECRETS["interview"]
    )
    restricted = ExitInterviewFactory(
        client=client_a,
        interviewer=alice,
        restricted=True,
        status="draft",
        client_words=SECRETS["restricted"],
    )
    interview_b = ExitInterviewFactory(
        client=client_b, interviewer=users["bob"], client_words=SECRETS["interview_b"]
    )
    response = FeedbackResponseFactory(request__client=client_a, do_better=SECRETS["response"])
    review = ReviewFactory(
        title="Harbor Freight loss",
        facilitator=users["fran"],
        status=Review.Status.LIVE,
        phase=Phase.WHY,
        started_at=timezone.now(),
    )
    review.clients.add(client_a)
    review.exit_interviews.add(interview)
    ParticipantFactory(review=review, user=alice)
    note = ContributionFactory(review=review, author=alice, text=SECRETS["note"])
    proposal = WhyProposal.objects.create(
        review=review, cause=note, author=alice, text=SECRETS["why"]
    )
    step = ProcessStep.objects.create(
        review=review, position=1, lane="client", text="Audit letter", happened_on="2026-03-03"
    )
    lesson = LessonFactory(review=review, created_by=users["fran"])
    action = ActionFactory(
        owner=alice, client=client_a, source_review=review, created_by=users["fran"]
    )
    schedule = AuditSchedule.objects.create(
        service_line=ServiceLineFactory(name="Payroll"),
        facilitator=users["fran"],
        starts_on=timezone.localdate(),
        time_of_day="09:00",
        created_by=users["pat"],
    )
    # alice's client A is at risk: an open save attempt she owns, first contact recorded.
    save_attempt = SaveAttempt.objects.create(
        client=client_a,
        owner=alice,
        trigger=SaveAttempt.Trigger.LOW_RATING,
        first_contact_due_on=timezone.localdate(),
        first_contact_on=timezone.localdate(),
        first_contact_note="Called the CFO.",
        client_status_before=Client.Status.ACTIVE,
    )
    suggested = submit_suggestion(
        text="A shared calendar of client deadlines", by=users["sam"], anonymous=True
    )
    return World(
        users=users,
        client_a=client_a,
        client_b=client_b,
        interview=interview,
        restricted=restricted,
        interview_b=interview_b,
        feedback_request=response.request,
        response=response,
        review=review,
        note=note,
        proposal=proposal,
        lesson=lesson,
        action=action,
        schedule=schedule,
        save_attempt=save_attempt,
        step=step,
        suggestion=suggested.suggestion,
        receipt_token=suggested.receipt_token,
        goal=Goal.objects.create(
            title="Every key client has a named backup partner",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=120),
            measure=Goal.Measure.MANUAL,
            manual_label="key clients with a backup partner",
            baseline=4,
            target=24,
            set_by=users["pat"],
        ),
        attachment=_attach(action, users["alice"], "roster.pdf", b"%PDF-1.4 roster"),
        restricted_file=_attach(restricted, users["alice"], "notes.txt", b"Private notes"),
        api_token=tokens.create_token(user=alice, name="Nightly export")[0],
        notification=Notification.objects.create(
            recipient=users["alice"],
            event=Notification.Event.ASSIGNED,
            text=f"Pat gave you the action “{action.title}”.",
            url=action.get_absolute_url(),
        ),
    )


def named_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


ALL_NAMES = sorted({name for name, _ in named_patterns()})
# The API answers for itself (401, never a login page): tests/api/test_persona_walk.py walks it.
APP_NAMES = [name for name in ALL_NAMES if not name.startswith(("admin:", "api:"))]
ADMIN_NAMES = [name for name in ALL_NAMES if name.startswith("admin:")]


def object_kwargs(w: World) -> dict[str, dict]:
    """URL kwargs per URL name, pointing at the world's objects: every app URL needs one entry
    (an empty dict for URLs without arguments)."""
    client, interview, review = w.client_a, w.interview, w.review
    code = {"code": review.join_code}
    note = {"note_id": w.note.pk}
    return {
        "feedback:client_detail": {"pk": client.pk},
        "feedback:client_edit": {"pk": client.pk},
        "feedback:client_link": {"pk": client.pk},
        "feedback:client_link_email": {"pk": client.pk},
        "feedback:interview_new": {"pk": client.pk},
        "feedback:interview_detail": {"pk": interview.pk},
        "feedback:interview_edit": {"pk": interview.pk},
        "feedback:interview_finalise": {"pk": interview.pk},
        "feedback:interview_audit": {"pk": interview.pk},
        "feedback:feedback_detail": {"pk": w.response.pk},
        "feedback:feedback_triage_update": {"pk": w.response.pk},
        "feedback:feedback_action_new": {"pk": w.response.pk},
        "feedback:feedback_reply": {"pk": w.response.pk},
        "feedback:public_form": {"token": w.feedback_request.token},
        "feedback:feedback_mark_urgent": {"pk": w.response.pk},
        "feedback:save_detail": {"pk": w.save_attempt.pk},
        "feedback:save_contact": {"pk": w.save_attempt.pk},
        "feedback:save_close": {"pk": w.save_attempt.pk},
        "feedback:suggestion_receipt": {"token": w.receipt_token},
        "feedback:suggestion_detail": {"pk": w.suggestion.pk},
        "feedback:suggestion_accept": {"pk": w.suggestion.pk},
        "feedback:suggestion_decline": {"pk": w.suggestion.pk},
        "feedback:suggestion_merge": {"pk": w.suggestion.pk},
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "actions:action_detail": {"pk": w.action.pk},
        "actions:notification_open": {"pk": w.notification.pk},
        "accounts:attachment": {"pk": w.attachment.pk},
        "accounts:attachment_delete": {"pk": w.attachment.pk},
        "accounts:attachment_new": {"kind": "action", "object_id": w.action.pk},
        "accounts:api_token_revoke": {"pk": w.api_token.pk},
        "actions:action_edit": {"pk": w.action.pk},
        "actions:action_start": {"pk": w.action.pk},
        "actions:action_complete": {"pk": w.action.pk},
        "actions:action_verify": {"pk": w.action.pk},
        "actions:action_wont_do": {"pk": w.action.pk},
        "actions:action_reopen": {"pk": w.action.pk},
        "actions:action_snooze": {"pk": w.action.pk},
        "actions:action_comment": {"pk": w.action.pk},
        "actions:action_pilot": {"pk": w.action.pk},
        "actions:action_pilot_result": {"pk": w.action.pk},
        "actions:action_rollout": {"pk": w.action.pk},
        "dashboard:export": {"panel": "pareto"},
        "dashboard:check_in": {"client_id": client.pk},
        "dashboard:goal_progress": {"pk": w.goal.pk},
        "dashboard:goal_end": {"pk": w.goal.pk},
        "retrospectives:review_detail": {"pk": review.pk},
        "retrospectives:review_edit": {"pk": review.pk},
        "retrospectives:review_console": {"pk": review.pk},
        "retrospectives:console_notes": {"pk": review.pk},
        "retrospectives:console_participants": {"pk": review.pk},
        "retrospectives:review_start": {"pk": review.pk},
        "retrospectives:review_phase": {"pk": review.pk},
        "retrospectives:review_timer": {"pk": review.pk},
        "retrospectives:review_close": {"pk": review.pk},
        "retrospectives:review_whys": {"pk": review.pk},
        "retrospectives:note_hide": {"pk": review.pk, **note},
        "retrospectives:note_cause": {"pk": review.pk, **note},
        "retrospectives:note_merge": {"pk": review.pk, **note},
        "retrospectives:note_unmerge": {"pk": review.pk, **note},
        "retrospectives:review_why_cause": {"pk": review.pk},
        "retrospectives:why_approve": {"pk": review.pk, "proposal_id": w.proposal.pk},
        "retrospectives:why_reject": {"pk": review.pk, "proposal_id": w.proposal.pk},
        "retrospectives:why_propose": code,
        "retrospectives:note_action": {"pk": review.pk, **note},
        "retrospectives:note_lesson": {"pk": review.pk, **note},
        "retrospectives:lesson_new": {"pk": review.pk},
        "retrospectives:breakout_split": {"pk": review.pk},
        "retrospectives:breakout_groups": {"pk": review.pk},
        "retrospectives:breakout_merge": {"pk": review.pk},
        "retrospectives:process_map": {"pk": review.pk},
        "retrospectives:process_step_edit": {"pk": review.pk, "step_id": w.step.pk},
        "retrospectives:process_step_move": {"pk": review.pk, "step_id": w.step.pk},
        "retrospectives:process_step_delete": {"pk": review.pk, "step_id": w.step.pk},
        "retrospectives:review_present": {"pk": review.pk},
        "retrospectives:present_board": {"pk": review.pk},
        "retrospectives:review_stream": {"pk": review.pk},
        "retrospectives:review_invite": {"pk": review.pk},
        "retrospectives:review_reschedule": {"pk": review.pk},
        "retrospectives:review_cancel": {"pk": review.pk},
        "retrospectives:audit_detail": {"pk": w.schedule.pk},
        "retrospectives:audit_status": {"pk": w.schedule.pk},
        "retrospectives:review_report": {"pk": review.pk},
        "retrospectives:review_report_csv": {"pk": review.pk},
        "retrospectives:join": code,
        "retrospectives:join_board": code,
        "retrospectives:join_stream": code,
        "retrospectives:note_add": code,
        "retrospectives:note_edit": {**code, **note},
        "retrospectives:note_delete": {**code, **note},
        "retrospectives:note_vote": {**code, **note},
        "retrospectives:blame_check": code,
        "retrospectives:speak_freely": code,
        "retrospectives:lesson_detail": {"pk": w.lesson.pk},
        "retrospectives:lesson_edit": {"pk": w.lesson.pk},
    }


def url_for(name: str, w: World) -> str:
    return reverse(name, kwargs=object_kwargs(w).get(name, {}))


def log_in(client, persona: str, w: World) -> None:
    if persona != "anonymous":
        client.force_login(w.users[persona])


class SignedIn:
    """A test client per persona, logged in once. The tests roll back every request they make,
    so the session stays as it was at login; its cookies are put back before each request, so a
    response that logged out or renewed the session changes nothing for the next one."""

    def __init__(self, w: World):
        self.world = w
        self._clients: dict[str, tuple[TestClient, object]] = {}

    def __call__(self, persona: str) -> TestClient:
        if persona not in self._clients:
            client = TestClient(raise_request_exception=False)
            log_in(client, persona, self.world)
            self._clients[persona] = (client, copy.deepcopy(client.cookies))
        client, cookies = self._clients[persona]
        client.cookies = copy.deepcopy(cookies)
        return client
