import asyncio
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import segno
from asgiref.sync import sync_to_async
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.db import connections, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET, require_POST

from accounts import audit
from accounts.csv_export import (
    Column,
    absolute_url,
    csv_response,
    list_csv,
    local_time,
    wants_csv,
)
from accounts.decorators import role_required
from accounts.widgets import search_options
from actions.models import Action
from feedback import blame
from feedback.models import LossReason

from . import invites, library, live, services
from .board import cause_groups
from .forms import (
    ActionFromNoteForm,
    AuditScheduleForm,
    BreakoutForm,
    CauseForm,
    JoinForm,
    LessonFilterForm,
    LessonForm,
    MergeForm,
    NoteForm,
    ProcessStepForm,
    RescheduleForm,
    ReviewEditForm,
    ReviewForm,
    SpeakFreelyForm,
    TimerForm,
    WhyCauseForm,
    WhyProposalForm,
    WhysForm,
)
from .models import (
    MIN_RATERS,
    VOTES_PER_PHASE,
    VOTING_PHASES,
    AuditSchedule,
    Contribution,
    Lesson,
    Participant,
    Phase,
    ProcessStep,
    Review,
    Vote,
    WhyProposal,
    overdue_cutoff,
)
from .report import build_report, swimlane

# The projector gets this many notes at most, in pages of whole notes that fit the screen
# (static/js/presenter.js); the rest are on phones. A note longer than PRESENTER_LONG_NOTE
# characters takes the board's whole width.
PRESENTER_NOTES = 24
PRESENTER_LONG_NOTE = 90
# Per breakout group, side by side; and how many journey steps fit across the projector.
PRESENTER_GROUP_NOTES = 2
PRESENTER_STEPS = 3
# On the why board: the biggest causes, with their best-voted notes.
PRESENTER_CAUSES = 3


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Access ---------------------------------------------------------------------------------------


def _get_review_for_user(request, pk: int) -> Review:
    """The one place that decides who may see a review; everyone else gets 404."""
    return get_object_or_404(
        Review.objects.visible_to(request.user).select_related("facilitator"), pk=pk
    )


def _get_review_to_run(request, pk: int) -> Review:
    """The facilitator's (and partners') view of a review: console, presenter, moderation.
    Anyone else gets 404, as if the review did not exist."""
    return get_object_or_404(
        Review.objects.runnable_by(request.user).select_related("facilitator"), pk=pk
    )


def _get_note_to_run(request, pk: int, note_id: int) -> Contribution:
    review = _get_review_to_run(request, pk)
    note = get_object_or_404(
        Contribution.objects.select_related("cause"), pk=note_id, review=review
    )
    note.review = review
    return note


def _normal_code(code: str) -> str:
    """Join codes as typed: any case, stray spaces or symbols (and never a NUL for the DB)."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:8]


def _find_review_by_code(code: str) -> Review | None:
    return Review.objects.select_related("facilitator").filter(join_code=_normal_code(code)).first()


def _get_participation(request, code: str) -> Participant:
    """A participant's own seat in a review, found by the join code; 404 for anyone else."""
    participant = (
        Participant.objects.joined()
        .select_related("review", "review__facilitator", "user")
        .filter(review__join_code=_normal_code(code), user=request.user)
        .first()
    )
    if participant is None:
        raise Http404("You have not joined this review.")
    return participant


def _poll_etag(queryset, kind: str, user) -> str | None:
    state = queryset.values_list("pk", "version", "status", "phase").first()
    if state is None:
        return None
    return f'"{kind}-{"-".join(map(str, state))}-u{user.pk}"'


def _reviews_to_run(request, pk: int):
    return Review.objects.runnable_by(request.user).filter(pk=pk)


def _present_etag(request, pk: int) -> str | None:
    return _poll_etag(_reviews_to_run(request, pk), "present", request.user)


def _console_etag(request, pk: int) -> str | None:
    return _poll_etag(_reviews_to_run(request, pk), "console", request.user)


def _board_etag(request, code: str) -> str | None:
    reviews = Review.objects.filter(
        join_code=_normal_code(code),
        participants__user=request.user,
        participants__joined_at__isnull=False,
    )
    return _poll_etag(reviews, "board", request.user)


# Reviews --------------------------------------------------------------------------------------


# A review list's CSV (review_list?format=csv): what each row of the page says, and its address.
REVIEW_COLUMNS = [
    Column("id", lambda review: review.pk),
    Column("title", lambda review: review.title),
    Column("kind", lambda review: review.get_kind_display()),
    Column("status", lambda review: review.get_status_display()),
    Column("scheduled for", lambda review: local_time(review.scheduled_for)),
    Column("facilitator", lambda review: review.facilitator.name if review.facilitator else ""),
    Column("clients", lambda review: "; ".join(client.name for client in review.clients.all())),
    Column("closed at", lambda review: local_time(review.closed_at)),
    Column("url", absolute_url),
]


@require_GET
def review_list(request):
    reviews = (
        Review.objects.visible_to(request.user)
        .select_related("facilitator")
        .prefetch_related("clients")
    )
    status = request.GET.get("status", "")
    if status in Review.Status.values:
        reviews = reviews.filter(status=status)
    if wants_csv(request):
        return list_csv(
            request,
            reviews,
            columns=REVIEW_COLUMNS,
            filename="reviews.csv",
            object_type="retrospectives.review",
        )
    return render(
        request,
        "retrospectives/review_list.html",
        {
            "reviews": reviews,
            "status": status,
            "statuses": Review.Status.choices,
            "can_plan": Review.can_be_planned_by(request.user),
        },
    )


@role_required(*Review.PLANNERS)
def review_new(request):
    # A save attempt links here with ?kind=client_save&client=<id> to start the form filled in.
    initial = {"clients": request.GET.getlist("client")}
    if request.GET.get("kind") in Review.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ReviewForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        review = services.plan_review(
            review=form.save(commit=False),
            by=request.user,
            clients=form.cleaned_data["clients"],
            exit_interviews=form.cleaned_data["exit_interviews"],
            invited=form.cleaned_data["invited"],
        )
        messages.success(request, f"Review planned. Join code: {review.join_code}.")
        for client in services.facilitator_manages_reviewed_client(review):
            messages.warning(request, _manager_warning(client))
        return redirect(review)
    return render(request, "retrospectives/review_form.html", {"form": form})


@require_GET
@role_required(*Review.PLANNERS)
def interview_options(request):
    """The exit interviews the review form's menu offers while someone types a client's name:
    those this person may attach. Labels name the client and the date, never what was said."""
    options = search_options(
        request,
        Review.interviews_attachable_by(request.user)
        .select_related("client")
        .order_by("-held_on", "-pk"),
        search=lambda interviews, text: interviews.filter(client__name__icontains=text),
    )
    return HttpResponse(options)


def _manager_warning(client) -> str:
    return (
        f"The facilitator is the account manager of {client}. People may hold back in front of "
        "them; consider a neutral facilitator."
    )


def _people(review: Review) -> dict:
    """Who joined (by join time), how many are invited but not here yet, and what may be shown
    of the speak-freely ratings: the count, and the average from MIN_RATERS ratings on."""
    people = list(review.participants.select_related("user").order_by("joined_at", "id"))
    joined = [p for p in people if p.has_joined]
    return {
        "participants": joined,
        "invited": [p for p in people if not p.has_joined],
        "speak_freely": review.participants.joined().speak_freely_summary(),
        "min_raters": MIN_RATERS,
    }


@require_GET
def review_detail(request, pk):
    review = _get_review_for_user(request, pk)
    seat = review.participants.filter(user=request.user).first()
    return render(
        request,
        "retrospectives/review_detail.html",
        {
            "review": review,
            "can_run": review.is_runnable_by(request.user),
            "can_edit": review.is_runnable_by(request.user)
            and Review.can_be_planned_by(request.user)
            and not review.is_over,
            "clients": review.clients.select_related("account_manager"),
            "interviews": review.exit_interviews.visible_to(request.user).select_related("client"),
            **_people(review),
            "warnings": [
                _manager_warning(c) for c in services.facilitator_manages_reviewed_client(review)
            ],
            "is_participant": seat is not None,
            "has_joined": seat is not None and seat.has_joined,
        },
    )


@require_GET
def review_invite(request, pk):
    """The review's calendar invite, for anyone who may see the review."""
    review = _get_review_for_user(request, pk)
    if review.scheduled_for is None:
        raise Http404("This review has no time yet.")
    response = HttpResponse(
        invites.build(review),
        content_type=f"text/calendar; method={invites.method_for(review)}; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
    return response


def review_reschedule(request, pk):
    """Move a planned review (facilitator or partner); invitees get an updated invite."""
    review = _get_review_to_run(request, pk)
    previous = review.scheduled_for
    form = RescheduleForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        review.scheduled_for = previous
        try:
            services.reschedule_review(
                review=review, by=request.user, scheduled_for=form.cleaned_data["scheduled_for"]
            )
        except ValidationError as error:
            form.add_error("scheduled_for", _error_text(error))
        else:
            messages.success(request, "Review moved. Everyone invited gets an updated invite.")
            return redirect(review)
    review.scheduled_for = previous
    return render(
        request,
        "retrospectives/review_reschedule.html",
        {"form": form, "review": review},
        status=400 if form.errors else 200,
    )


def review_edit(request, pk):
    """Change a planned or live review's title, kind, clients, interviews and invitees
    (its facilitator or a partner, who may plan reviews); invitees get an updated invite."""
    review = _get_review_to_run(request, pk)
    if not Review.can_be_planned_by(request.user):
        raise Http404("Only facilitators and partners change reviews.")
    if review.is_over:
        messages.error(request, "A closed or cancelled review can no longer be changed.")
        return redirect(review)
    title = review.title
    form = ReviewEditForm(request.POST or None, instance=review, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_review(
                review=review,
                by=request.user,
                title=data["title"],
                kind=data["kind"],
                clients=data["clients"],
                exit_interviews=data["exit_interviews"],
                invited=data["invited"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Review saved. Everyone invited gets an updated invite.")
            return redirect(review)
    review.title = title
    return render(
        request,
        "retrospectives/review_edit.html",
        {"form": form, "review": review},
        status=400 if form.errors else 200,
    )


@require_POST
def review_cancel(request, pk):
    """Call off a planned review (facilitator or partner); invitees get a cancellation."""
    review = _get_review_to_run(request, pk)
    try:
        services.cancel_review(review=review, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Review cancelled. Everyone invited gets a cancellation.")
    return redirect(review)


# Recurring process audits ----------------------------------------------------------------------


# The audit schedules' CSV: each schedule as the list shows it.
AUDIT_COLUMNS = [
    Column("id", lambda schedule: schedule.pk),
    Column("service line", lambda schedule: schedule.service_line.name),
    Column("facilitator", lambda schedule: schedule.facilitator.name),
    Column("frequency", lambda schedule: schedule.get_frequency_display()),
    Column("starts on", lambda schedule: schedule.starts_on),
    Column("time of day", lambda schedule: schedule.time_of_day),
    Column("status", lambda schedule: schedule.get_status_display()),
    Column("planned audits", lambda schedule: schedule.planned),
    Column("url", absolute_url),
]


@require_GET
@role_required(*AuditSchedule.SET_UP_BY)
def audit_list(request):
    schedules = AuditSchedule.objects.select_related("service_line", "facilitator").annotate(
        planned=Count("reviews", filter=Q(reviews__status=Review.Status.PLANNED))
    )
    overdue = (
        Review.objects.overdue_audits()
        .select_related("facilitator", "schedule__service_line")
        .order_by("scheduled_for", "id")
    )
    if wants_csv(request):
        return list_csv(
            request,
            schedules,
            columns=AUDIT_COLUMNS,
            filename="audits.csv",
            object_type="retrospectives.auditschedule",
        )
    return render(
        request,
        "retrospectives/audit_list.html",
        {"schedules": schedules, "overdue": overdue},
    )


@role_required(*AuditSchedule.SET_UP_BY)
def audit_new(request):
    form = AuditScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        schedule = services.create_audit_schedule(schedule=form.save(commit=False), by=request.user)
        messages.success(
            request,
            "Audit schedule saved. Each audit is planned four weeks ahead and its facilitator "
            "gets an invitation.",
        )
        return redirect(schedule)
    return render(
        request,
        "retrospectives/audit_form.html",
        {"form": form, "time_zone": timezone.get_current_timezone_name()},
        status=400 if form.errors else 200,
    )


def _get_schedule(request, pk: int) -> AuditSchedule:
    """For the views only those who set up audits reach (role_required)."""
    return get_object_or_404(
        AuditSchedule.objects.select_related("service_line", "facilitator", "created_by"), pk=pk
    )


@require_GET
@role_required(*AuditSchedule.SET_UP_BY)
def audit_detail(request, pk):
    schedule = _get_schedule(request, pk)
    now = timezone.now()
    return render(
        request,
        "retrospectives/audit_detail.html",
        {
            "schedule": schedule,
            "reviews": schedule.reviews.select_related("facilitator").order_by("-scheduled_for"),
            "next_dates": [
                when for _, when in schedule.dates_between(now, now + dt.timedelta(days=400))[:4]
            ]
            if schedule.status == AuditSchedule.Status.ACTIVE
            else [],
            "overdue_before": overdue_cutoff(),
            "time_zone": timezone.get_current_timezone_name(),
        },
    )


@require_POST
@role_required(*AuditSchedule.SET_UP_BY)
def audit_status(request, pk):
    """Pause, resume or stop a schedule."""
    schedule = _get_schedule(request, pk)
    status = request.POST.get("status", "")
    if status not in AuditSchedule.Status.values:
        messages.error(request, "Choose to pause, resume or stop the schedule.")
        return redirect(schedule)
    try:
        services.set_schedule_status(schedule=schedule, by=request.user, status=status)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            {
                AuditSchedule.Status.ACTIVE: "Schedule resumed; the next audit is planned "
                "four weeks ahead.",
                AuditSchedule.Status.PAUSED: "Schedule paused; no new audits are planned. "
                "An audit already planned stays: cancel it from its page if need be.",
                AuditSchedule.Status.STOPPED: "Schedule stopped; its upcoming audits are "
                "cancelled.",
            }[AuditSchedule.Status(status)],
        )
    return redirect(schedule)


# The facilitator's console ---------------------------------------------------------------------


def _earlier_open_actions(review: Review):
    """Open actions from other reviews of the same clients, their service lines or the causes
    this review touches."""
    clients = list(review.clients.all())
    lines = {line for client in clients for line in client.service_lines.all()}
    categories = set(
        review.contributions.filter(cause__isnull=False).values_list("cause__category", flat=True)
    )
    categories |= set(
        review.exit_interviews.filter(client_primary_reason__isnull=False).values_list(
            "client_primary_reason__category", flat=True
        )
    )
    related = (
        Q(client__in=clients)
        | Q(source_review__clients__in=clients)
        | Q(client__service_lines__in=lines)
        | Q(source_review__clients__service_lines__in=lines)
        | Q(cause__category__in=categories)
    )
    ids = (
        Action.objects.still_open()
        .filter(related)
        .exclude(source_review=review)
        .values_list("pk", flat=True)
        .distinct()
    )
    return (
        Action.objects.filter(pk__in=list(ids[:50]))
        .select_related("owner", "source_review", "client", "cause")
        .order_by("due_on")[:12]
    )


def _console_notes_context(review: Review) -> dict:
    notes = list(
        Contribution.objects.filter(review=review, merged_into__isnull=True)
        .select_related("cause", "author", "group")
        .prefetch_related("merged")
        .annotate(vote_count=Count("votes"))
        .order_by("phase", "created_at", "id")
    )
    phase_notes = [n for n in notes if n.phase == review.phase]
    if review.phase in VOTING_PHASES:
        phase_notes.sort(key=lambda n: (-n.vote_count, n.created_at))
    other_notes = [n for n in notes if n.phase != review.phase]
    matches = library.match_notes(n for n in notes if not n.hidden)
    for note in notes:
        note.review = review
        note.discussed_before = matches.get(note.pk)
    causes = list(LossReason.objects.filter(active=True))
    context = {
        "review": review,
        "phase_notes": phase_notes,
        "other_notes": other_notes,
        "causes": causes,
        "now": timezone.now(),
    }
    if review.phase == Phase.WHY:
        shown = [n for n in phase_notes if not n.hidden]
        context |= {
            "board": cause_groups(shown, causes, keep_empty=True),
            "board_notes": shown,
            "hidden_notes": [n for n in phase_notes if n.hidden],
            "why_cause_form": WhyCauseForm(review=review),
            "pending_whys": list(review.why_proposals.pending().select_related("author", "cause")),
            **_chain(review),
        }
    return context


def _chain(review: Review) -> dict:
    """The five-whys chain the screens show: the cause dug into and its whys so far."""
    cause = services.why_focus(review)
    steps = list(cause.whys.select_related("author")) if cause else []
    return {
        "why_cause": cause,
        "why_steps": steps,
        "chain_full": len(steps) >= services.MAX_WHYS,
        "why_title": review.script.title(Phase.WHY),
    }


@require_GET
def review_console(request, pk):
    return _console(request, _get_review_to_run(request, pk))


def _console(request, review: Review, *, whys_form: WhysForm | None = None):
    """The facilitator's console; a five-whys form that was refused comes back as typed, with
    its errors next to its fields."""
    context = _console_notes_context(review)
    top = services.why_focus(review)
    if whys_form is None:
        whys_initial = {"cause": top.pk if top else None}
        if top:
            for step in top.whys.all():
                whys_initial[f"why{step.depth}"] = step.text
        whys_form = WhysForm(review=review, initial=whys_initial)
    context.update(
        {
            "timer_form": TimerForm(),
            "whys_form": whys_form,
            "top_cause": top,
            "action_form": ActionFromNoteForm(),
            "earlier_actions": _earlier_open_actions(review),
            **_people(review),
            "join_url": request.build_absolute_uri(
                reverse("retrospectives:join", args=[review.join_code])
            ),
            "lessons": review.lessons.all(),
            "actions": Action.objects.filter(source_review=review).select_related("owner"),
            "groups": _groups_with_note_counts(review),
            "process_steps": review.process_steps.count(),
            "map_open": review.is_live and review.phase == Phase.ACTUAL,
            "actual_title": review.script.title(Phase.ACTUAL),
            "why_title": review.script.title(Phase.WHY),
        }
    )
    return render(request, "retrospectives/console.html", context)


def _groups_with_note_counts(review: Review) -> list:
    return list(
        services.active_groups(review).annotate(
            note_count=Count("notes", filter=Q(notes__hidden=False, notes__merged_into=None))
        )
    )


@require_GET
@cache_control(private=True, no_cache=True)
@condition(etag_func=_console_etag)
def console_notes(request, pk):
    review = _get_review_to_run(request, pk)
    return render(request, "retrospectives/_console_notes.html", _console_notes_context(review))


@require_GET
@cache_control(private=True, no_cache=True)
@condition(etag_func=_console_etag)
def console_participants(request, pk):
    review = _get_review_to_run(request, pk)
    return render(
        request,
        "retrospectives/_console_participants.html",
        {"review": review, **_people(review)},
    )


def _back_to_console(request, review: Review, anchor: str = ""):
    return redirect(reverse("retrospectives:review_console", args=[review.pk]) + anchor)


@dataclass(frozen=True)
class Toast:
    """What the console says after a change made without a reload, with how to undo it: the
    URL to post and the fields to post there."""

    text: str
    error: bool = False
    undo_url: str = ""
    undo_fields: dict = field(default_factory=dict)


def _run(request, review: Review, change, success: str = "", undo: Toast | None = None):
    """Apply a console change; a refused change becomes a message, never a 500. Through htmx
    the notes come back with the message, and an Undo where the change has one."""
    try:
        change()
    except ValidationError as error:
        toast = Toast(_error_text(error), error=True)
    else:
        toast = undo or (Toast(success) if success else None)
    return _console_answer(request, review, toast)


def _console_answer(request, review: Review, toast: Toast | None):
    if request.htmx and request.POST.get("partial") == "notes":
        review.refresh_from_db()
        context = {**_console_notes_context(review), "toast": toast}
        return render(request, "retrospectives/_console_notes.html", context)
    if toast:
        (messages.error if toast.error else messages.success)(request, toast.text)
    return _back_to_console(request, review)


@require_POST
def review_start(request, pk):
    review = _get_review_to_run(request, pk)
    return _run(
        request,
        review,
        lambda: services.start_review(review=review),
        "The review is live. Open the presenter view on the projector.",
    )


@require_POST
def review_phase(request, pk):
    review = _get_review_to_run(request, pk)
    step = 1 if request.POST.get("direction") == "next" else -1
    return _run(request, review, lambda: services.move_phase(review=review, step=step))


@require_POST
def review_timer(request, pk):
    review = _get_review_to_run(request, pk)
    form = TimerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Set the timer to between 1 and 120 minutes.")
        return _back_to_console(request, review)
    return _run(
        request,
        review,
        lambda: services.set_timer(
            review=review,
            command=form.cleaned_data["command"],
            minutes=form.cleaned_data["minutes"],
        ),
    )


@require_POST
def review_close(request, pk):
    review = _get_review_to_run(request, pk)
    summary = request.POST.get("summary", "").replace("\x00", "").strip()[:5000]
    return _run(
        request,
        review,
        lambda: services.close_review(review=review, summary=summary),
        "The review is closed. The report is on its way to everyone who took part.",
    )


@require_POST
def note_hide(request, pk, note_id):
    note = _get_note_to_run(request, pk, note_id)
    hidden = request.POST.get("hidden") == "1"
    undo = Toast(
        "Note hidden from the screens.",
        undo_url=reverse("retrospectives:note_hide", args=[pk, note.pk]),
        undo_fields={"hidden": "0"},
    )
    return _run(
        request,
        note.review,
        lambda: services.set_hidden(note=note, by=request.user, hidden=hidden),
        "Note shown again.",
        undo=undo if hidden else None,
    )


@require_POST
def note_cause(request, pk, note_id):
    note = _get_note_to_run(request, pk, note_id)
    form = CauseForm(request.POST)
    if not form.is_valid():
        refused = Toast("Pick a cause from the list.", error=True)
        return _console_answer(request, note.review, refused)
    return _run(
        request,
        note.review,
        lambda: services.assign_cause(note=note, by=request.user, cause=form.cleaned_data["cause"]),
    )


@require_POST
def note_merge(request, pk, note_id):
    note = _get_note_to_run(request, pk, note_id)
    form = MergeForm(request.POST, note=note)
    if not form.is_valid():
        refused = Toast("Pick a note of the same phase to merge into.", error=True)
        return _console_answer(request, note.review, refused)
    undo = Toast(
        "Notes merged.",
        undo_url=reverse("retrospectives:note_unmerge", args=[pk, note.pk]),
    )
    return _run(
        request,
        note.review,
        lambda: services.merge_notes(
            duplicate=note, into=form.cleaned_data["into"], by=request.user
        ),
        undo=undo,
    )


@require_POST
def note_unmerge(request, pk, note_id):
    """Split a merged note out again, with the votes it brought."""
    note = _get_note_to_run(request, pk, note_id)
    return _run(
        request,
        note.review,
        lambda: services.unmerge_note(note=note, by=request.user),
        "Note split out again.",
    )


@require_POST
def review_why_cause(request, pk):
    """Pick the cause whose five whys the screens show (none: the top-voted one)."""
    review = _get_review_to_run(request, pk)
    form = WhyCauseForm(request.POST, review=review)
    if not form.is_valid():
        toast = Toast("That note is no longer on the board; pick the cause again.", error=True)
        return _console_answer(request, review, toast)
    cause = form.cleaned_data["cause"]
    return _run(
        request,
        review,
        lambda: services.pick_why_cause(review=review, by=request.user, cause=cause),
        "The screens dig into this cause now." if cause else "The screens follow the top vote.",
    )


def _get_proposal_to_run(request, pk: int, proposal_id: int) -> WhyProposal:
    review = _get_review_to_run(request, pk)
    proposal = get_object_or_404(
        WhyProposal.objects.select_related("cause"), pk=proposal_id, review=review
    )
    proposal.review = review
    return proposal


@require_POST
def why_approve(request, pk, proposal_id):
    """Add a participant's proposed why to the chain on the screens."""
    proposal = _get_proposal_to_run(request, pk, proposal_id)
    return _run(
        request,
        proposal.review,
        lambda: services.approve_why(proposal=proposal, by=request.user),
        "Why added to the chain on the screens.",
    )


@require_POST
def why_reject(request, pk, proposal_id):
    """Decline a participant's proposed why; it never reaches the screens."""
    proposal = _get_proposal_to_run(request, pk, proposal_id)
    return _run(
        request,
        proposal.review,
        lambda: services.reject_why(proposal=proposal, by=request.user),
        "Proposed why declined.",
    )


@require_POST
def review_whys(request, pk):
    review = _get_review_to_run(request, pk)
    form = WhysForm(request.POST, review=review)
    if not form.is_valid():
        return _console(request, review, whys_form=form)
    services.save_whys(cause=form.cleaned_data["cause"], answers=form.answers())
    messages.success(request, "Five-whys chain saved.")
    return _back_to_console(request, review, "#whys")


def note_action(request, pk, note_id):
    note = _get_note_to_run(request, pk, note_id)
    form = ActionFromNoteForm(request.POST or None, initial={"title": note.text[:200]})
    if request.method == "POST" and form.is_valid():
        action = services.note_to_action(note=note, by=request.user, **form.cleaned_data)
        messages.success(request, f"Action “{action.title}” created for {action.owner}.")
        return _back_to_console(request, note.review)
    return render(
        request,
        "retrospectives/note_action.html",
        {"note": note, "review": note.review, "form": form},
    )


@require_POST
def note_lesson(request, pk, note_id):
    note = _get_note_to_run(request, pk, note_id)
    lesson = services.note_to_lesson(note=note, by=request.user)
    messages.success(request, "Draft lesson created. Write its publishable statement.")
    return redirect("retrospectives:lesson_edit", lesson.pk)


# Breakout groups ------------------------------------------------------------------------------


@require_POST
def breakout_split(request, pk):
    review = _get_review_to_run(request, pk)
    return _run(
        request,
        review,
        lambda: services.split_into_groups(review=review),
        "Split into groups. Each person sees their group on their phone.",
    )


def breakout_groups(request, pk):
    """Groups by hand: the current groups, or a random proposal, to rearrange."""
    review = _get_review_to_run(request, pk)
    participants = list(
        review.participants.joined().select_related("user").order_by("joined_at", "id")
    )
    initial = {}
    for group in services.active_groups(review):
        for member in group.members.all():
            initial[f"participant_{member.pk}"] = group.number
    if not initial and len(participants) >= 3:
        by_user = {p.user_id: p for p in participants}
        for number, group in enumerate(services.propose_groups([p.user for p in participants]), 1):
            for user in group:
                initial[f"participant_{by_user[user.pk].pk}"] = number
    form = BreakoutForm(request.POST or None, participants=participants, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.split_into_groups(review=review, assignment=form.assignment())
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Groups saved. Each person sees their group on their phone.")
            return _back_to_console(request, review, "#breakout")
    return render(
        request,
        "retrospectives/breakout_form.html",
        {
            "review": review,
            "form": form,
            "too_few": len(participants) < 3,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def breakout_merge(request, pk):
    review = _get_review_to_run(request, pk)
    return _run(
        request,
        review,
        lambda: services.merge_back(review=review),
        "Everyone is back together; the groups' notes are on the shared board.",
    )


# The process map ------------------------------------------------------------------------------


def _get_step_to_run(request, pk: int, step_id: int) -> ProcessStep:
    review = _get_review_to_run(request, pk)
    step = get_object_or_404(ProcessStep, pk=step_id, review=review)
    step.review = review
    return step


def _map_page(request, review: Review, form, status: int = 200, step=None):
    steps = list(review.process_steps.all())
    return render(
        request,
        "retrospectives/process_map.html",
        {
            "review": review,
            "form": form,
            "steps": steps,
            "lanes": swimlane(steps),
            "editing": step,
            "map_open": review.is_live and review.phase == Phase.ACTUAL,
            "actual_title": review.script.title(Phase.ACTUAL),
        },
        status=status,
    )


def _map_url(review: Review) -> str:
    return reverse("retrospectives:process_map", args=[review.pk])


def process_map(request, pk):
    """The client's journey as it actually happened: add steps, see the swimlane."""
    review = _get_review_to_run(request, pk)
    form = ProcessStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_process_step(review=review, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Step added to the map.")
            return redirect(_map_url(review) + "#add-step")
    return _map_page(request, review, form, status=400 if form.errors else 200)


def process_step_edit(request, pk, step_id):
    step = _get_step_to_run(request, pk, step_id)
    form = ProcessStepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_process_step(step=step, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Step saved.")
            return redirect(_map_url(step.review) + f"#step-{step.pk}")
    return _map_page(request, step.review, form, status=400 if form.errors else 200, step=step)


@require_POST
def process_step_move(request, pk, step_id):
    step = _get_step_to_run(request, pk, step_id)
    step_by = -1 if request.POST.get("direction") == "earlier" else 1
    try:
        services.move_process_step(step=step, step_by=step_by)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(_map_url(step.review) + f"#step-{step.pk}")


@require_POST
def process_step_delete(request, pk, step_id):
    step = _get_step_to_run(request, pk, step_id)
    try:
        services.delete_process_step(step=step)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Step removed from the map.")
    return redirect(_map_url(step.review))


# The presenter view ---------------------------------------------------------------------------


def _board_notes(review: Review):
    notes = Contribution.objects.on_board().filter(review=review, phase=review.phase)
    if review.phase in VOTING_PHASES:
        return notes.order_by("-vote_count", "created_at", "id")
    return notes.order_by("-created_at", "-id")


def _groups_with_notes(review: Review, per_group: int | None = None) -> list:
    """The running breakout's groups, each with its notes (newest first) as `board_notes`."""
    groups = list(services.active_groups(review))
    if not groups:
        return []
    by_group = defaultdict(list)
    for note in _board_notes(review).filter(group__in=groups).order_by("-created_at", "-id"):
        by_group[note.group_id].append(note)
    for group in groups:
        notes = by_group[group.pk]
        group.board_notes = notes[:per_group] if per_group else notes
        group.more = len(notes) - len(group.board_notes)
    return groups


def _present_context(review: Review) -> dict:
    groups = _groups_with_notes(review, PRESENTER_GROUP_NOTES) if review.is_live else []
    steps = []
    if review.is_live and review.phase == Phase.ACTUAL and not groups:
        steps = list(review.process_steps.all())
    shown_steps = steps[-PRESENTER_STEPS:]
    why_board = review.is_live and review.phase == Phase.WHY and not groups
    if why_board:
        # The why board shows every note, by cause, in place of the newest few.
        return {**_present_why_board(review), "review": review, "now": timezone.now()}
    notes = [] if groups else list(_board_notes(review)[: PRESENTER_NOTES + 1])
    count = Contribution.objects.on_board().filter(review=review, phase=review.phase).count()
    shown = 0 if steps else PRESENTER_NOTES
    for note in notes:
        note.is_long = len(note.text) > PRESENTER_LONG_NOTE
    return {
        "review": review,
        "groups": groups,
        "lanes": swimlane(shown_steps),
        "steps_shown": shown_steps,
        "steps_total": len(steps),
        "notes": notes[:shown],
        "more": max(0, count - shown),
        "voting": review.phase in VOTING_PHASES,
        "now": timezone.now(),
    }


def _present_why_board(review: Review) -> dict:
    """The causes the room named, biggest first, each with its best-voted notes, and the
    five-whys chain growing beside them. Notes not yet grouped come last."""
    notes = list(_board_notes(review).select_related("cause"))
    board = cause_groups(notes, [], keep_empty=False)
    board.sort(key=lambda group: (group.cause is None, -group.votes))
    # The fewer the groups, the more of each one's notes fit: one group shows three.
    per_group = PRESENTER_CAUSES + 1 - min(len(board), PRESENTER_CAUSES)
    for group in board:
        group.shown = group.notes[:per_group]
    return {
        "why_board": board[:PRESENTER_CAUSES],
        "cause_count": len(board),
        **_chain(review),
    }


@require_GET
def review_present(request, pk):
    review = _get_review_to_run(request, pk)
    join_url = request.build_absolute_uri(reverse("retrospectives:join", args=[review.join_code]))
    context = _present_context(review)
    context.update(
        {
            "join_url": join_url,
            "join_host": request.get_host(),
            "qr": segno.make(join_url, error="m").svg_data_uri(scale=8, border=2),
        }
    )
    return render(request, "retrospectives/present.html", context)


@require_GET
@cache_control(private=True, no_cache=True)
@condition(etag_func=_present_etag)
def present_board(request, pk):
    review = _get_review_to_run(request, pk)
    return render(request, "retrospectives/_present_board.html", _present_context(review))


# The participant's page -----------------------------------------------------------------------


def join_code(request):
    """Type the code shown on the projector."""
    form = JoinForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("retrospectives:join", form.cleaned_data["code"])
    return render(request, "retrospectives/join_code.html", {"form": form})


def _board_context(request, participant: Participant, **extra) -> dict:
    review = participant.review
    group = None
    if review.is_live:
        group = (
            participant.breakout_groups.active()
            .filter(phase=review.phase)
            .prefetch_related("members__user")
            .first()
        )
    if group is not None:
        notes = list(_board_notes(review).filter(group=group))
    else:
        notes = list(_board_notes(review)) if review.is_live else []
    my_votes = set(
        Vote.objects.filter(review=review, user=request.user, phase=review.phase).values_list(
            "contribution_id", flat=True
        )
    )
    note_form = extra.pop("note_form", None) or NoteForm(
        initial={"anonymous": review.anonymous_by_default, "phase": review.phase}
    )
    if review.is_live and review.phase == Phase.WHY:
        chain = _chain(review)
        extra |= chain
        extra["why_form"] = extra.get("why_form") or WhyProposalForm(
            initial={"anonymous": review.anonymous_by_default}
        )
        extra["my_whys"] = list(
            WhyProposal.objects.filter(review=review, author=request.user, cause=chain["why_cause"])
        )
    return {
        "review": review,
        "participant": participant,
        "group": group,
        "in_breakout": review.is_live and review.breakout_groups.active().exists(),
        "notes": notes,
        "my_votes": my_votes,
        "votes_left": VOTES_PER_PHASE - len(my_votes),
        "votes_per_phase": VOTES_PER_PHASE,
        "voting": review.accepts_votes and group is None,
        "note_form": note_form,
        "rating_form": SpeakFreelyForm(initial={"rating": participant.speak_freely}),
        "now": timezone.now(),
        **extra,
    }


def _board_response(request, participant: Participant, status: int = 200, **extra):
    context = _board_context(request, participant, **extra)
    if request.htmx:
        # htmx swaps only 2xx answers; the message inside the partial says what went wrong.
        return render(request, "retrospectives/_board.html", context)
    return render(request, "retrospectives/join.html", context, status=status)


def _note_data(request):
    """The posted note with NUL bytes removed, so the text can be kept and shown again."""
    data = request.POST.copy()
    data["text"] = data.get("text", "").replace("\x00", "")
    return data


def join(request, code):
    """The participant page: join with the code, then add notes and vote from a phone."""
    review = _find_review_by_code(code)
    if review is None:
        return render(
            request,
            "retrospectives/join_code.html",
            {
                "form": JoinForm(initial={"code": code[:8]}),
                "error": f"No review has the code “{code[:8]}”. Check the code on the screen.",
            },
            status=404,
        )
    participant = Participant.objects.filter(review=review, user=request.user).first()
    if participant is None or not participant.has_joined:
        # Invited people join here too: being invited is not being in the room.
        if review.is_over:
            return render(
                request,
                "retrospectives/join_code.html",
                {
                    "form": JoinForm(),
                    "error": "That review was cancelled; it takes nobody."
                    if review.is_cancelled
                    else "That review has ended; it no longer takes people.",
                },
                status=410,
            )
        if request.method == "POST":
            services.join_review(review=review, user=request.user)
            return redirect("retrospectives:join", review.join_code)
        return render(request, "retrospectives/join_welcome.html", {"review": review})
    return _board_response(request, participant)


@require_GET
@cache_control(private=True, no_cache=True)
@condition(etag_func=_board_etag)
def join_board(request, code):
    participant = _get_participation(request, code)
    return render(request, "retrospectives/_board.html", _board_context(request, participant))


# Push streams: each live screen holds one and refetches its fragments when its review's version
# moves; while it is down the screen polls. See retrospectives.live.

# A stream lasts a few minutes, then the screen reconnects: that checks again who may watch, and
# spreads the screens over the web processes again.
STREAM_SECONDS = 300
# A comment this often keeps proxies from closing a quiet stream and finds clients that left.
STREAM_HEARTBEAT_SECONDS = 20
# How long a browser waits before reconnecting by itself.
STREAM_RETRY_MS = 2000


def _sse(review_id: int, version: int) -> str:
    return f"data: {live.message(review_id, version)}\n\n"


async def _versions(subscription: live.Subscription):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    try:
        yield f"retry: {STREAM_RETRY_MS}\n" + _sse(subscription.review_id, subscription.version)
        while (left := deadline - loop.time()) > 0:
            try:
                version = await asyncio.wait_for(
                    subscription.next_version(), min(STREAM_HEARTBEAT_SECONDS, left)
                )
            except TimeoutError:
                yield ": still here\n\n"
                continue
            if subscription.lost:
                return
            yield _sse(subscription.review_id, version)
        # Not an error: the screen reconnects at once, without falling back to polling.
        yield "event: bye\ndata:\n\n"
    finally:
        live.unsubscribe(subscription)


def _release_database() -> None:
    """A stream stays open for minutes without the database: give back its connection now (a
    hundred phones would otherwise hold a hundred). Not inside a test's transaction."""
    for each in connections.all(initialized_only=True):
        if not each.in_atomic_block:
            each.close()


async def _push_stream(request, reviews) -> HttpResponse:
    """The stream of versions of the one review in `reviews` (already narrowed to those the
    person may watch); 404 when there is none."""
    review_id = await reviews.values_list("pk", flat=True).afirst()
    if review_id is None:
        raise Http404("No such review.")
    if not isinstance(request, ASGIRequest):
        # A WSGI server holds a whole stream before sending it. 204 tells the browser there is
        # no stream here: the screen keeps polling.
        return HttpResponse(status=204)
    try:
        subscription = await live.subscribe(review_id)
    except ConnectionError:
        return HttpResponse(status=503, headers={"Retry-After": "5"})
    # Read after subscribing, so that a change in between is not missed.
    version_now = Review.objects.filter(pk=review_id).values_list("version", flat=True)
    subscription.version = await version_now.aget()
    await sync_to_async(_release_database)()
    headers = {"Cache-Control": "no-cache, private", "X-Accel-Buffering": "no"}
    return StreamingHttpResponse(
        _versions(subscription), content_type="text/event-stream", headers=headers
    )


@require_GET
@transaction.non_atomic_requests
async def review_stream(request, pk):
    """The presenter's and the console's stream: for those who run the review."""
    user = await request.auser()
    reviews = await sync_to_async(lambda: Review.objects.runnable_by(user).filter(pk=pk))()
    return await _push_stream(request, reviews)


@require_GET
@transaction.non_atomic_requests
async def join_stream(request, code):
    """A phone's stream: for those who joined the review with its code."""
    user = await request.auser()
    reviews = Review.objects.filter(
        join_code=_normal_code(code),
        participants__user_id=user.pk,
        participants__joined_at__isnull=False,
    )
    return await _push_stream(request, reviews)


@require_POST
def note_add(request, code):
    participant = _get_participation(request, code)
    review = participant.review
    form = NoteForm(_note_data(request))
    if not form.is_valid():
        return _board_response(request, participant, status=400, note_form=form)
    try:
        note = services.add_note(
            review=review,
            author=request.user,
            text=form.cleaned_data["text"],
            anonymous=form.cleaned_data["anonymous"],
            phase=form.cleaned_data["phase"],
        )
    except ValidationError as error:
        review.refresh_from_db()
        form.add_error(None, _error_text(error))
        if review.accepts_notes:
            return _board_response(request, participant, status=409, note_form=form)
        # No form to put the text back into in this phase: show it to copy.
        return _board_response(
            request,
            participant,
            status=409,
            board_error=_error_text(error),
            kept_text=form.cleaned_data["text"],
        )
    return _board_response(request, participant, posted=note)


@require_POST
def why_propose(request, code):
    """A participant proposes the next why from their phone; it waits for the facilitator."""
    participant = _get_participation(request, code)
    review = participant.review
    form = WhyProposalForm(_note_data(request))
    if not form.is_valid():
        return _board_response(request, participant, status=400, why_form=form)
    try:
        proposal = services.propose_why(
            review=review,
            author=request.user,
            text=form.cleaned_data["text"],
            anonymous=form.cleaned_data["anonymous"],
            cause_id=form.cleaned_data["cause"],
        )
    except ValidationError as error:
        review.refresh_from_db()
        form.add_error(None, _error_text(error))
        if review.is_live and review.phase == Phase.WHY:
            return _board_response(request, participant, status=409, why_form=form)
        # No chain to propose to any more: show the text to copy.
        return _board_response(
            request,
            participant,
            status=409,
            board_error=_error_text(error),
            kept_text=form.cleaned_data["text"],
        )
    return _board_response(request, participant, why_posted=proposal)


def _get_own_note(participant: Participant, note_id: int) -> Contribution:
    note = get_object_or_404(
        Contribution, pk=note_id, review=participant.review, author=participant.user
    )
    note.review = participant.review
    return note


def note_edit(request, code, note_id):
    participant = _get_participation(request, code)
    note = _get_own_note(participant, note_id)
    form = NoteForm(
        _note_data(request) if request.method == "POST" else None,
        initial={"text": note.text, "anonymous": note.anonymous, "phase": note.phase},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_note(
                note=note,
                by=request.user,
                text=form.cleaned_data["text"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Note updated.")
            return redirect("retrospectives:join", participant.review.join_code)
    return render(
        request,
        "retrospectives/note_edit.html",
        {"form": form, "note": note, "review": participant.review},
        status=200 if form.is_valid() or request.method == "GET" else 400,
    )


@require_POST
def note_delete(request, code, note_id):
    participant = _get_participation(request, code)
    note = _get_own_note(participant, note_id)
    try:
        services.delete_note(note=note, by=request.user)
    except ValidationError as error:
        return _board_response(request, participant, status=409, board_error=_error_text(error))
    return _board_response(request, participant)


@require_POST
def note_vote(request, code, note_id):
    participant = _get_participation(request, code)
    note = get_object_or_404(Contribution, pk=note_id, review=participant.review)
    note.review = participant.review
    try:
        if request.POST.get("withdraw") == "1":
            services.withdraw_vote(note=note, user=request.user)
        else:
            services.cast_vote(note=note, user=request.user)
    except services.VoteRefused as refusal:
        return _board_response(request, participant, status=409, board_error=str(refusal))
    return _board_response(request, participant)


@require_POST
def blame_check(request, code):
    """What the author sees while typing: the rewrite hint, before anything is posted."""
    _get_participation(request, code)
    text = request.POST.get("text", "").replace("\x00", "")[: Contribution.MAX_LENGTH]
    return render(request, "feedback/_blame_hint.html", {"blame_flags": blame.detect(text)})


@require_POST
def speak_freely(request, code):
    participant = _get_participation(request, code)
    form = SpeakFreelyForm(request.POST)
    if not form.is_valid():
        return _board_response(request, participant, status=400, board_error="Pick 1 to 5.")
    try:
        services.rate_speak_freely(participant=participant, rating=form.cleaned_data["rating"])
    except ValidationError as error:
        return _board_response(request, participant, status=409, board_error=_error_text(error))
    return _board_response(request, participant, rated=True)


# The report ------------------------------------------------------------------------------------


@require_GET
def review_report(request, pk):
    review = _get_review_for_user(request, pk)
    report = build_report(review)
    return render(
        request,
        "retrospectives/report.html",
        {"review": review, "report": report, "openable": report.openable_by(request.user)},
    )


@require_GET
def review_report_csv(request, pk):
    review = _get_review_for_user(request, pk)
    report = build_report(review)
    audit.record(actor=request.user, verb="export", obj=review, request=request)
    response, writer = csv_response(f"review-{review.pk}.csv")
    writer.writerow(
        ["section", "phase", "text", "author", "cause", "votes", "owner", "due", "status"]
    )
    for note in report.notes:
        writer.writerow(
            [
                "note",
                note.phase_title,
                note.text,
                note.report_author,
                note.cause.name if note.cause else "",
                note.vote_count,
                "",
                "",
                "",
            ]
        )
    for cause, steps in report.whys.items():
        for step in steps:
            author = step.author.name if step.author else ""
            writer.writerow(
                ["why", f"Why {step.depth}", step.text, author, cause.text[:80]] + [""] * 4
            )
    for lesson in report.lessons:
        writer.writerow(
            ["lesson", "", lesson.statement_public or lesson.statement_internal, ""]
            + [lesson.cause.name if lesson.cause else "", "", "", "", lesson.get_status_display()]
        )
    for action in report.actions:
        writer.writerow(
            ["action", "", action.title, "", "", ""]
            + [action.owner.name, action.due_on.isoformat(), action.get_status_display()]
        )
    # A journey step: who acted goes in "owner", its date in "due", a pain point in "status".
    for step in report.process_steps:
        text = step.text + (f" (pain: {step.pain_note})" if step.pain_note else "")
        writer.writerow(
            ["process_step", review.script.title(Phase.ACTUAL), text, "", "", ""]
            + [step.get_lane_display(), step.happened_on.isoformat()]
            + ["pain point" if step.pain_point else ""]
        )
    return response


# Lessons ---------------------------------------------------------------------------------------


# The lesson library's CSV: published lessons as the library shows them (public statement only).
LESSON_COLUMNS = [
    Column("id", lambda lesson: lesson.pk),
    Column("lesson", lambda lesson: lesson.statement_public),
    Column("category", lambda lesson: lesson.get_category_display()),
    Column("cause", lambda lesson: lesson.cause.name if lesson.cause else ""),
    Column(
        "service lines", lambda lesson: "; ".join(line.name for line in lesson.service_lines.all())
    ),
    Column("published at", lambda lesson: local_time(lesson.published_at)),
    Column("url", absolute_url),
]


@require_GET
def lesson_list(request):
    form = LessonFilterForm(request.GET or None)
    lessons = form.filter(
        Lesson.objects.published().select_related("cause").prefetch_related("service_lines")
    )
    if wants_csv(request):
        return list_csv(
            request,
            lessons,
            columns=LESSON_COLUMNS,
            filename="lessons.csv",
            object_type="retrospectives.lesson",
        )
    drafts = (
        Lesson.objects.editable_by(request.user)
        .filter(status=Lesson.Status.DRAFT)
        .select_related("review")
    )
    return render(
        request,
        "retrospectives/lesson_list.html",
        {"form": form, "lessons": lessons, "drafts": drafts},
    )


def _get_lesson_for_user(request, pk: int) -> Lesson:
    return get_object_or_404(
        Lesson.objects.visible_to(request.user).select_related("cause", "review"), pk=pk
    )


@require_GET
def lesson_detail(request, pk):
    lesson = _get_lesson_for_user(request, pk)
    sees_review = (
        lesson.review_id is not None
        and Review.objects.visible_to(request.user).filter(pk=lesson.review_id).exists()
    )
    return render(
        request,
        "retrospectives/lesson_detail.html",
        {
            "lesson": lesson,
            "sees_review": sees_review,
            "can_edit": Lesson.objects.editable_by(request.user).filter(pk=lesson.pk).exists(),
        },
    )


def lesson_edit(request, pk):
    lesson = get_object_or_404(
        Lesson.objects.visible_to(request.user)
        .editable_by(request.user)
        .select_related("cause", "review"),
        pk=pk,
    )
    return _lesson_form(request, lesson)


def lesson_new(request, pk):
    review = _get_review_to_run(request, pk)
    return _lesson_form(request, Lesson(review=review, created_by=request.user))


def _lesson_form(request, lesson: Lesson):
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        lesson = form.save()
        if form.cleaned_data["publish"]:
            services.publish_lesson(lesson=lesson)
            messages.success(request, "Lesson published to the library.")
        else:
            if lesson.status == Lesson.Status.PUBLISHED:
                lesson.status = Lesson.Status.DRAFT
                lesson.save(update_fields=["status"])
            messages.success(request, "Lesson saved as a draft.")
        return redirect(lesson)
    return render(request, "retrospectives/lesson_form.html", {"form": form, "lesson": lesson})
