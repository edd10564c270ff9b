import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts import audit, caching
from accounts.csv_export import csv_response
from accounts.decorators import role_required
from accounts.ids import id_or_404
from accounts.models import Role
from actions.models import Action
from feedback.models import Client, LossReason
from retrospectives.models import Review

from . import activity as recent
from . import goals, panels, queries, services
from .forms import FilterForm, GoalForm, GoalValueForm
from .models import Goal

DRILL_PAGE_SIZE = 50
CHECK_IN_DUE_IN = dt.timedelta(days=14)


def _filters(request) -> tuple[FilterForm, queries.Filters]:
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.warning(request, "Some filters were not valid; those show their default.")
    return form, form.filters()


def _filter_query(request) -> str:
    """The filters of this page as a query string, for links that keep them."""
    kept = request.GET.copy()
    for name in list(kept):
        if name not in FilterForm.base_fields:
            del kept[name]
    return kept.urlencode()


@require_GET
def home(request):
    """The landing page: what this person can do, by role, with their own open work."""
    user = request.user
    today = timezone.localdate()
    my_actions = (
        Action.objects.filter(owner=user)
        .still_open()
        .select_related("client")
        .order_by("due_on", "id")
    )
    context = {
        "today": today,
        "my_actions": my_actions[:8],
        "my_action_counts": my_actions.aggregate(
            open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today))
        ),
        "upcoming_reviews": Review.objects.visible_to(user)
        .filter(status__in=[Review.Status.PLANNED, Review.Status.LIVE])
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__gte=timezone.now()))
        .select_related("facilitator")
        .order_by("scheduled_for", "id")[:5],
    }
    # The firm's goal and the person's office's, kept rendered until a goal changes.
    context["goals_html"] = _goals_html(request, today, office_id=user.office_id)
    if user.is_account_manager:
        context["my_clients"] = _my_clients(user)[:8]
    if user.is_partner:
        snapshot = services.snapshot_for(filters=services.default_filters(today))
        context["headline"] = snapshot.data["headline"]
        context["data_as_of"] = snapshot.computed_at
    return render(request, "dashboard/home.html", context)


@require_GET
def activity(request):
    """The home page's "while you were away" list, loaded after the page (htmx), so the home
    page itself costs no more."""
    return render(
        request, "dashboard/_activity.html", {"items": recent.recent_activity(request.user)}
    )


def _goals_html(request, today, *, office_id=None, every_office: bool = False) -> str:
    """The goals of the firm and an office (on the partners' dashboard: every office's, with the
    partners' buttons), rendered once per version of the goals and of the offices they name, and
    per day; measured again after a few minutes (dashboard.goals)."""
    scope = "every-office" if every_office else f"office-{office_id}"
    template = caching.template_digest("dashboard/_goals.html")
    key = f"goals:{template}:{today}:{scope}"

    def render(csrf_token):
        active = goals.active_goals(office_id, every_office=every_office)
        context = {
            "goals": goals.progress_of(active, today),
            "manage": every_office,
            "csrf_token": csrf_token,
        }
        return render_to_string("dashboard/_goals.html", context)

    return caching.cached_fragment(
        request, key, render, of=("goals", "reference"), seconds=goals.MEASURE_SECONDS
    )


def _my_clients(user):
    return (
        Client.objects.filter(account_manager=user)
        .exclude(status=Client.Status.LOST)
        .select_related("office")
        .order_by("-annual_fees", "name")
    )


@require_GET
def index(request):
    """Partners: the lessons dashboard. Account managers: their own clients and actions."""
    if not request.user.is_partner:
        if request.user.is_account_manager:
            return _personal(request)
        raise Http404("No dashboard here.")
    form, filters = _filters(request)
    snapshot = services.snapshot_for(filters=filters)
    filter_query = _filter_query(request)
    context = {
        "form": form,
        "filters": filters,
        "snapshot": snapshot,
        # Called by the template only when the kept panels must be rendered again.
        "panels": lambda: panels.shown(snapshot.data),
        "charts": lambda: panels.charts(snapshot.data, filter_query),
        "data_as_of": snapshot.computed_at,
        "filter_query": filter_query,
        "top_rows": queries.TOP_ROWS,
        "goals_html": _goals_html(request, timezone.localdate(), every_office=True),
    }
    context["panels_html"] = _panels_html(request, context)
    return render(request, "dashboard/index.html", context)


def _panels_html(request, context: dict) -> str:
    """The filter bar and every panel, rendered once per snapshot (its key has the day), query
    string and version of the offices and service lines the filters offer."""
    snapshot = context["snapshot"]
    templates = caching.template_digest(
        "dashboard/_panels.html", *(panel.template for panel in panels.PANELS.values())
    )
    key = (
        f"panels:{templates}:{snapshot.key}@{snapshot.computed_at.isoformat()}:"
        f"{context['filter_query']}"
    )

    def render(csrf_token):
        return render_to_string(
            "dashboard/_panels.html", {**context, "csrf_token": csrf_token}, request=request
        )

    return caching.cached_fragment(request, key, render, of=("reference",))


def _open_actions_of_client():
    """A client's open actions, counted in a subquery: the database counts them for the 25
    clients shown, after the limit, not for every client of the account manager."""
    open_actions = (
        Action.objects.filter(client=OuterRef("pk"), status__in=Action.OPEN_STATUSES)
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(open_actions), 0)


def _personal(request):
    """An account manager's own view: their clients and their actions."""
    user, today = request.user, timezone.localdate()
    clients = Client.objects.filter(account_manager=user)
    actions = Action.objects.filter(owner=user)
    return render(
        request,
        "dashboard/personal.html",
        {
            "client_counts": clients.aggregate(
                active=Count("id", filter=Q(status=Client.Status.ACTIVE)),
                at_risk=Count("id", filter=Q(status=Client.Status.AT_RISK)),
                lost=Count("id", filter=Q(status=Client.Status.LOST)),
                fees=Sum("annual_fees", filter=~Q(status=Client.Status.LOST)),
            ),
            "clients": _my_clients(user)
            .select_related(None)
            .only("name", "status", "annual_fees")
            .annotate(open_actions=_open_actions_of_client())
            .order_by(
                Case(When(status=Client.Status.AT_RISK, then=0), default=1),
                "-annual_fees",
                "name",
            )[:25],
            "action_counts": actions.aggregate(
                open=Count("id", filter=Q(status__in=Action.OPEN_STATUSES)),
                overdue=Count("id", filter=Q(status__in=Action.OPEN_STATUSES, due_on__lt=today)),
                done=Count("id", filter=Q(status=Action.Status.DONE)),
                verified=Count("id", filter=Q(status=Action.Status.VERIFIED)),
            ),
            "actions": actions.still_open()
            .select_related("client")
            .only("title", "due_on", "client__name")
            .order_by("due_on", "id")[:25],
            "today": today,
        },
    )


@require_POST
@role_required(Role.PARTNER)
def refresh(request):
    services.refresh_snapshot(filters=_filters(request)[1])
    messages.success(request, "The dashboard was recalculated from the latest data.")
    return redirect(f"{reverse('dashboard:index')}?{_filter_query(request)}")


@require_POST
@role_required(Role.PARTNER)
def check_in(request, client_id: int):
    """Create a check-in action for an at-risk client, owned by its account manager; posting
    again while it is open creates nothing and says so."""
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    result = services.check_in(
        client=client, by=request.user, due_on=timezone.localdate() + CHECK_IN_DUE_IN
    )
    if request.htmx:
        return render(
            request,
            "dashboard/_check_in_created.html",
            {"client": client, "action": result.action, "created": result.created},
        )
    if result.created:
        messages.success(request, f"Check-in action created for {client.name}.")
    else:
        action = result.action
        messages.info(
            request,
            f"A check-in with {client.name} is already open ({action.owner}, due "
            f"{action.due_on.day} {action.due_on:%b %Y}); no second one was created.",
        )
    return redirect(f"{reverse('dashboard:index')}?{_filter_query(request)}#at-risk")


@require_GET
@role_required(Role.PARTNER)
def export(request, panel: str):
    """One panel's numbers as CSV, for the filters in the query string."""
    if panel not in panels.PANELS:
        raise Http404("No such panel.")
    exported = panels.PANELS[panel]
    form, filters = _filters(request)
    snapshot = services.snapshot_for(filters=filters)
    response, writer = csv_response(f"dashboard-{panel}-{filters.start}-{filters.end}.csv")
    writer.writerow([f"{exported.csv_title}, {filters.start} to {filters.end}"])
    writer.writerows(exported.csv_rows(snapshot.data[panel]))
    audit.record(
        actor=request.user,
        verb="export",
        object_type="dashboard.panel",
        object_id=panel,
        request=request,
        detail={"filters": filters.key},
    )
    return response


def _page(request, qs):
    return Paginator(qs, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))


def _render_drill_down(request, template, *, form, filters, qs, narrowed=(), page=None, **extra):
    """A drill-down list: the filter bar, one page of rows (or the page given), and what
    narrows them."""
    return render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "page": _page(request, qs) if page is None else page,
            "narrowing": _narrowing(request),
            "narrowed": narrowed,
            "filter_query": _filter_query(request),
            **extra,
        },
    )


def _narrowing(request) -> list[tuple[str, str]]:
    """The drill-down's own parameters (reason, segment, status…), kept as hidden fields when
    the filters change."""
    return [
        (name, value)
        for name, value in request.GET.items()
        if name not in FilterForm.base_fields and name != "page"
    ]


@require_GET
@role_required(Role.PARTNER)
def losses(request):
    """The losses behind a dashboard bar: the period's final exit interviews, narrowed by the
    reason or segment that was clicked."""
    form, filters = _filters(request)
    qs = queries.losses(filters)
    narrowed = []
    reason = request.GET.get("reason", "")
    if reason == "none":
        qs = qs.filter(client_primary_reason__isnull=True)
        narrowed.append("no reason recorded")
    elif reason:
        cause = get_object_or_404(LossReason, pk=id_or_404(reason))
        qs = qs.filter(client_primary_reason=cause)
        narrowed.append(f"client's reason: {cause}")
    for key, title, id_lookup, _ in queries.SEGMENTS:
        value = request.GET.get(key, "")
        if not value or key in ("service_line", "office"):
            continue
        if value == "none":
            qs = qs.filter(
                **{f"{id_lookup}__isnull": True} if key == "partner" else {id_lookup: ""}
            )
        elif key == "partner":
            qs = qs.filter(**{id_lookup: id_or_404(value)})
        else:
            qs = qs.filter(**{id_lookup: value})
        narrowed.append(f"{title.lower()}: {queries.SEGMENT_LABELS.get(key, {}).get(value, value)}")
    if request.GET.get("repeat") == "1":
        qs = qs.filter(pk__in=queries.repeat_losses(filters).values("pk"))
        narrowed.append("repeat causes only")
    if request.GET.get("controllable") == "1":
        qs = qs.filter(client_primary_reason__controllable=True)
        narrowed.append("controllable reasons only")
    qs = qs.select_related(
        "client", "client__office", "client_primary_reason", "team_reason"
    ).order_by("-lost_date", "-id")
    return _render_drill_down(
        request, "dashboard/losses.html", form=form, filters=filters, qs=qs, narrowed=narrowed
    )


@require_GET
@role_required(Role.PARTNER)
def actions(request):
    """The actions behind the funnel and the overdue-by-owner list."""
    form, filters = _filters(request)
    qs = queries.scoped_actions(filters)
    narrowed = []
    status = request.GET.get("status", "")
    if status == "overdue":
        qs = qs.overdue(filters.today)
        narrowed.append("overdue today")
    elif status == "closed":
        qs = qs.filter(status__in=queries.CLOSED_STATUSES)
        narrowed.append("done or verified")
    elif status == "open":
        qs = qs.still_open()
        narrowed.append("open today")
    elif status:
        if status not in Action.Status.values:
            raise Http404("Unknown status.")
        qs = qs.filter(
            status=status, created_at__date__gte=filters.start, created_at__date__lte=filters.end
        )
        narrowed.append(f"created in the period, now {Action.Status(status).label.lower()}")
    qs = _narrow_pilots(request.GET.get("pilot", ""), qs, filters, narrowed)
    if owner := request.GET.get("owner", ""):
        qs = qs.filter(owner=id_or_404(owner))
        narrowed.append("one owner")
    if cause := request.GET.get("cause", ""):
        qs = qs.filter(cause=get_object_or_404(LossReason, pk=id_or_404(cause)))
        narrowed.append("one cause")
    qs = qs.select_related("owner", "client", "cause").order_by("due_on", "id")
    return _render_drill_down(
        request,
        "dashboard/actions.html",
        form=form,
        filters=filters,
        qs=qs,
        narrowed=narrowed,
        today=filters.today,
    )


def _narrow_pilots(pilot: str, qs, filters, narrowed: list):
    """`pilot=no` leaves pilots out (the funnel's stages); a result keeps the pilots created in
    the period that ended that way (the funnel's pilot rows)."""
    if not pilot:
        return qs
    if pilot == "no":
        narrowed.append("pilots left out")
        return qs.filter(is_pilot=False)
    stages = {key: (label, q) for key, label, q in queries.PILOT_STAGES}
    if pilot not in stages:
        raise Http404("Unknown pilot result.")
    label, condition = stages[pilot]
    narrowed.append(f"pilots created in the period: {label.lower()}")
    return qs.filter(
        condition,
        is_pilot=True,
        created_at__date__gte=filters.start,
        created_at__date__lte=filters.end,
    )


@require_GET
@role_required(Role.PARTNER)
def at_risk(request):
    """Every flagged client of the period, most points first, with why it is flagged."""
    form, filters = _filters(request)
    clients, reference = queries.at_risk_clients(filters)
    page = _page(request, clients)
    return _render_drill_down(
        request,
        "dashboard/at_risk.html",
        form=form,
        filters=filters,
        qs=clients,
        page=page,
        reference=reference,
        share=f"{queries.AT_RISK_SHARE:.0%}",
    )


# The client-voice panel's rows without a theme, and the responses behind each.
TRIAGE_STATES = {
    "new": ("Not triaged yet", lambda qs: qs.not_triaged()),
    "no_reason": ("Handled, no reason given", lambda qs: qs.handled_without_reason()),
}


@require_GET
@role_required(Role.PARTNER)
def responses(request):
    """The client feedback behind the client-voice panel."""
    form, filters = _filters(request)
    qs = queries.client_voice_responses(filters)
    narrowed = []
    if theme := request.GET.get("theme", ""):
        if theme not in LossReason.Category.values:
            raise Http404("Unknown theme.")
        qs = qs.handled_with_reason().filter(reason__category=theme)
        narrowed.append(f"theme: {LossReason.Category(theme).label}")
    if triage := request.GET.get("triage", ""):
        if triage not in TRIAGE_STATES:
            raise Http404("Unknown triage state.")
        label, narrow = TRIAGE_STATES[triage]
        qs = narrow(qs)
        narrowed.append(label.lower())
    if request.GET.get("replied") == "1":
        qs = qs.filter(reply_sent_at__isnull=False)
        narrowed.append("“you said, we did” sent")
    qs = qs.select_related("client", "reason").order_by("-submitted_at", "-id")
    return _render_drill_down(
        request, "dashboard/responses.html", form=form, filters=filters, qs=qs, narrowed=narrowed
    )


# --- team goals ------------------------------------------------------------------------------


def _get_goal_for_partner(request, pk: int) -> Goal:
    """A goal this person may change; anyone else gets 404."""
    return get_object_or_404(
        Goal.objects.changeable_by(request.user).select_related("office"), pk=pk
    )


def _goals_url() -> str:
    return f"{reverse('dashboard:index')}#goals"


@role_required(*Goal.SET_BY)
def goal_new(request):
    """Set the one goal of the firm or of an office, for a fixed window."""
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.set_goal(
                by=request.user,
                title=data["title"],
                office=data["office"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                measure=data["measure"],
                baseline=data["baseline"],
                target=data["target"],
                manual_label=data["manual_label"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Goal set for {goal.scope.lower()}: “{goal}”.")
            return redirect(_goals_url())
    return render(request, "dashboard/goal_form.html", {"form": form})


@role_required(*Goal.SET_BY)
def goal_progress(request, pk: int):
    """A partner records today's number of a goal measured by hand."""
    goal = _get_goal_for_partner(request, pk)
    if not goal.is_manual or goal.status != Goal.Status.ACTIVE:
        raise Http404("This goal is not updated by hand.")
    form = GoalValueForm(request.POST or None, initial={"value": goal.manual_value})
    if request.method == "POST" and form.is_valid():
        services.update_goal_value(
            goal=goal, by=request.user, value=form.cleaned_data["value"], request=request
        )
        messages.success(request, f"Progress of “{goal}” updated.")
        return redirect(_goals_url())
    progress = goals.progress(goal, timezone.localdate())
    return render(
        request, "dashboard/goal_progress.html", {"form": form, "goal": goal, "p": progress}
    )


@require_POST
@role_required(*Goal.SET_BY)
def goal_end(request, pk: int):
    goal = _get_goal_for_partner(request, pk)
    try:
        services.end_goal(goal=goal, by=request.user, request=request)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{goal}” ended. {goal.scope} can have a new goal.")
    return redirect(_goals_url())
