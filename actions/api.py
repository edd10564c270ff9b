"""The API of improvement actions: read what visible_to allows, create as on the new-action page,
and move an action on through the same services as its page's buttons, which refuse whoever may
not (a refusal is a 400 with the service's message, as the page shows it next to the form)."""

from django import forms
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action as endpoint
from rest_framework.response import Response

from accounts.api import form_errors
from accounts.api_views import ApiViewSet, Reference, Text

from . import services
from .forms import TRANSITIONS, ActionFilterForm, ActionForm, CommentForm
from .models import Action, ActionEvent


class ActionSerializer(serializers.ModelSerializer):
    owner = Reference()
    client = Reference(allow_null=True, help_text="The client it is about: id and name.")
    verified_by = Reference(allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")
    sources = serializers.SerializerMethodField(help_text="The kinds of source it came from.")

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "detail",
            "status",
            "priority",
            "due_on",
            "overdue",
            "owner",
            "client",
            "sources",
            "evidence",
            "evidence_link",
            "done_at",
            "verified_by",
            "verified_at",
            "recheck_on",
            "wont_do_reason",
            "created_at",
            "updated_at",
        ]

    def get_sources(self, action: Action) -> list[str]:
        return [source.label for source in action.source_kinds()]


class ActionWriteSerializer(serializers.Serializer):
    title = Text()
    detail = Text(required=False, allow_blank=True)
    owner = serializers.IntegerField(
        required=False, help_text="Partners and facilitators only; others own what they create."
    )
    due_on = serializers.DateField()
    priority = serializers.ChoiceField(choices=Action.Priority.choices, required=False)
    client = serializers.IntegerField(required=False, allow_null=True)
    confirm_past_due = serializers.BooleanField(
        required=False, help_text="Needed to create an action that is already overdue."
    )


class EventSerializer(serializers.ModelSerializer):
    actor = Reference(allow_null=True)

    class Meta:
        model = ActionEvent
        fields = ["id", "actor", "from_status", "to_status", "note", "is_comment", "at"]


def _form_serializer(form_class) -> type[serializers.Serializer]:
    """The body a form takes, as the schema describes it and the API checks its types first:
    the form's fields."""
    fields = {}
    for name, field in form_class.base_fields.items():
        # A missing or blank value gets the form's own message, as on the page.
        missing = str(field.error_messages["required"])
        described = {
            "required": field.required,
            "help_text": field.help_text or str(field.label),
            "error_messages": {"required": missing, "blank": missing, "null": missing},
        }
        if isinstance(field, forms.DateField):
            fields[name] = serializers.DateField(allow_null=not field.required, **described)
        else:
            fields[name] = Text(allow_blank=not field.required, **described)
    # The schema adds "Request" to the name: CompleteForm's body is CompleteRequest.
    name = form_class.__name__.removesuffix("Form") or "Empty"
    return type(name, (serializers.Serializer,), fields)


BODIES = {name: _form_serializer(form_class) for name, (form_class, _) in TRANSITIONS.items()}
COMMENT = _form_serializer(CommentForm)


def _checked(body: type[serializers.Serializer], request) -> dict:
    """What was sent, once its types are right (a 400 otherwise), for the page's form."""
    sent = body(data=request.data)
    sent.is_valid(raise_exception=True)
    return dict(sent.validated_data)


ACTION_FILTERS = [
    OpenApiParameter(
        "status",
        str,
        enum=["still_open", *Action.Status.values],
        description="still_open: open or in progress.",
    ),
    OpenApiParameter("mine", bool, description="Only the actions you own."),
    OpenApiParameter("owner", int),
    OpenApiParameter("source", str, enum=[key for key, _ in ActionFilterForm.SOURCES if key]),
    OpenApiParameter("due_from", OpenApiTypes.DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE),
    OpenApiParameter("overdue", bool),
    OpenApiParameter("needs_reassignment", bool),
]


SUMMARIES = {
    "start": "Start an action",
    "complete": "Mark an action done, with evidence of what changed",
    "verify": "Verify an action",
    "wont_do": "Drop an action (won't do), with the reason",
    "reopen": "Reopen an action",
}


def _transition_schema(name: str):
    request = BODIES[name] if BODIES[name]().fields else None
    return extend_schema(request=request, responses=ActionSerializer, summary=SUMMARIES[name])


@extend_schema_view(
    list=extend_schema(parameters=ACTION_FILTERS, summary="Actions you may see"),
    retrieve=extend_schema(summary="An action"),
    create=extend_schema(
        request=ActionWriteSerializer, responses={201: ActionSerializer}, summary="Create an action"
    ),
    start=_transition_schema("start"),
    complete=_transition_schema("complete"),
    verify=_transition_schema("verify"),
    wont_do=_transition_schema("wont_do"),
    reopen=_transition_schema("reopen"),
    events=extend_schema(responses=EventSerializer(many=True), summary="An action's history"),
    comment=extend_schema(
        request=COMMENT,
        responses={201: EventSerializer},
        summary="Comment on an action",
    ),
)
class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ActionSerializer

    def get_queryset(self):
        return (
            Action.objects.visible_to(self.request.user)
            .select_related("owner", "client", "verified_by")
            .order_by("due_on", "id")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        form = ActionFilterForm(self.request.query_params)
        mine = forms.BooleanField(required=False).clean(self.request.query_params.get("mine"))
        if not form.is_valid():
            raise form_errors(form)
        if mine:
            queryset = queryset.filter(owner=self.request.user)
        return form.filter(queryset)

    def _fresh(self, pk) -> dict:
        return ActionSerializer(self.get_queryset().get(pk=pk)).data

    def create(self, request):
        sent = ActionWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        defaults = {"owner": request.user.pk, "priority": Action.Priority.NORMAL}
        form = ActionForm(data={**defaults, **sent.validated_data}, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        action = form.create(by=request.user)
        return Response(self._fresh(action.pk), status=status.HTTP_201_CREATED)

    def _transition(self, request, pk, name: str):
        action = get_object_or_404(self.get_queryset(), pk=pk)
        form_class, change = TRANSITIONS[name]
        form = form_class(data=_checked(BODIES[name], request))
        if not form.is_valid():
            raise form_errors(form)
        change(action, request.user, form.cleaned_data)
        return Response(self._fresh(action.pk))

    @endpoint(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, pk, "start")

    @endpoint(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, pk, "complete")

    @endpoint(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._transition(request, pk, "verify")

    @endpoint(detail=True, methods=["post"], url_path="wont-do")
    def wont_do(self, request, pk=None):
        return self._transition(request, pk, "wont_do")

    @endpoint(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(request, pk, "reopen")

    @endpoint(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        action = get_object_or_404(self.get_queryset(), pk=pk)
        events = action.events.select_related("actor")
        return Response(EventSerializer(events, many=True).data)

    @endpoint(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        action = get_object_or_404(self.get_queryset(), pk=pk)
        form = CommentForm(data=_checked(COMMENT, request))
        if not form.is_valid():
            raise form_errors(form)
        event, _ = services.comment_on_action(
            action=action, by=request.user, text=form.cleaned_data["text"]
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)
