"""Workflows of the feedback app: importing clients, finalising interviews, the public feedback
links, triage, the "you said, we did" reply, save alerts and the staff suggestion box."""

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import audit, events
from accounts.csv_export import SafeWriter
from accounts.mail import Email, render_subject
from accounts.models import User
from actions import notifications
from actions.models import Action, Notification
from actions.services import create_action

from . import tasks
from .forms import CSV_MAX_ROWS, LINK_PLACEHOLDER, ClientRowForm
from .models import (
    Client,
    ExitInterview,
    FeedbackComment,
    FeedbackLinkEmail,
    FeedbackRequest,
    FeedbackResponse,
    SaveAlertSettings,
    SaveAttempt,
    Suggestion,
    receipt_digest,
)

CSV_COLUMNS = [
    "name",
    "industry",
    "size_band",
    "annual_fees",
    "office",
    "relationship_partner",
    "account_manager",
    "status",
    "client_since",
    "lost_on",
    "service_lines",
    "contact_name",
    "contact_email",
]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


# Clients ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "The file is not UTF-8 text. In your spreadsheet choose “Save as… CSV UTF-8” "
            "and upload it again."
        ) from exc
    if "\x00" in text:
        raise ValidationError("The file contains NUL bytes; it does not look like a CSV file.")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        if "name" not in header:
            raise ValidationError("The first row must be a header that includes a “name” column.")
        unknown = [name for name in header if name and name not in CSV_COLUMNS]
        if unknown:
            raise ValidationError(f"Unknown column(s): {', '.join(unknown)}.")
        reader.fieldnames = header
        rows = []
        for row in reader:
            if len(rows) >= CSV_MAX_ROWS:
                raise ValidationError(f"The file has more than {CSV_MAX_ROWS} rows; split it.")
            if None in row:
                raise ValidationError(
                    f"Line {reader.line_num} has more values than the header has columns."
                )
            rows.append({k: (v or "").strip() for k, v in row.items()})
    except csv.Error as exc:
        raise ValidationError(
            f"The file is not valid CSV (line {reader.line_num}): {exc}."
        ) from exc
    if not rows:
        raise ValidationError("The file has a header but no clients.")
    return rows


def import_clients(*, data: bytes, by: User, request=None) -> ImportResult:
    """Validate every row of a client CSV; import all of them or, on any error, none.
    A row whose name matches an existing client (case-insensitive) updates that client."""
    if not by.has_any_role(*Client.IMPORTED_BY):
        raise ValidationError("Only a partner can import clients.")
    result = ImportResult()
    try:
        rows = _read_csv(data)
    except ValidationError as exc:
        result.errors.append((0, exc.messages[0]))
        return result
    # Names match case-insensitively, which SQLite and PostgreSQL index differently; a firm's
    # client list is small enough to match in Python.
    keys = {row.get("name", "").strip().lower() for row in rows}
    matches = [pk for pk, name in Client.objects.values_list("pk", "name") if name.lower() in keys]
    existing = {
        c.name.lower(): c
        for c in Client.objects.filter(pk__in=matches)
        .select_related("office", "relationship_partner", "account_manager")
        .prefetch_related("service_lines")
    }
    valid = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        key = row.get("name", "").strip().lower()
        if key in seen:
            result.errors.append((line, f"name: the same client is on line {seen[key]}."))
            continue
        if key:
            seen[key] = line
        # The client form's own rules, on the client as this row would leave it.
        form = ClientRowForm.for_row(row, client=existing.get(key), user=by)
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = "row" if name == "__all__" else name
                result.errors += [(line, f"{label}: {m}") for m in messages]
            continue
        valid.append(form)
    if result.errors:
        return result
    with transaction.atomic():
        for form in valid:
            is_new = form.instance.pk is None
            form.save()
            if is_new:
                result.created += 1
            else:
                result.updated += 1
        audit.record(
            actor=by,
            verb="create",
            object_type="feedback.client",
            object_id="import",
            request=request,
            detail={"created": result.created, "updated": result.updated},
        )
    return result


def export_clients(*, clients, writer: SafeWriter, by: User, request=None) -> None:
    """The clients as CSV rows (the import's format), and an audit row saying who took them."""
    writer.writerow(CSV_COLUMNS)
    count = 0
    for client in clients:
        count += 1
        writer.writerow(
            [
                client.name,
                client.industry,
                client.size_band,
                client.annual_fees,
                client.office.name if client.office else "",
                client.relationship_partner.username if client.relationship_partner else "",
                client.account_manager.username if client.account_manager else "",
                client.status,
                client.client_since or "",
                client.lost_on or "",
                ";".join(line.name for line in client.service_lines.all()),
                client.contact_name,
                client.contact_email,
            ]
        )
    audit.record(
        actor=by,
        verb="export",
        object_type="feedback.client",
        object_id="csv",
        request=request,
        detail={"rows": count},
    )


# Exit interviews --------------------------------------------------------------------------------

INTERVIEW_CSV_COLUMNS = [
    "held_on",
    "client",
    "office",
    "account_manager",
    "interviewer",
    "status",
    "restricted",
    "client_primary_reason",
    "controllable",
    "team_reason",
    "would_return",
    "recommend_score",
    "fees_lost",
    "lost_on",
]
# Rows of the interview export written to the audit log per INSERT.
AUDIT_BATCH = 1_000


def export_interviews(*, interviews, writer: SafeWriter, by: User, request=None) -> None:
    """The interviews' facts as CSV rows (dates, people, reasons, statuses; not what was said:
    words are read on their pages, one by one). An audit row says who took how many, and each
    restricted interview exported gets its own row."""
    writer.writerow(INTERVIEW_CSV_COLUMNS)
    count, restricted = 0, []
    for interview in interviews.iterator(chunk_size=AUDIT_BATCH):
        count += 1
        client, reason = interview.client, interview.client_primary_reason
        writer.writerow(
            [
                interview.held_on,
                client.name,
                client.office.name if client.office_id else "",
                client.account_manager.name if client.account_manager_id else "",
                interview.interviewer.name if interview.interviewer_id else "",
                interview.status,
                interview.restricted,
                reason.name if reason else "",
                reason.controllable if reason else "",
                interview.team_reason.name if interview.team_reason_id else "",
                interview.would_return,
                interview.recommend_score,
                interview.fees_lost,
                interview.lost_on or "",
            ]
        )
        if interview.restricted:
            restricted.append(interview)
        if len(restricted) == AUDIT_BATCH:
            audit.record_each(actor=by, verb="export", objects=restricted, request=request)
            restricted = []
    audit.record_each(actor=by, verb="export", objects=restricted, request=request)
    audit.record(
        actor=by,
        verb="export",
        object_type="feedback.exitinterview",
        object_id="csv",
        request=request,
        detail={"rows": count},
    )


@transaction.atomic
def finalise_interview(
    *,
    interview: ExitInterview,
    by: User,
    mark_client_lost: bool = True,
    lost_on: dt.date | None = None,
    request=None,
) -> ExitInterview:
    """Make an interview final; unless told otherwise the client is marked lost on `lost_on`.

    One loss counts once: the interview describes the client's loss of that date, and being
    the latest finalised it now counts for that loss (an earlier interview of it is superseded,
    and a new date for a client who is still lost corrects the date of the same loss). A client
    who stays (not marked lost, and not lost before) has no loss: the interview counts nowhere.
    """
    if not interview.client_words.strip() or interview.client_primary_reason_id is None:
        raise ValidationError("Write down the client's words and their main reason first.")
    # Finalising the same client's interviews one at a time keeps one interview per loss.
    client = Client.objects.select_for_update().get(pk=interview.client_id)
    interview.client = client
    already_lost = client.status == Client.Status.LOST
    detail = {"status": "final"}
    if mark_client_lost:
        client.status = Client.Status.LOST
        client.lost_on = (
            lost_on or (client.lost_on if already_lost else None) or timezone.localdate()
        )
        client.save(update_fields=["status", "lost_on", "updated_at"])
        detail["client_lost_on"] = client.lost_on.isoformat()
        # A save attempt still open when the client goes is over: it was lost.
        for attempt in client.save_attempts.open():
            _close(attempt=attempt, by=by, outcome=SaveAttempt.Status.LOST, note=LOST_BY_INTERVIEW)
        loss_date = client.lost_on
    else:
        loss_date = (client.lost_on or interview.held_on) if already_lost else None
    left = interview.lost_on if interview.status == ExitInterview.Status.FINAL else None
    now = timezone.now()
    interview.status, interview.finalised_at = ExitInterview.Status.FINAL, now
    # Saved as superseded, then made the one that counts once the others stood aside.
    interview.lost_on, interview.superseded_at = loss_date, now if loss_date else None
    interview.save(
        update_fields=["status", "finalised_at", "lost_on", "superseded_at", "updated_at"]
    )
    if loss_date:
        ExitInterview.objects.settle_loss(
            client_id=client.pk, lost_on=loss_date, keep_pk=interview.pk
        )
        interview.superseded_at = None
        detail["loss"] = loss_date.isoformat()
    if left and left != loss_date:
        # The loss this interview described before keeps its latest other interview.
        ExitInterview.objects.settle_loss(client_id=client.pk, lost_on=left)
    audit.record(actor=by, verb="update", obj=interview, request=request, detail=detail)
    events.emit("interview.finalised", lambda: {"interview": interview.as_event()})
    return interview


# Feedback links ---------------------------------------------------------------------------------


def active_link(client: Client | None) -> FeedbackRequest | None:
    return FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).first()


def _require_link_keeper(*, client: Client | None, by: User) -> None:
    if client is None:
        allowed = by.has_any_role(*FeedbackRequest.FIRM_WIDE_BY)
    else:
        allowed = Client.objects.editable_by(by).filter(pk=client.pk).exists()
    if not allowed:
        raise ValidationError("Only a partner or the client's account manager manages its link.")


@transaction.atomic
def revoke_feedback_link(*, client: Client | None, by: User) -> int:
    """Revoke the active link(s) of a client (or the firm-wide link when client is None)."""
    _require_link_keeper(client=client, by=by)
    return FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def issue_feedback_link(*, client: Client | None, by: User) -> FeedbackRequest:
    """A fresh unguessable link; any older link of the same client stops working."""
    revoke_feedback_link(client=client, by=by)
    return FeedbackRequest.objects.create(client=client, created_by=by)


def feedback_link_message(*, client: Client, by: User) -> dict[str, str]:
    """The message an account manager starts from when e-mailing the feedback link: addressed to
    the client's contact, signed by the sender, with LINK_PLACEHOLDER where the link goes."""
    context = {"client": client, "sender": by, "link": LINK_PLACEHOLDER}
    return {
        "to": client.contact_email,
        "subject": render_subject("emails/feedback_link_subject.txt", context),
        # As plain text: render_to_string marks its result safe, and the form shows this in a
        # page, where a client or person named with markup must come out escaped.
        "body": str.__add__("", render_to_string("emails/feedback_link.txt", context)),
    }


@transaction.atomic
def email_feedback_link(
    *,
    client: Client,
    by: User,
    to: str,
    subject: str,
    body: str,
    remember_contact: bool = False,
    request=None,
) -> FeedbackLinkEmail:
    """E-mail the client's feedback link (issued now if the client has none) to `to`, in the
    words the sender edited; the send is recorded on the client and goes out once the
    transaction commits."""
    _require_link_keeper(client=client, by=by)
    if LINK_PLACEHOLDER not in body:
        raise ValidationError(
            {"body": f"Keep {LINK_PLACEHOLDER} in the message: it becomes the link."}
        )
    link = active_link(client) or issue_feedback_link(client=client, by=by)
    sent = FeedbackLinkEmail.objects.create(
        client=client,
        request=link,
        to=to,
        subject=subject,
        body=body.replace(LINK_PLACEHOLDER, link.public_url),
        sent_by=by,
    )
    if remember_contact and client.contact_email != to:
        client.contact_email = to
        client.changed_by = by
        client.save(update_fields=["contact_email", "updated_at"])
    audit.record(actor=by, verb="create", obj=sent, request=request, detail={"client": client.pk})
    tasks.send_feedback_link_email.delay_on_commit(sent.pk)
    return sent


def send_feedback_link_email(*, sent: FeedbackLinkEmail) -> bool:
    """Send a recorded feedback-link e-mail, once: the UPDATE claims it, so a retried task sends
    nothing; a failed send is released for the retry."""
    claimed = FeedbackLinkEmail.objects.filter(pk=sent.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    message = Email(
        subject=sent.subject,
        body=sent.body,
        to=[sent.to],
        reply_to=[sent.sent_by.email] if sent.sent_by and sent.sent_by.email else None,
        headers={"Message-ID": f"<feedback-link-{sent.pk}@learnorg>"},
    )
    try:
        message.send()
    except OSError:
        FeedbackLinkEmail.objects.filter(pk=sent.pk).update(sent_at=None)
        raise
    return True


# Triage -----------------------------------------------------------------------------------------


def _require_triager(*, response: FeedbackResponse, by: User) -> None:
    """FeedbackResponse.visible_to is who handles a response; the views fetch through it."""
    if not FeedbackResponse.objects.visible_to(by).filter(pk=response.pk).exists():
        raise ValidationError("Only a partner or the client's account manager handles this.")


@transaction.atomic
def triage_response(
    *,
    response: FeedbackResponse,
    by: User,
    reason=None,
    linked_action: Action | None = None,
    handled: bool = False,
) -> FeedbackResponse:
    _require_triager(response=response, by=by)
    response.reason = reason
    response.linked_action = linked_action
    if handled and response.triage != FeedbackResponse.Triage.HANDLED:
        response.triage = FeedbackResponse.Triage.HANDLED
        response.handled_by, response.handled_at = by, timezone.now()
    elif not handled:
        response.triage = FeedbackResponse.Triage.NEW
        response.handled_by, response.handled_at = None, None
    response.save()
    return response


@transaction.atomic
def create_action_from_feedback(
    *, response: FeedbackResponse, by: User, title: str, owner: User, due_on: dt.date
) -> Action:
    """An improvement action born from a client's feedback, linked back to it."""
    _require_triager(response=response, by=by)
    action = create_action(
        title=title,
        owner=owner,
        due_on=due_on,
        created_by=by,
        detail=response.do_better or response.doing_right,
        cause=response.reason,
        client=response.client,
        source_feedback=response,
    )
    response.linked_action = action
    response.save(update_fields=["linked_action"])
    return action


def can_reply(response: FeedbackResponse) -> bool:
    return (
        response.linked_action is not None
        and response.linked_action.status == Action.Status.VERIFIED
        and response.contact_consent
        and bool(response.contact_email)
        and response.reply_sent_at is None
    )


def reply_draft(response: FeedbackResponse) -> str:
    greeting = f"Dear {response.contact_name}," if response.contact_name else "Hello,"
    action = response.linked_action
    return (
        f"{greeting}\n\nThank you for telling us what we should do better. You said:\n\n"
        f"“{response.do_better or response.doing_right}”\n\n"
        f"Here is what we changed:\n\n{action.evidence if action else ''}\n\n"
        "Thank you for helping us improve."
    )


@transaction.atomic
def reply_to_feedback(*, response: FeedbackResponse, by: User, text: str) -> FeedbackResponse:
    """Record the reply and send it by e-mail once the transaction has committed."""
    _require_triager(response=response, by=by)
    if not can_reply(response):
        raise ValidationError(
            "A reply needs a verified action, a contact e-mail and the client's consent."
        )
    response.reply_text = text
    fields = ["reply_text"]
    if response.triage == FeedbackResponse.Triage.NEW:
        # Answering the client closes the loop: the response is handled.
        response.triage = FeedbackResponse.Triage.HANDLED
        response.handled_by, response.handled_at = by, timezone.now()
        fields += ["triage", "handled_by", "handled_at"]
    response.save(update_fields=fields)
    tasks.send_feedback_reply.delay_on_commit(response.pk)
    return response


def send_feedback_reply(*, response: FeedbackResponse) -> bool:
    """Send the recorded reply once: the UPDATE claims it, so a retried task sends nothing."""
    claimed = FeedbackResponse.objects.filter(pk=response.pk, reply_sent_at__isnull=True).update(
        reply_sent_at=timezone.now()
    )
    if not claimed:
        return False
    context = {"response": response, "client": response.client}
    message = Email(
        subject=render_subject("emails/feedback_reply_subject.txt", context),
        body=render_to_string("emails/feedback_reply.txt", context),
        to=[response.contact_email],
        headers={"Message-ID": f"<feedback-reply-{response.pk}@learnorg>"},
    )
    message.attach_alternative(render_to_string("emails/feedback_reply.html", context), "text/html")
    try:
        message.send()
    except OSError:
        FeedbackResponse.objects.filter(pk=response.pk).update(reply_sent_at=None)
        raise
    return True


# Save alerts -------------------------------------------------------------------------------------

LOST_BY_INTERVIEW = "Closed when the client's exit interview was finalised."


def add_business_days(day: dt.date, days: int) -> dt.date:
    """The day `days` working days (Monday to Friday) after `day`."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def is_alarming(response: FeedbackResponse, alert_settings: SaveAlertSettings) -> bool:
    """Feedback from a current client that is rated at or below the threshold, or that the
    account manager marked urgent. Lost clients and firm-wide feedback never alarm."""
    client = response.client
    if client is None or client.status == Client.Status.LOST:
        return False
    if response.marked_urgent_at is not None:
        return True
    return response.rating is not None and response.rating <= alert_settings.low_rating_threshold


@transaction.atomic
def comment_on_feedback(
    *, response: FeedbackResponse, by: User, text: str
) -> tuple[FeedbackComment, notifications.Mentions]:
    """Add to the discussion of a response; colleagues @mentioned hear of it if they may see the
    response. The notification names the client, never the person who wrote the feedback."""
    _require_triager(response=response, by=by)
    text = notifications.comment_text(text)
    comment = FeedbackComment.objects.create(response=response, author=by, text=text)
    about = response.client.name if response.client else "firm-wide feedback"
    mentions = notifications.tell_mentioned(
        text=text,
        by=by,
        on=f"feedback about {about}",
        url=response.get_absolute_url(),
        may_see=lambda person: (
            FeedbackResponse.objects.visible_to(person).filter(pk=response.pk).exists()
        ),
    )
    return comment, mentions


def feedback_received(*, response: FeedbackResponse) -> None:
    """A client's new response (already saved): its account manager hears of it, and once it is
    committed a worker decides whether it opens a save attempt. The notification says which
    client and the rating, never who wrote it."""
    client = response.client
    if client is not None:
        rating = f" (rated {response.rating}/10)" if response.rating is not None else ""
        notifications.notify(
            recipient=client.account_manager,
            event=Notification.Event.FEEDBACK,
            text=f"New feedback about {client.name}{rating}.",
            url=response.get_absolute_url(),
        )
    queue_save_alert(response=response)


def queue_save_alert(*, response: FeedbackResponse) -> None:
    """Once the response is committed, a worker decides whether it opens a save attempt."""
    if response.client_id is None:
        return
    tasks.raise_save_alert.delay_on_commit(response.pk)


@transaction.atomic
def mark_urgent(*, response: FeedbackResponse, by: User, request=None) -> FeedbackResponse:
    """The account manager judges this criticism urgent: it opens (or joins) a save attempt."""
    _require_triager(response=response, by=by)
    if response.client is None:
        raise ValidationError("Firm-wide feedback has no client, so there is nobody to save.")
    if response.client.status == Client.Status.LOST:
        raise ValidationError(f"{response.client} is already lost; log the exit interview.")
    if response.marked_urgent_at is None:
        response.marked_urgent_at, response.marked_urgent_by = timezone.now(), by
        response.save(update_fields=["marked_urgent_at", "marked_urgent_by"])
        audit.record(actor=by, verb="update", obj=response, request=request, detail={"urgent": 1})
    queue_save_alert(response=response)
    return response


def _open_attempt(*, response: FeedbackResponse, alert_settings: SaveAlertSettings) -> SaveAttempt:
    """The client's open save attempt, opened now if there is none. The database allows one
    open attempt per client, so a worker that loses the race joins the winner's."""
    client = response.client
    attempt = client.save_attempts.open().first()
    if attempt is not None:
        return attempt
    today = timezone.localdate()
    trigger = (
        SaveAttempt.Trigger.URGENT
        if response.marked_urgent_at is not None
        else SaveAttempt.Trigger.LOW_RATING
    )
    try:
        with transaction.atomic():
            attempt = SaveAttempt.objects.create(
                client=client,
                owner=client.account_manager or client.relationship_partner,
                trigger=trigger,
                first_contact_due_on=add_business_days(
                    today, alert_settings.first_contact_business_days
                ),
                client_status_before=client.status,
            )
    except IntegrityError:
        return client.save_attempts.open().get()
    Client.objects.filter(pk=client.pk).update(
        status=Client.Status.AT_RISK, updated_at=timezone.now()
    )
    audit.record(
        actor=None, verb="create", obj=attempt, detail={"response": response.pk, "trigger": trigger}
    )
    events.emit("save_attempt.opened", lambda: {"save_attempt": attempt.as_event()})
    return attempt


def raise_save_alert(*, response_id: int) -> SaveAttempt | None:
    """Open a save attempt for the response's client, or add the response to the attempt
    already open, then e-mail the account manager and the relationship partner once.
    Safe to run twice for the same response."""
    with transaction.atomic():
        response = FeedbackResponse.objects.select_for_update().get(pk=response_id)
        if response.save_attempt_id is None:
            alert_settings = SaveAlertSettings.current()
            if not is_alarming(response, alert_settings):
                return None
            response.save_attempt = _open_attempt(response=response, alert_settings=alert_settings)
            response.save(update_fields=["save_attempt"])
        attempt = response.save_attempt
    if attempt.status == SaveAttempt.Status.OPEN:
        send_save_alert(response=response, attempt=attempt)
    return attempt


def save_alert_recipients(client: Client) -> list[User]:
    """The client's account manager and relationship partner, if they can receive mail."""
    people = [client.account_manager, client.relationship_partner]
    unique = {p.pk: p for p in people if p is not None and p.is_active and p.email}
    return list(unique.values())


def send_save_alert(*, response: FeedbackResponse, attempt: SaveAttempt) -> bool:
    """One e-mail per alarming response: the UPDATE claims it, so a retried task sends nothing."""
    claimed = FeedbackResponse.objects.filter(
        pk=response.pk, save_alert_sent_at__isnull=True
    ).update(save_alert_sent_at=timezone.now())
    if not claimed:
        return False
    client = attempt.client
    recipients = save_alert_recipients(client)
    if not recipients:
        return False
    context = {
        "response": response,
        "attempt": attempt,
        "client": client,
        "joined": attempt.responses.exclude(pk=response.pk).exists(),
        "url": settings.SITE_URL + attempt.get_absolute_url(),
    }
    message = Email(
        subject=render_subject("emails/save_alert_subject.txt", context),
        body=render_to_string("emails/save_alert.txt", context),
        to=[person.email for person in recipients],
        headers={"Message-ID": f"<save-alert-{response.pk}@learnorg>"},
    )
    message.attach_alternative(render_to_string("emails/save_alert.html", context), "text/html")
    try:
        message.send()
    except OSError:
        FeedbackResponse.objects.filter(pk=response.pk).update(save_alert_sent_at=None)
        raise
    return True


def _require_open(attempt: SaveAttempt, by: User) -> None:
    if not SaveAttempt.objects.visible_to(by).filter(pk=attempt.pk).exists():
        raise ValidationError("Only the attempt's owner, the account manager or a partner can.")
    if attempt.status != SaveAttempt.Status.OPEN:
        raise ValidationError("This save attempt is already closed.")


@transaction.atomic
def record_first_contact(
    *, attempt: SaveAttempt, by: User, contacted_on: dt.date, note: str, request=None
) -> SaveAttempt:
    """Write down when and how the owner first spoke to the client."""
    _require_open(attempt, by)
    attempt.first_contact_on, attempt.first_contact_note = contacted_on, note
    attempt.save(update_fields=["first_contact_on", "first_contact_note"])
    audit.record(
        actor=by,
        verb="update",
        obj=attempt,
        request=request,
        detail={"first_contact_on": contacted_on.isoformat()},
    )
    return attempt


def _close(*, attempt: SaveAttempt, by: User, outcome: str, note: str) -> None:
    attempt.status, attempt.outcome_note = outcome, note
    attempt.closed_at, attempt.closed_by = timezone.now(), by
    attempt.save(update_fields=["status", "outcome_note", "closed_at", "closed_by"])
    events.emit("save_attempt.closed", lambda: {"save_attempt": attempt.as_event()})


@transaction.atomic
def close_save_attempt(
    *, attempt: SaveAttempt, by: User, outcome: str, note: str, request=None
) -> SaveAttempt:
    """Close an attempt as saved or lost, after the first contact. Saved gives the client its
    status back; lost leaves marking the client lost to the exit interview's finalise."""
    _require_open(attempt, by)
    if outcome not in (SaveAttempt.Status.SAVED, SaveAttempt.Status.LOST):
        raise ValidationError("Choose saved or lost.")
    if attempt.first_contact_on is None:
        raise ValidationError("Record the first contact with the client before closing.")
    _close(attempt=attempt, by=by, outcome=outcome, note=note)
    client = attempt.client
    if outcome == SaveAttempt.Status.SAVED and client.status == Client.Status.AT_RISK:
        won_back = attempt.client_status_before == Client.Status.WON_BACK
        client.status = Client.Status.WON_BACK if won_back else Client.Status.ACTIVE
        client.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, verb="update", obj=attempt, request=request, detail={"status": outcome})
    return attempt


def client_heard_back(feedback_request: FeedbackRequest) -> bool:
    """Whether the client of a feedback link has had a "you said, we did" reply: only they are
    asked whether they feel we acted on what they told us. The firm-wide link knows nobody."""
    if feedback_request.client_id is None:
        return False
    return FeedbackResponse.objects.filter(
        client_id=feedback_request.client_id, reply_sent_at__isnull=False
    ).exists()


# Staff suggestions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedSuggestion:
    suggestion: Suggestion
    # Shown once to an anonymous suggester and stored nowhere (the row keeps only its digest).
    receipt_token: str | None


def submit_suggestion(*, text: str, by: User, anonymous: bool) -> SubmittedSuggestion:
    """Record a suggestion. An anonymous one keeps no author and writes no audit row: nothing
    stored leads back to `by`; its suggester follows it through the returned receipt token."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write your suggestion first."})
    token = secrets.token_urlsafe(32) if anonymous else None
    suggestion = Suggestion.objects.create(
        text=text,
        author=None if anonymous else by,
        submitted_on=timezone.localdate(),
        receipt_digest=receipt_digest(token) if token else None,
    )
    return SubmittedSuggestion(suggestion=suggestion, receipt_token=token)


def suggestion_for_receipt(token: str) -> Suggestion | None:
    return (
        Suggestion.objects.select_related("merged_into")
        .prefetch_related("actions", "merged_into__actions")
        .filter(receipt_digest=receipt_digest(token))
        .first()
    )


def _decide(*, suggestion: Suggestion, by: User, status: str, answer: str, **fields) -> None:
    """Claim the decision with one conditional UPDATE, so two people answering the same
    suggestion at once cannot both succeed."""
    if not Suggestion.objects.triageable_by(by).filter(pk=suggestion.pk).exists():
        raise ValidationError("Only partners and facilitators answer suggestions.")
    now = timezone.now()
    claimed = Suggestion.objects.filter(pk=suggestion.pk, status=Suggestion.Status.NEW).update(
        status=status, answer=answer, decided_by=by, decided_at=now, **fields
    )
    if not claimed:
        raise ValidationError("This suggestion has already been answered.")
    suggestion.status, suggestion.answer = status, answer
    suggestion.decided_by, suggestion.decided_at = by, now
    for name, value in fields.items():
        setattr(suggestion, name, value)


@transaction.atomic
def accept_suggestion(
    *,
    suggestion: Suggestion,
    by: User,
    title: str,
    owner: User,
    due_on: dt.date,
    answer: str = "",
    request=None,
) -> Action:
    """Accept a suggestion: it becomes an improvement action that points back at it."""
    _decide(suggestion=suggestion, by=by, status=Suggestion.Status.ACCEPTED, answer=answer.strip())
    action = create_action(
        title=title,
        owner=owner,
        due_on=due_on,
        created_by=by,
        detail=suggestion.text,
        source_suggestion=suggestion,
    )
    audit.record(
        actor=by,
        verb="update",
        obj=suggestion,
        request=request,
        detail={"status": "accepted", "action": action.pk},
    )
    return action


@transaction.atomic
def decline_suggestion(
    *, suggestion: Suggestion, by: User, reason: str, request=None
) -> Suggestion:
    """Decline a suggestion; the reason is required, because the suggester reads it."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so the person who suggested it hears back."})
    _decide(suggestion=suggestion, by=by, status=Suggestion.Status.DECLINED, answer=reason.strip())
    audit.record(
        actor=by, verb="update", obj=suggestion, request=request, detail={"status": "declined"}
    )
    return suggestion


@transaction.atomic
def merge_suggestion(
    *, suggestion: Suggestion, into: Suggestion, by: User, note: str = "", request=None
) -> Suggestion:
    """Merge a duplicate into another suggestion; its suggester then follows that one's answer.
    Duplicates already merged into this one move along, so a merge is never more than one step."""
    if into.pk == suggestion.pk:
        raise ValidationError({"into": "Choose another suggestion to merge this one into."})
    if into.status == Suggestion.Status.MERGED:
        raise ValidationError(
            {"into": "That suggestion was itself merged; choose the one it was merged into."}
        )
    _decide(
        suggestion=suggestion,
        by=by,
        status=Suggestion.Status.MERGED,
        answer=note.strip(),
        merged_into=into,
    )
    suggestion.duplicates.update(merged_into=into)
    audit.record(
        actor=by,
        verb="update",
        obj=suggestion,
        request=request,
        detail={"status": "merged", "into": into.pk},
    )
    return suggestion


def readable_interview(*, interviews, pk, request) -> ExitInterview | None:
    """The interview `pk` among `interviews` (what this person may read, narrowed by the caller),
    or None; an attempt on an interview that exists is written to the audit log as denied. The
    interview pages and the API both ask this."""
    interview = interviews.filter(pk=pk).first()
    if interview is None and ExitInterview.objects.filter(pk=pk).exists():
        audit.record(
            actor=request.user,
            verb="denied",
            object_type="feedback.exitinterview",
            object_id=pk,
            request=request,
            detail={"path": request.path},
        )
    return interview
