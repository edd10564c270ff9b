"""Pages of the feedback app. Who may do what:

- Clients: partners and facilitators see every client, account managers the clients they manage
  or partner. Partners create and edit any client and import CSV; an account manager creates
  clients (as their account manager) and edits the clients they manage, but cannot hand one to
  someone else. Anyone sees and exports only the clients they can see.
- Exit interviews: ExitInterview.objects.visible_to (partners all; a restricted one only its
  interviewer too; otherwise the interviewer, the client's account manager and facilitators of a
  review that includes it). Partners, the interviewer and the client's account manager (unless
  restricted) edit and finalise; facilitators only read. Only partners read the audit trail.
  The list of interviews (/interviews/) and its export are open to anyone logged in and show
  exactly what visible_to allows; words shown and restricted interviews listed are audited.
- Feedback triage: partners all responses, including the firm-wide link's; account managers the
  responses about their clients. Partners manage the firm-wide link. Whoever triages a response
  may mark it urgent.
- Save attempts: partners all; otherwise the attempt's owner and the client's account manager,
  who also record the first contact and close it. The list is for partners, account managers
  and anyone who owns an attempt; everyone else gets 404.
- Staff suggestions: anyone logged in suggests, named or anonymously, and follows their named
  suggestions on "My suggestions", an anonymous one through its receipt link (anyone holding the
  link may read it, like the public feedback link). Partners and facilitators read and answer
  every suggestion; everyone else gets 404 on those pages.
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import page_not_found

from accounts import audit, throttle
from accounts.caching import cached_rows
from accounts.csv_export import (
    Column,
    absolute_url,
    csv_response,
    list_csv,
    local_time,
    wants_csv,
)
from accounts.decorators import role_required
from accounts.models import AuditEvent, User
from accounts.network import client_ip
from accounts.paging import CappedPaginator
from accounts.widgets import search_options
from actions.forms import CommentForm
from actions.models import Action

from . import blame, search, services
from .forms import (
    LONG_TEXT,
    ClientFilterForm,
    ClientForm,
    ClientImportForm,
    CloseSaveForm,
    FeedbackActionForm,
    FeedbackLinkEmailForm,
    FinaliseForm,
    FirstContactForm,
    InterviewFilterForm,
    InterviewForm,
    LearningCheckForm,
    PublicFeedbackForm,
    ReplyForm,
    SuggestionAcceptForm,
    SuggestionDeclineForm,
    SuggestionForm,
    SuggestionMergeForm,
    TriageForm,
)
from .models import (
    Client,
    ExitInterview,
    FeeChange,
    FeedbackRequest,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAttempt,
    ServiceLine,
    Suggestion,
)

CLIENTS_PER_PAGE = 25
INTERVIEWS_PER_PAGE = 25
SAVES_PER_PAGE = 25
# The public form: at most this many posts per address in the window (seconds).
PUBLIC_POSTS_PER_WINDOW = 5
PUBLIC_WINDOW = 10 * 60


def _answer_404_inside_transaction(view):
    """ATOMIC_REQUESTS rolls back a view that raises, and with it the audit row of a denied
    attempt; answering the 404 from inside the view keeps that row."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404 as exc:
            return page_not_found(request, exc)

    return wrapper


def _posted(request):
    """The submitted data, or None for a GET; an empty POST still binds (and fails) the form."""
    return request.POST if request.method == "POST" else None


def _safe_next(request, value: str) -> str | None:
    """A path on this site to go back to, or None: never another host, never a scheme."""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


# Clients ----------------------------------------------------------------------------------------


def _get_client_for_user(request, pk) -> Client:
    return get_object_or_404(Client.objects.visible_to(request.user), pk=pk)


def _get_client_for_editor(request, pk) -> Client:
    return get_object_or_404(Client.objects.editable_by(request.user), pk=pk)


def _filtered_clients(request):
    form = ClientFilterForm(request.GET or None)
    return form, form.filter(Client.objects.visible_to(request.user))


# The columns a row of the client list shows (feedback/_client_row.html), and no more.
ROW_FIELDS = [
    "name",
    "status",
    "annual_fees",
    "office__name",
    *(f"account_manager__{field}" for field in User.NAME_FIELDS),
]


def _client_row_version(client: Client) -> tuple:
    """Everything a row of the client list shows: rows with the same version look the same, so
    a row is rendered once and then served from the cache."""
    return (
        client.pk,
        client.name,
        client.status,
        client.get_status_display(),
        tuple(line.name for line in client.service_lines.all()),
        client.office.name if client.office_id else None,
        client.account_manager.name if client.account_manager_id else None,
        client.annual_fees,
    )


def client_list(request):
    form, clients = _filtered_clients(request)
    clients = (
        clients.select_related("office", "account_manager")
        .only(*ROW_FIELDS)
        .prefetch_related(Prefetch("service_lines", ServiceLine.objects.only("name")))
    )
    number = request.GET.get("page")
    page = CappedPaginator(clients, CLIENTS_PER_PAGE, number=number).get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/client_list.html",
        {
            "form": form,
            "page": page,
            "rows": cached_rows(
                request,
                "feedback/_client_row.html",
                page.object_list,
                name="client",
                version=_client_row_version,
            ),
            "query": query.urlencode(),
            "can_create": request.user.has_any_role(*Client.EDITORS),
            "can_import": request.user.has_any_role(*Client.IMPORTED_BY),
        },
    )


@require_GET
def client_options(request):
    """The clients a client menu offers while someone types a name (accounts.widgets.SearchSelect):
    only clients this person may see."""
    options = search_options(
        request,
        Client.objects.visible_to(request.user).order_by("name"),
        search=lambda clients, text: clients.filter(name__icontains=text),
    )
    return HttpResponse(options)


@require_GET
def interview_options(request):
    """The exit interviews an interview menu offers, searched by client name: only those this
    person may read. Labels name the client and the date, never what was said."""
    options = search_options(
        request,
        ExitInterview.objects.visible_to(request.user)
        .select_related("client")
        .order_by("-held_on", "-pk"),
        search=lambda interviews, text: interviews.filter(client__name__icontains=text),
    )
    return HttpResponse(options)


def client_export(request):
    _, clients = _filtered_clients(request)
    clients = clients.select_related(
        "office", "account_manager", "relationship_partner"
    ).prefetch_related("service_lines")
    response, writer = csv_response("clients.csv")
    services.export_clients(clients=clients, writer=writer, by=request.user, request=request)
    return response


def client_detail(request, pk):
    client = _get_client_for_user(request, pk)
    user = request.user
    can_edit = Client.objects.editable_by(user).filter(pk=client.pk).exists()
    interviews = (
        ExitInterview.objects.visible_to(user)
        .filter(client=client)
        .select_related("interviewer", "client_primary_reason")
    )
    feedback = (
        FeedbackResponse.objects.visible_to(user).filter(client=client).select_related("reason")
    )
    return render(
        request,
        "feedback/client_detail.html",
        {
            "client": client,
            "can_edit": can_edit,
            "interviews": interviews,
            "feedback": feedback[:20],
            "reviews": client.reviews.visible_to(user).select_related("facilitator"),
            "actions": client.actions.visible_to(user).still_open().select_related("owner"),
            "link": services.active_link(client) if can_edit else None,
            "link_emails": client.link_emails.select_related("sent_by")[:10] if can_edit else [],
            "fee_changes": FeeChange.objects.visible_to(user)
            .filter(client=client)
            .select_related("changed_by"),
            "save_attempts": SaveAttempt.objects.visible_to(user)
            .filter(client=client)
            .select_related("owner")
            .order_by("-opened_at"),
        },
    )


def _client_form(request, client: Client | None):
    form = ClientForm(_posted(request), instance=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        is_new = form.instance.pk is None
        client = form.save()
        audit.record(
            actor=request.user, verb="create" if is_new else "update", obj=client, request=request
        )
        messages.success(request, f"{client} saved.")
        return redirect(client)
    return render(request, "feedback/client_form.html", {"form": form, "client": client})


@role_required(*Client.EDITORS)
def client_new(request):
    return _client_form(request, None)


def client_edit(request, pk):
    return _client_form(request, _get_client_for_editor(request, pk))


@role_required(*Client.IMPORTED_BY)
def client_import(request):
    form = ClientImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_clients(
            data=form.cleaned_data["file"].read(), by=request.user, request=request
        )
        if not result.errors:
            messages.success(
                request,
                f"Imported {result.created} new and updated {result.updated} existing clients.",
            )
            return redirect("feedback:client_list")
    return render(request, "feedback/client_import.html", {"form": form, "result": result})


@require_POST
def client_link(request, pk):
    client = _get_client_for_editor(request, pk)
    if request.POST.get("do") == "revoke":
        services.revoke_feedback_link(client=client, by=request.user)
        messages.success(request, "The feedback link is revoked; it no longer opens the form.")
    else:
        services.issue_feedback_link(client=client, by=request.user)
        messages.success(request, "A new feedback link is ready; any older link stopped working.")
    return redirect(client)


def client_link_email(request, pk):
    """E-mail the client's feedback link to its contact, in words the sender may edit first."""
    client = _get_client_for_editor(request, pk)
    initial = services.feedback_link_message(client=client, by=request.user)
    initial["remember_contact"] = not client.contact_email
    form = FeedbackLinkEmailForm(_posted(request), initial=initial, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.email_feedback_link(
                client=client, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The feedback link is on its way to {sent.to}.")
            return redirect(client)
    return render(
        request,
        "feedback/feedback_link_email.html",
        {"form": form, "client": client, "link": services.active_link(client)},
    )


# Exit interviews --------------------------------------------------------------------------------


def _get_interview_for_user(request, pk, *, editable: bool = False) -> ExitInterview:
    """The one place that decides who may see (or change) an interview; everyone else gets 404,
    and the attempt on an interview that exists is written to the audit log."""
    interviews = ExitInterview.objects.visible_to(request.user)
    if editable:
        interviews = interviews.filter(
            pk__in=ExitInterview.objects.editable_by(request.user).values("pk")
        )
    interview = services.readable_interview(
        interviews=interviews.select_related(
            "client__account_manager", "interviewer", "client_primary_reason", "team_reason"
        ),
        pk=pk,
        request=request,
    )
    if interview is None:
        raise Http404("No such interview.")
    return interview


def _no_store(view):
    """Interviews are confidential: no browser or proxy keeps a copy."""
    return _answer_404_inside_transaction(never_cache(view))


def _filtered_interviews(request):
    """The interviews this person may read that pass the list's filters and search, unordered."""
    form = InterviewFilterForm(request.GET or None)
    return form, form.readable_by(request.user)


# The columns a row of the interview list shows (feedback/interview_list.html), and no more.
INTERVIEW_ROW_FIELDS = [
    "held_on",
    "status",
    "restricted",
    "client__name",
    "client_primary_reason__name",
    "client_primary_reason__controllable",
    *(f"interviewer__{field}" for field in User.NAME_FIELDS),
]


@_no_store
@require_GET
def interview_list(request):
    """Exit interviews one may read, filtered and searched. Showing what was said is a read of
    each interview shown, and so is listing a restricted one: both are audited."""
    form, matches = _filtered_interviews(request)
    interviews, ranked, counted = search.ordered(matches, form.search)
    interviews = interviews.select_related("client", "client_primary_reason", "interviewer").only(
        *INTERVIEW_ROW_FIELDS
    )
    number = request.GET.get("page")
    paginator = CappedPaginator(interviews, INTERVIEWS_PER_PAGE, number=number, counted=counted)
    page = paginator.get_page(number)
    shown = list(page.object_list)
    snippets = search.snippets(shown, form.search)
    audit.record_each(
        actor=request.user,
        verb="view",
        objects=[i for i in shown if i.pk in snippets or i.restricted],
        request=request,
        detail={"page": "list"},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/interview_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(interview, snippets.get(interview.pk)) for interview in shown],
            "searched": bool(form.search),
            "ranked": ranked,
            "ranked_at_most": search.RANKED_AT_MOST,
            "full_text": search.full_text(),
            "query": query.urlencode(),
        },
    )


@_no_store
@require_GET
def interview_export(request):
    _, interviews = _filtered_interviews(request)
    interviews = interviews.select_related(
        "client__office",
        "client__account_manager",
        "interviewer",
        "client_primary_reason",
        "team_reason",
    ).order_by("-held_on", "-pk")
    response, writer = csv_response("exit-interviews.csv")
    services.export_interviews(
        interviews=interviews, writer=writer, by=request.user, request=request
    )
    return response


def _interview_form(request, form: InterviewForm, *, client: Client, is_new: bool):
    if request.method == "POST" and form.is_valid():
        finalise = request.POST.get("intent") == "finalise"
        if not finalise or form.check_ready_to_finalise():
            interview = form.save()
            audit.record(
                actor=request.user,
                verb="create" if is_new else "update",
                obj=interview,
                request=request,
            )
            if finalise:
                services.finalise_interview(
                    interview=interview,
                    by=request.user,
                    mark_client_lost=form.cleaned_data["mark_client_lost"],
                    lost_on=form.cleaned_data["client_lost_on"],
                    request=request,
                )
                messages.success(request, "Interview finalised.")
            else:
                messages.success(request, "Interview saved. You can finish it later.")
            return redirect(interview)
    interviewer = form.instance.interviewer
    hypothesis = form["team_hypothesis"].value() or ""
    return render(
        request,
        "feedback/interview_form.html",
        {
            "form": form,
            "client": client,
            "interview": None if is_new else form.instance,
            "bias_note": interviewer is not None and interviewer.pk == client.account_manager_id,
            "blame_flags": blame.detect(hypothesis),
        },
    )


@_no_store
def interview_new(request, pk):
    client = _get_client_for_editor(request, pk)
    interview = ExitInterview(client=client, interviewer=request.user)
    form = InterviewForm(
        _posted(request),
        instance=interview,
        initial={
            "held_on": timezone.localdate(),
            "fees_lost": client.annual_fees,
            "client_lost_on": client.current_lost_on or timezone.localdate(),
        },
    )
    return _interview_form(request, form, client=client, is_new=True)


@_no_store
def interview_edit(request, pk):
    interview = _get_interview_for_user(request, pk, editable=True)
    if request.method == "GET":
        audit.record(actor=request.user, verb="view", obj=interview, request=request)
    form = InterviewForm(
        _posted(request),
        instance=interview,
        initial={"client_lost_on": interview.client.current_lost_on or timezone.localdate()},
    )
    return _interview_form(request, form, client=interview.client, is_new=False)


@_no_store
def interview_detail(request, pk):
    return _interview_page(request, _get_interview_for_user(request, pk))


def _interview_page(request, interview: ExitInterview, *, finalise_form=None):
    """An interview's page; a finalise form that was refused comes back as filled in, with its
    errors next to its fields."""
    audit.record(actor=request.user, verb="view", obj=interview, request=request)
    can_edit = ExitInterview.objects.editable_by(request.user).filter(pk=interview.pk).exists()
    return render(
        request,
        "feedback/interview_detail.html",
        {
            "interview": interview,
            "client": interview.client,
            "other_reasons": interview.client_other_reasons.all(),
            "can_edit": can_edit,
            "blame_flags": blame.detect(interview.team_hypothesis),
            "finalise_form": finalise_form
            or FinaliseForm(
                initial={"client_lost_on": interview.client.current_lost_on or timezone.localdate()}
            ),
        },
    )


@_no_store
@require_POST
def interview_finalise(request, pk):
    interview = _get_interview_for_user(request, pk, editable=True)
    form = FinaliseForm(request.POST)
    if not form.is_valid():
        return _interview_page(request, interview, finalise_form=form)
    try:
        services.finalise_interview(
            interview=interview,
            by=request.user,
            mark_client_lost=form.cleaned_data["mark_client_lost"],
            lost_on=form.cleaned_data["client_lost_on"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("feedback:interview_edit", pk=interview.pk)
    if form.cleaned_data["mark_client_lost"]:
        messages.success(request, f"Interview finalised; {interview.client} is marked as lost.")
    else:
        messages.success(request, "Interview finalised.")
    return redirect(interview)


@_no_store
def interview_audit(request, pk):
    interview = _get_interview_for_user(request, pk)
    if not request.user.is_partner:
        audit.record(
            actor=request.user,
            verb="denied",
            obj=interview,
            request=request,
            detail={"path": request.path},
        )
        raise Http404
    audit.record(
        actor=request.user, verb="view", obj=interview, request=request, detail={"page": "audit"}
    )
    events = AuditEvent.objects.filter(
        object_type="feedback.exitinterview", object_id=str(interview.pk)
    ).select_related("actor")
    return render(
        request, "feedback/interview_audit.html", {"interview": interview, "events": events}
    )


@require_POST
def interview_blame_check(request):
    """htmx: re-check the team's hypothesis for blame language as it is typed."""
    text = request.POST.get("team_hypothesis", "")[:LONG_TEXT]
    return render(request, "feedback/_blame_hint.html", {"blame_flags": blame.detect(text)})


# The public feedback channel ---------------------------------------------------------------------


@login_not_required
@never_cache
def public_form(request, token):
    # Unknown and revoked links get the same 404, so links reveal nothing about clients.
    feedback_request = get_object_or_404(
        FeedbackRequest.objects.select_related("client"), token=token, revoked_at__isnull=True
    )
    form = PublicFeedbackForm(
        _posted(request), heard_back=services.client_heard_back(feedback_request)
    )
    status = 200
    if request.method == "POST":
        if not throttle.attempt(
            "feedback:public-posts",
            client_ip(request),
            limit=PUBLIC_POSTS_PER_WINDOW,
            window=PUBLIC_WINDOW,
        ):
            return render(
                request,
                "feedback/public_form.html",
                {"form": form, "feedback_request": feedback_request, "too_many": True},
                status=429,
            )
        if form.data.get("website"):
            return redirect("feedback:public_thanks")
        if form.is_valid():
            response = form.save(commit=False)
            response.request = feedback_request
            response.client = feedback_request.client
            response.acted_on = form.cleaned_data.get("acted_on")
            if not response.contact_consent:
                response.contact_name = response.contact_email = ""
            response.save()
            services.feedback_received(response=response)
            return redirect("feedback:public_thanks")
        status = 400
    return render(
        request,
        "feedback/public_form.html",
        {"form": form, "feedback_request": feedback_request},
        status=status,
    )


@login_not_required
def public_thanks(request):
    return render(request, "feedback/public_thanks.html")


# Triage -----------------------------------------------------------------------------------------


def _get_response_for_user(request, pk) -> FeedbackResponse:
    return get_object_or_404(
        FeedbackResponse.objects.visible_to(request.user).select_related(
            "client", "linked_action", "reason"
        ),
        pk=pk,
    )


@role_required(*FeedbackResponse.TRIAGERS)
def feedback_detail(request, pk):
    """One response and its discussion; a comment is added without a reload (htmx)."""
    response = _get_response_for_user(request, pk)
    form = CommentForm(_posted(request))
    message = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, mentions = services.comment_on_feedback(
                response=response, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message, form = mentions.summary("feedback"), CommentForm()
    context = {
        "response": response,
        "comments": response.comments.select_related("author"),
        "comment_form": form,
        "comment_message": message,
    }
    if request.htmx and request.method == "POST":
        return render(request, "feedback/_comments.html", context)
    if message:
        messages.success(request, message)
        return redirect(response)
    return render(request, "feedback/feedback_detail.html", context)


def _linkable_actions(user: User):
    """Actions a triager may link: those they can see, and those about their clients."""
    return (
        Action.objects.filter(
            Q(pk__in=Action.objects.visible_to(user).values("pk")) | Q(client__account_manager=user)
        )
        .exclude(status=Action.Status.WONT_DO)
        .order_by("-created_at")
    )


# The triage list's CSV: each response as the triage page shows it; the client's contact only
# where they agreed to be contacted.
RESPONSE_COLUMNS = [
    Column("id", lambda response: response.pk),
    Column("submitted at", lambda response: local_time(response.submitted_at)),
    Column("client", lambda response: response.client.name if response.client else "firm-wide"),
    Column("rating", lambda response: response.rating),
    Column("doing right", lambda response: response.doing_right),
    Column("do better", lambda response: response.do_better),
    Column("triage", lambda response: response.get_triage_display()),
    Column("reason", lambda response: response.reason.name if response.reason else ""),
    Column("action", lambda response: response.linked_action_id or ""),
    Column("handled by", lambda response: response.handled_by.name if response.handled_by else ""),
    Column(
        "contact name", lambda response: response.contact_name if response.contact_consent else ""
    ),
    Column(
        "contact e-mail",
        lambda response: response.contact_email if response.contact_consent else "",
    ),
]


@role_required(*FeedbackResponse.TRIAGERS)
def feedback_triage(request):
    show = request.GET.get("show", "new")
    responses = (
        FeedbackResponse.objects.visible_to(request.user)
        .select_related("client", "reason", "linked_action", "handled_by", "save_attempt")
        .annotate(comment_count=Count("comments"))
        # Counting groups the rows, and a grouped query drops the model's default order.
        .order_by("-submitted_at", "-id")
    )
    if show in FeedbackResponse.Triage.values:
        responses = responses.filter(triage=show)
    if wants_csv(request):
        return list_csv(
            request,
            responses,
            columns=RESPONSE_COLUMNS,
            filename="feedback.csv",
            object_type="feedback.feedbackresponse",
        )
    page = Paginator(responses, 20).get_page(request.GET.get("page"))
    for response in page:
        response.can_reply = services.can_reply(response)
    firm_link = services.active_link(None) if request.user.is_partner else None
    return render(
        request,
        "feedback/triage.html",
        {
            "page": page,
            "show": show,
            "reasons": list(LossReason.objects.filter(active=True)),
            "actions": list(_linkable_actions(request.user)[:200]),
            "firm_link": firm_link,
        },
    )


@role_required(*FeedbackResponse.TRIAGERS)
@require_POST
def feedback_triage_update(request, pk):
    response = _get_response_for_user(request, pk)
    form = TriageForm(request.POST, instance=response, actions=_linkable_actions(request.user))
    if form.is_valid():
        services.triage_response(
            response=response,
            by=request.user,
            reason=form.cleaned_data["reason"],
            linked_action=form.cleaned_data["linked_action"],
            handled=form.cleaned_data["handled"],
        )
        messages.success(request, "Feedback updated.")
    else:
        messages.error(request, "That reason or action is not available.")
    return _back_to_triage(request)


def _back_to_triage(request):
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return HttpResponseRedirect(back)
    return redirect("feedback:feedback_triage")


@role_required(*FeedbackResponse.TRIAGERS)
@require_POST
def feedback_mark_urgent(request, pk):
    response = _get_response_for_user(request, pk)
    try:
        services.mark_urgent(response=response, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            "Marked urgent. The account manager and relationship partner are alerted and a "
            "save attempt opens within minutes.",
        )
    return _back_to_triage(request)


@role_required(*FeedbackResponse.TRIAGERS)
def feedback_action_new(request, pk):
    response = _get_response_for_user(request, pk)
    form = FeedbackActionForm(
        _posted(request),
        initial={
            "owner": request.user.pk,
            "due_on": timezone.localdate() + dt.timedelta(days=30),
        },
    )
    if request.method == "POST" and form.is_valid():
        services.create_action_from_feedback(
            response=response, by=request.user, **form.cleaned_data
        )
        messages.success(request, "Action created and linked to the feedback.")
        return redirect("feedback:feedback_triage")
    return render(
        request, "feedback/feedback_action_form.html", {"form": form, "response": response}
    )


@role_required(*FeedbackResponse.TRIAGERS)
def feedback_reply(request, pk):
    response = _get_response_for_user(request, pk)
    if not services.can_reply(response):
        messages.error(
            request,
            "A reply needs a verified linked action and the client's consent to be contacted.",
        )
        return redirect("feedback:feedback_triage")
    form = ReplyForm(_posted(request), initial={"text": services.reply_draft(response)})
    if request.method == "POST" and form.is_valid():
        services.reply_to_feedback(
            response=response, by=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, f"Reply queued to {response.contact_email}.")
        return redirect("feedback:feedback_triage")
    return render(request, "feedback/feedback_reply.html", {"form": form, "response": response})


@role_required(*FeedbackRequest.FIRM_WIDE_BY)
@require_POST
def firm_link(request):
    if request.POST.get("do") == "revoke":
        services.revoke_feedback_link(client=None, by=request.user)
        messages.success(request, "The firm-wide feedback link is revoked.")
    else:
        services.issue_feedback_link(client=None, by=request.user)
        messages.success(request, "A new firm-wide feedback link is ready.")
    return redirect("feedback:feedback_triage")


# Learning-capacity check ------------------------------------------------------------------------


def learning_check(request):
    quarter = services.quarter_of(timezone.localdate())
    done = LearningCheck.objects.filter(respondent=request.user, quarter=quarter).first()
    form = None if done else LearningCheckForm(_posted(request))
    if form is not None and request.method == "POST" and form.is_valid():
        check = form.save(commit=False)
        check.respondent, check.quarter = request.user, quarter
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError:
            messages.info(request, "You already answered this quarter's check.")
        else:
            messages.success(request, "Thank you. Your answers are in.")
        return redirect("feedback:learning_check")
    previous = LearningCheck.objects.filter(respondent=request.user)[:8]
    return render(
        request,
        "feedback/learning_check.html",
        {
            "quarter": quarter,
            "done": done,
            "form": form,
            "previous": [
                (check, [getattr(check, f"item{i}") for i in range(1, 6)]) for check in previous
            ],
            "items": LearningCheck.ITEMS,
        },
    )


# Save attempts ----------------------------------------------------------------------------------


def _get_save_for_user(request, pk) -> SaveAttempt:
    return get_object_or_404(
        SaveAttempt.objects.visible_to(request.user).select_related(
            "client__account_manager", "client__relationship_partner", "owner", "closed_by"
        ),
        pk=pk,
    )


# The save attempts' CSV: each attempt as the list shows it.
SAVE_COLUMNS = [
    Column("id", lambda attempt: attempt.pk),
    Column("client", lambda attempt: attempt.client.name),
    Column("owner", lambda attempt: attempt.owner.name if attempt.owner else ""),
    Column("trigger", lambda attempt: attempt.get_trigger_display()),
    Column("status", lambda attempt: attempt.get_status_display()),
    Column("opened at", lambda attempt: local_time(attempt.opened_at)),
    Column("first contact due", lambda attempt: attempt.first_contact_due_on),
    Column("first contact on", lambda attempt: attempt.first_contact_on or ""),
    Column("closed at", lambda attempt: local_time(attempt.closed_at)),
    Column("responses", lambda attempt: attempt.response_count),
    Column("url", absolute_url),
]


@require_GET
def save_list(request):
    user = request.user
    attempts = SaveAttempt.objects.visible_to(user)
    if not (user.is_partner or user.is_account_manager or attempts.exists()):
        raise Http404
    show = "closed" if request.GET.get("show") == "closed" else "open"
    if show == "open":
        attempts = attempts.open().order_by("first_contact_due_on", "id")
    else:
        attempts = attempts.exclude(status=SaveAttempt.Status.OPEN).order_by("-closed_at", "-id")
    attempts = attempts.select_related("client", "owner").annotate(
        response_count=Count("responses")
    )
    if wants_csv(request):
        return list_csv(
            request,
            attempts,
            columns=SAVE_COLUMNS,
            filename="save-attempts.csv",
            object_type="feedback.saveattempt",
        )
    page = Paginator(attempts, SAVES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/save_list.html",
        {"page": page, "show": show, "today": timezone.localdate()},
    )


def _render_save(request, attempt: SaveAttempt, *, contact_form=None, close_form=None, status=200):
    user = request.user
    client = attempt.client
    return render(
        request,
        "feedback/save_detail.html",
        {
            "attempt": attempt,
            "client": client,
            "responses": attempt.responses.select_related("reason"),
            "contact_form": contact_form
            or FirstContactForm(
                attempt=attempt,
                initial={
                    "contacted_on": attempt.first_contact_on or timezone.localdate(),
                    "note": attempt.first_contact_note,
                },
            ),
            "close_form": close_form or CloseSaveForm(),
            "can_plan_review": user.is_partner or user.is_facilitator,
            "can_log_interview": Client.objects.editable_by(user).filter(pk=client.pk).exists(),
        },
        status=status,
    )


@require_GET
def save_detail(request, pk):
    return _render_save(request, _get_save_for_user(request, pk))


@require_POST
def save_contact(request, pk):
    attempt = _get_save_for_user(request, pk)
    if attempt.status != SaveAttempt.Status.OPEN:
        messages.error(request, "This save attempt is already closed.")
        return redirect(attempt)
    form = FirstContactForm(request.POST, attempt=attempt)
    if form.is_valid():
        try:
            services.record_first_contact(
                attempt=attempt,
                by=request.user,
                contacted_on=form.cleaned_data["contacted_on"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, "First contact recorded.")
            return redirect(attempt)
    return _render_save(request, attempt, contact_form=form, status=400)


@require_POST
def save_close(request, pk):
    attempt = _get_save_for_user(request, pk)
    if attempt.status != SaveAttempt.Status.OPEN:
        messages.error(request, "This save attempt is already closed.")
        return redirect(attempt)
    form = CloseSaveForm(request.POST)
    if form.is_valid():
        try:
            services.close_save_attempt(
                attempt=attempt,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            client = attempt.client
            if attempt.status == SaveAttempt.Status.SAVED:
                messages.success(request, f"Closed as saved; {client} is no longer at risk.")
                return redirect(attempt)
            if Client.objects.editable_by(request.user).filter(pk=client.pk).exists():
                messages.info(
                    request,
                    "Closed as lost. Record the exit interview; finalising it marks the client "
                    "as lost.",
                )
                return redirect("feedback:interview_new", pk=client.pk)
            messages.info(
                request, "Closed as lost. The account manager records the exit interview."
            )
            return redirect(attempt)
    return _render_save(request, attempt, close_form=form, status=400)


# Staff suggestions ------------------------------------------------------------------------------

SUGGESTIONS_PER_PAGE = 25
SUGGESTION_TABS = [
    ("new", "Not answered"),
    ("accepted", "Accepted"),
    ("merged", "Merged"),
    ("declined", "Declined"),
    ("all", "All"),
]


@never_cache
def suggestion_new(request):
    """The suggestion box, reachable from every page; it keeps the page the person came from."""
    data = _posted(request)
    form = SuggestionForm(data)
    back = _safe_next(request, (data or request.GET).get("next", ""))
    if data is not None and form.is_valid():
        try:
            submitted = services.submit_suggestion(
                text=form.cleaned_data["text"],
                by=request.user,
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if submitted.receipt_token is None:
                messages.success(
                    request, "Thank you. Follow your suggestion under “My suggestions”."
                )
                return redirect(back or "feedback:suggestion_mine")
            # Shown once, in this response: the token goes nowhere else, not even the session.
            receipt = reverse("feedback:suggestion_receipt", args=[submitted.receipt_token])
            return render(
                request,
                "feedback/suggestion_sent.html",
                {"receipt_url": request.build_absolute_uri(receipt), "back": back},
            )
    return render(
        request,
        "feedback/suggestion_form.html",
        {"form": form, "back": back},
        status=400 if data is not None else 200,
    )


def _with_outcomes(suggestions):
    return suggestions.select_related("merged_into").prefetch_related(
        "actions", "merged_into__actions"
    )


@require_GET
def suggestion_mine(request):
    suggestions = _with_outcomes(Suggestion.objects.filter(author=request.user))
    return render(request, "feedback/suggestion_mine.html", {"suggestions": suggestions})


@require_GET
@never_cache
def suggestion_receipt(request, token):
    suggestion = services.suggestion_for_receipt(token)
    if suggestion is None:
        raise Http404("No such receipt.")
    return render(request, "feedback/suggestion_receipt.html", {"suggestion": suggestion})


# The suggestion box's CSV: an anonymous suggestion has no author to write, only its day.
SUGGESTION_COLUMNS = [
    Column("id", lambda suggestion: suggestion.pk),
    Column("suggestion", lambda suggestion: suggestion.text),
    Column("from", lambda suggestion: suggestion.author.name if suggestion.author else "Anonymous"),
    Column("submitted on", lambda suggestion: suggestion.submitted_on),
    Column("status", lambda suggestion: suggestion.get_status_display()),
    Column("answer", lambda suggestion: suggestion.answer),
    Column("merged into", lambda suggestion: suggestion.merged_into_id or ""),
    Column(
        "decided by", lambda suggestion: suggestion.decided_by.name if suggestion.decided_by else ""
    ),
]


@require_GET
@role_required(*Suggestion.TRIAGERS)
def suggestion_triage(request):
    show = request.GET.get("show", "new")
    suggestions = Suggestion.objects.triageable_by(request.user).select_related(
        "author", "decided_by", "merged_into"
    )
    if show in Suggestion.Status.values:
        suggestions = suggestions.filter(status=show)
    else:
        show = "all"
    if wants_csv(request):
        return list_csv(
            request,
            suggestions,
            columns=SUGGESTION_COLUMNS,
            filename="suggestions.csv",
            object_type="feedback.suggestion",
        )
    page = Paginator(suggestions, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/suggestion_triage.html",
        {
            "page": page,
            "show": show,
            "tabs": SUGGESTION_TABS,
        },
    )


def _get_suggestion_for_triager(request, pk) -> Suggestion:
    """Partners and facilitators open any suggestion; everyone else gets 404."""
    return get_object_or_404(
        Suggestion.objects.triageable_by(request.user).select_related(
            "author", "decided_by", "merged_into"
        ),
        pk=pk,
    )


def _suggestion_detail(request, suggestion: Suggestion, status: int = 200, **forms):
    context = {
        "suggestion": suggestion,
        "action": suggestion.action,
        "duplicates": suggestion.duplicates.order_by("-submitted_on", "-id"),
        "accept_form": SuggestionAcceptForm(
            initial={
                "title": " ".join(suggestion.text.split())[:200],
                "owner": request.user.pk,
                "due_on": timezone.localdate() + dt.timedelta(days=30),
            }
        ),
        "decline_form": SuggestionDeclineForm(),
        "merge_form": SuggestionMergeForm(suggestion=suggestion),
    }
    context.update(forms)
    return render(request, "feedback/suggestion_detail.html", context, status=status)


@require_GET
@role_required(*Suggestion.TRIAGERS)
def suggestion_detail(request, pk):
    return _suggestion_detail(request, _get_suggestion_for_triager(request, pk))


def _decide_suggestion(request, suggestion, form, form_name: str, decide, done: str):
    """Run one triage decision; a refused one shows its message next to the form."""
    if form.is_valid():
        try:
            decide(form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("feedback:suggestion_triage")
    return _suggestion_detail(
        request, suggestion, status=400, refused=form.non_field_errors(), **{form_name: form}
    )


@require_POST
@role_required(*Suggestion.TRIAGERS)
def suggestion_accept(request, pk):
    suggestion = _get_suggestion_for_triager(request, pk)
    form = SuggestionAcceptForm(request.POST)
    return _decide_suggestion(
        request,
        suggestion,
        form,
        "accept_form",
        lambda data: services.accept_suggestion(
            suggestion=suggestion, by=request.user, request=request, **data
        ),
        "Accepted: the suggestion is now an improvement action.",
    )


@require_POST
@role_required(*Suggestion.TRIAGERS)
def suggestion_decline(request, pk):
    suggestion = _get_suggestion_for_triager(request, pk)
    form = SuggestionDeclineForm(request.POST)
    return _decide_suggestion(
        request,
        suggestion,
        form,
        "decline_form",
        lambda data: services.decline_suggestion(
            suggestion=suggestion, by=request.user, reason=data["reason"], request=request
        ),
        "Declined; the suggester can read your reason.",
    )


@require_POST
@role_required(*Suggestion.TRIAGERS)
def suggestion_merge(request, pk):
    suggestion = _get_suggestion_for_triager(request, pk)
    form = SuggestionMergeForm(request.POST, suggestion=suggestion)
    return _decide_suggestion(
        request,
        suggestion,
        form,
        "merge_form",
        lambda data: services.merge_suggestion(
            suggestion=suggestion,
            into=data["into"],
            by=request.user,
            note=data["note"],
            request=request,
        ),
        "Merged; its suggester now follows the other suggestion's answer.",
    )
