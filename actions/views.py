"""Pages of the actions app.

Access: an action someone may not see (not theirs, and they are neither partner nor
facilitator) is a 404 on every page and POST. Someone who may see an action but not make a
given change (the owner verifying their own action, a facilitator verifying an action outside
their review) gets the page back with a clear message next to the form, never a 404 or 500.
Editing is for the owner or a partner; anyone else gets 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.caching import cached_rows
from accounts.csv_export import csv_response
from accounts.decorators import role_required
from accounts.models import User
from accounts.paging import CappedPaginator

from . import notifications, services
from .forms import (
    TRANSITIONS,
    ActionFilterForm,
    ActionForm,
    CommentForm,
    CompleteForm,
    NotificationSettingsForm,
    PilotForm,
    PilotResultForm,
    ReopenForm,
    SnoozeForm,
    VerifyForm,
    WontDoForm,
)
from .models import Action, open_first

PAGE_SIZE = 25
# What a list row or the detail page needs, fetched in the same query.
ROW_RELATED = ["owner", "client", "source_review", "verified_by"]
# The columns a list row shows or decides with (actions/_row.html, _with_permissions), and no
# more: a page shows 25 of 250,000 actions, and every further column and join is paid for on
# each view (planning the query with every column of five tables took longer than running it).
ROW_FIELDS = [
    "title",
    "priority",
    "status",
    "due_on",
    "is_pilot",
    "pilot_result",
    *(f"owner__{field}" for field in User.NAME_FIELDS),
    "owner__is_active",
    "client__name",
    "source_review__facilitator",
]


def _get_action_for_user(request: HttpRequest, pk: int) -> Action:
    """The one place that decides who may see an action; everyone else gets 404."""
    return get_object_or_404(
        Action.objects.visible_to(request.user).select_related(*ROW_RELATED), pk=pk
    )


def _get_editable_action_for_user(request: HttpRequest, pk: int) -> Action:
    """Owner or partner (Action.manageable_by); anyone else gets 404, as if it did not exist."""
    action = _get_action_for_user(request, pk)
    if not action.manageable_by(request.user):
        raise Http404("No action found.")
    return action


def _with_permissions(actions, user):
    """Attach what this user may do with each action, for the buttons in a row. Owners mark
    their own actions done from a list (evidence typed inline); anyone else who may, a partner,
    does it on the action's page, so the partners' list of everyone's actions stays light."""
    for action in actions:
        action.user_can_manage = action.manageable_by(user)
        action.completes_here = action.user_can_manage and action.owner_id == user.pk
        action.user_can_verify = action.verifiable_by(user)
        action.needs_reassignment = action.is_open and not action.owner.is_active
    return actions


def _row_version(action: Action) -> tuple:
    """Everything a list row (actions/_row.html) shows or decides with: rows with the same
    version look the same, so a row is rendered once and then served from the cache."""
    return (
        action.pk,
        action.title,
        action.priority,
        action.client.name if action.client_id else None,
        action.owner.name,
        action.owner.is_active,
        action.due_on,
        action.status,
        action.get_status_display(),
        action.is_pilot,
        action.get_pilot_result_display() if action.pilot_result else "",
        action.is_overdue,
        action.needs_reassignment,
        action.user_can_manage,
        action.completes_here,
        action.user_can_verify,
    )


def _table_rows(request, actions, *, show_owner: bool) -> list[str]:
    """The rows of an action table, each with this person's buttons."""
    return cached_rows(
        request,
        "actions/_row.html",
        _with_permissions(actions, request.user),
        name="action",
        version=_row_version,
        context={"show_owner": show_owner},
    )


def _sources_of(action: Action, user: User) -> list[dict]:
    """Where the action came from: named, and linked when it has a page, for people who may
    open it; anyone else reads only what kind of source it was."""
    shown = []
    for source, record in action.sources():
        if not source.opens_for(record, user):
            shown.append({"label": source.label, "hidden": bool(source.opened_by)})
            continue
        try:
            url = source.page_of(record).get_absolute_url()
        except (AttributeError, NoReverseMatch):
            url = ""
        shown.append({"label": source.label, "object": record, "url": url})
    return shown


def _rows(actions):
    """Actions as a list shows them: the row's columns, with owner, client and review joined."""
    return actions.select_related("owner", "client", "source_review").only(*ROW_FIELDS)


def _overdue_first(actions):
    """Open actions by due date (so overdue ones come first), then closed ones.

    The ordering is the expression of the `action_open_first_due` index, so a page of the list
    is an index scan rather than a sort of every action."""
    return actions.order_by(open_first(), "due_on", "id")


def action_mine(request):
    """My open actions, a page at a time (overdue first), and the ones I closed last."""
    mine = _rows(Action.objects.filter(owner=request.user))
    page = Paginator(_overdue_first(mine.still_open()), PAGE_SIZE).get_page(request.GET.get("page"))
    closed = []
    if not page.has_next():
        closed = list(mine.exclude(status__in=Action.OPEN_STATUSES).order_by("-updated_at")[:20])
    return render(
        request,
        "actions/action_mine.html",
        {
            "page": page,
            "open_actions": page.object_list,
            "open_rows": _table_rows(request, page.object_list, show_owner=False),
            "closed_actions": closed,
            "closed_rows": _table_rows(request, closed, show_owner=False),
            "overdue_count": mine.overdue().count(),
        },
    )


def _filtered_actions(request):
    form = ActionFilterForm(request.GET or None)
    actions = form.filter(Action.objects.visible_to(request.user))
    return form, _overdue_first(actions)


@role_required(*Action.OVERSEERS)
def action_list(request):
    form, actions = _filtered_actions(request)
    number = request.GET.get("page")
    page = CappedPaginator(_rows(actions), PAGE_SIZE, number=number).get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/action_list.html",
        {
            "form": form,
            "page": page,
            "rows": _table_rows(request, page.object_list, show_owner=True),
            "query": query.urlencode(),
            "show_owner": True,
        },
    )


def action_export(request):
    """Every action this person may see (visible_to: an owner their own), with the list's
    filters, so whoever has a list of actions can take it to a spreadsheet."""
    form, actions = _filtered_actions(request)
    response, writer = csv_response("actions.csv")
    writer.writerow(
        [
            "id",
            "title",
            "owner",
            "owner active",
            "status",
            "priority",
            "due on",
            "overdue",
            "source",
            "client",
            "evidence",
            "done at",
            "verified by",
            "verified at",
            "re-check on",
            "url",
        ]
    )
    count = 0
    for action in actions.select_related("owner", "client", "verified_by").iterator(chunk_size=500):
        source = "; ".join(kind.label for kind in action.source_kinds())
        writer.writerow(
            [
                action.pk,
                action.title,
                action.owner,
                "yes" if action.owner.is_active else "no",
                action.get_status_display(),
                action.get_priority_display(),
                action.due_on,
                "yes" if action.is_overdue else "no",
                source,
                action.client or "",
                action.evidence,
                action.done_at and timezone.localtime(action.done_at).isoformat(),
                action.verified_by or "",
                action.verified_at and timezone.localtime(action.verified_at).isoformat(),
                action.recheck_on or "",
                request.build_absolute_uri(action.get_absolute_url()),
            ]
        )
        count += 1
    audit.record(
        actor=request.user,
        verb="export",
        object_type="actions.action",
        request=request,
        detail={"rows": count, "filters": request.GET.urlencode()},
    )
    return response


def _detail_context(request, action: Action, **forms) -> dict:
    user = request.user
    action = _with_permissions([action], user)[0]
    is_owner = action.owner_id == user.pk
    rollout = Action.objects.filter(rollout_of=action).first() if action.is_pilot else None
    context = {
        "action": action,
        "sources": _sources_of(action, user),
        "events": action.events.select_related("actor"),
        "pending_reminders": action.reminders.filter(sent_at__isnull=True).select_related(
            "recipient"
        )
        if action.user_can_manage or action.user_can_verify
        else [],
        "can_reopen": action.reopenable_by(user) and not action.is_open,
        "can_snooze": is_owner and action.is_open and action.snoozed_until is None,
        "complete_form": CompleteForm(),
        "wont_do_form": WontDoForm(),
        "verify_form": VerifyForm(),
        "snooze_form": SnoozeForm(),
        "reopen_form": ReopenForm(),
        "comment_form": CommentForm(),
        "rollout": rollout,
        "today": timezone.localdate(),
        "can_pilot": action.user_can_manage and action.is_open and not action.pilot_result,
        "can_record_result": action.user_can_manage
        and action.pilot_running
        and action.status != Action.Status.WONT_DO,
        "can_rollout": action.user_can_manage
        and action.pilot_result == Action.PilotResult.WORKED
        and rollout is None,
        "pilot_form": PilotForm(
            initial={
                "hypothesis": action.hypothesis,
                "success_measure": action.success_measure,
                "review_on": action.review_on,
            }
        ),
        "pilot_result_form": PilotResultForm(),
    }
    context.update(forms)
    return context


def action_detail(request, pk: int):
    action = _get_action_for_user(request, pk)
    action = Action.objects.select_related(
        *ROW_RELATED,
        *(related for source in Action.SOURCES for related in source.related),
        "rollout_of",
        "pilot_result_by",
    ).get(pk=action.pk)
    return render(request, "actions/action_detail.html", _detail_context(request, action))


def action_new(request):
    form = ActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        action = form.create(by=request.user)
        messages.success(request, "Action created. Its owner will be reminded as it falls due.")
        return redirect(action)
    return render(request, "actions/action_form.html", {"form": form, "action": None})


def action_edit(request, pk: int):
    action = _get_editable_action_for_user(request, pk)
    form = ActionForm(request.POST or None, instance=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The form worked on `action` in memory; the service starts from the stored row.
        stored = Action.objects.select_related(*ROW_RELATED).get(pk=action.pk)
        try:
            services.edit_action(
                action=stored,
                by=request.user,
                title=data["title"],
                detail=data["detail"],
                priority=data["priority"],
                due_on=data["due_on"],
                owner=data["owner"],
                client=data["client"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action saved.")
            return redirect(stored)
        action = stored
    return render(request, "actions/action_form.html", {"form": form, "action": action})


def _respond(request, action: Action, *, success: str, form_name: str = "", form=None):
    """After a status change: htmx gets the refreshed row (or its inline form with errors), a
    normal request the detail page (redirect on success, the page with errors otherwise)."""
    action = Action.objects.select_related(*ROW_RELATED).get(pk=action.pk)
    if request.htmx:
        _with_permissions([action], request.user)
        context = {
            "action": action,
            "show_owner": request.POST.get("show_owner") == "1",
            "row_form": form,
            "row_form_name": form_name,
            "row_message": "" if form is not None else success,
        }
        return render(request, "actions/_row.html", context)
    if form is None:
        messages.success(request, success)
        return redirect(action)
    return render(
        request,
        "actions/action_detail.html",
        _detail_context(request, action, **{form_name: form}),
    )


def _apply(request, action, form, form_name, success, change):
    """Run `change(cleaned_data)` when the form is valid; service refusals land on the form."""
    if form.is_valid():
        try:
            change(form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            return _respond(request, action, success=success)
    return _respond(request, action, success=success, form_name=form_name, form=form)


def _add_service_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def _transition(request, pk: int, name: str, success: str):
    """A status change from the action's page or its row: forms.TRANSITIONS says which form
    checks what was sent and which service makes the change, for the API too."""
    action = _get_action_for_user(request, pk)
    form_class, change = TRANSITIONS[name]
    return _apply(
        request,
        action,
        form_class(request.POST),
        f"{name}_form",
        success,
        lambda data: change(action, request.user, data),
    )


@require_POST
def action_start(request, pk: int):
    return _transition(request, pk, "start", "Marked in progress.")


@require_POST
def action_complete(request, pk: int):
    return _transition(request, pk, "complete", "Marked done. A partner will verify the change.")


@require_POST
def action_verify(request, pk: int):
    return _transition(request, pk, "verify", "Verified. Thank you for closing the loop.")


@require_POST
def action_wont_do(request, pk: int):
    return _transition(request, pk, "wont_do", "Marked won't do.")


@require_POST
def action_reopen(request, pk: int):
    return _transition(request, pk, "reopen", "Reopened.")


@require_POST
def action_snooze(request, pk: int):
    action = _get_action_for_user(request, pk)
    return _apply(
        request,
        action,
        SnoozeForm(request.POST),
        "snooze_form",
        "Reminders snoozed.",
        lambda data: services.snooze_action(
            action=action, by=request.user, until=data["until"], reason=data["reason"]
        ),
    )


@require_POST
def action_comment(request, pk: int):
    """Add to the action's thread; htmx swaps the thread in place, without a reload."""
    action = _get_action_for_user(request, pk)
    form = CommentForm(request.POST)
    message = ""
    if form.is_valid():
        try:
            _, mentions = services.comment_on_action(
                action=action, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            message, form = mentions.summary("action"), CommentForm()
    if request.htmx:
        context = {
            "action": action,
            "events": action.events.select_related("actor"),
            "comment_form": form,
            "comment_message": message,
        }
        return render(request, "actions/_thread.html", context)
    if message:
        messages.success(request, message)
        return redirect(action)
    action = Action.objects.select_related(*ROW_RELATED).get(pk=action.pk)
    return render(
        request, "actions/action_detail.html", _detail_context(request, action, comment_form=form)
    )


@require_POST
def action_pilot(request, pk: int):
    action = _get_action_for_user(request, pk)
    return _apply(
        request,
        action,
        PilotForm(request.POST),
        "pilot_form",
        "Pilot plan saved. Record the result on the review date.",
        lambda data: services.mark_pilot(
            action=action,
            by=request.user,
            hypothesis=data["hypothesis"],
            success_measure=data["success_measure"],
            review_on=data["review_on"],
        ),
    )


@require_POST
def action_pilot_result(request, pk: int):
    action = _get_action_for_user(request, pk)
    return _apply(
        request,
        action,
        PilotResultForm(request.POST),
        "pilot_result_form",
        "Pilot result recorded.",
        lambda data: services.record_pilot_result(
            action=action, by=request.user, result=data["result"], learning=data["learning"]
        ),
    )


@require_POST
def action_rollout(request, pk: int):
    """One click: a pilot that worked becomes a new action, which opens next."""
    pilot = _get_action_for_user(request, pk)
    form = forms.Form(request.POST)
    try:
        rollout = services.rollout_pilot(pilot=pilot, by=request.user)
    except ValidationError as error:
        _add_service_error(form, error)
        return _respond(request, pilot, success="", form_name="rollout_form", form=form)
    messages.success(
        request,
        f"Rolled out as a new action for {rollout.owner.name}, due "
        f"{rollout.due_on:%b %d}. Edit it to change the owner or the date.",
    )
    return redirect(rollout)


# Notifications ----------------------------------------------------------------------------------

NOTIFICATIONS_PER_PAGE = 30


@require_GET
def notification_list(request):
    """The person's inbox, newest first; unread ones stand out."""
    page = Paginator(notifications.inbox(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "actions/notification_list.html",
        {"page": page, "unread": notifications.unread_count(request.user)},
    )


@require_POST
def notification_read(request):
    """Mark one notification read (`id`), or every one (no id)."""
    ids = None
    if "id" in request.POST:
        try:
            ids = [int(request.POST["id"])]
        except ValueError:
            ids = []
    notifications.mark_read(user=request.user, ids=ids)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("actions:notification_list")


@require_GET
def notification_open(request, pk):
    """Follow a notification to what it is about, marking it read on the way."""
    note = get_object_or_404(notifications.inbox(request.user), pk=pk)
    notifications.mark_read(user=request.user, ids=[note.pk])
    if url_has_allowed_host_and_scheme(note.url, allowed_hosts=None) and note.url.startswith("/"):
        return redirect(note.url)
    return redirect("actions:notification_list")


def notification_settings(request):
    form = NotificationSettingsForm(
        request.POST or None,
        preferences=notifications.preferences_of(request.user),
        lessons_digest=request.user.lessons_digest,
    )
    if request.method == "POST" and form.is_valid():
        notifications.set_preferences(
            user=request.user,
            channels=form.channels(),
            lessons_digest=form.cleaned_data["lessons_digest"],
        )
        messages.success(request, "Your notification settings are saved.")
        return redirect("actions:notification_settings")
    return render(request, "actions/notification_settings.html", {"form": form})
