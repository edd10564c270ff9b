"""The API of clients and exit interviews: what the client and interview pages allow, through
the same querysets (visible_to, editable_by), forms and audit records.

Clients: read by whoever sees them; added by partners and account managers; changed by whoever
may edit them. Exit interviews: read by whoever may read them (a restricted one only by its
interviewer and partners), each read audited; the list names no words, and lists a restricted
interview only with an audit row; drafts are logged for a client one may edit. Nothing else of
the feedback app (responses, suggestions, anonymous notes) has an endpoint.
"""

from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from accounts import audit
from accounts.api import form_errors
from accounts.api_views import ApiViewSet, Reference, Text
from accounts.decorators import role_required

from . import search, services
from .forms import ClientFilterForm, ClientForm, InterviewFilterForm, InterviewForm
from .models import Client, ExitInterview


class ReasonSerializer(Reference):
    controllable = serializers.BooleanField()


class ClientSerializer(serializers.ModelSerializer):
    service_lines = Reference(many=True)
    office = Reference(allow_null=True)
    account_manager = Reference(allow_null=True)
    relationship_partner = Reference(allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "status",
            "industry",
            "size_band",
            "annual_fees",
            "service_lines",
            "office",
            "account_manager",
            "relationship_partner",
            "client_since",
            "lost_on",
            "updated_at",
        ]


class ClientWriteSerializer(serializers.Serializer):
    """What a client's create or update may send; the client form's rules then apply. Fields
    left out keep their value (on create: their default). The contact is written here and read
    on the client's page, which shows it only to those who may edit the client."""

    name = Text(required=False)
    status = serializers.ChoiceField(choices=Client.Status.choices, required=False)
    industry = serializers.ChoiceField(
        choices=Client.Industry.choices, required=False, allow_blank=True
    )
    size_band = serializers.ChoiceField(
        choices=Client.SizeBand.choices, required=False, allow_blank=True
    )
    annual_fees = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    service_lines = serializers.ListField(child=serializers.IntegerField(), required=False)
    office = serializers.IntegerField(required=False, allow_null=True)
    account_manager = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Partners only; an account manager's clients stay theirs.",
    )
    relationship_partner = serializers.IntegerField(required=False, allow_null=True)
    client_since = serializers.DateField(required=False, allow_null=True)
    lost_on = serializers.DateField(required=False, allow_null=True)
    contact_name = Text(required=False, allow_blank=True)
    contact_email = Text(required=False, allow_blank=True)


def _stored_values(instance, form_class) -> dict:
    """The form's fields as the instance holds them (ids for related rows): an update changes
    only what was sent, and a new object starts from the model's defaults."""
    values = model_to_dict(instance, fields=form_class._meta.fields)
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = [getattr(item, "pk", item) for item in value]
    return values


CLIENT_FILTERS = [
    OpenApiParameter("q", str, description="Part of the client's name."),
    OpenApiParameter("status", str, enum=Client.Status.values),
    OpenApiParameter("service_line", int),
    OpenApiParameter("office", int),
    OpenApiParameter("account_manager", int),
]


@extend_schema_view(
    list=extend_schema(parameters=CLIENT_FILTERS, summary="Clients you may see"),
    retrieve=extend_schema(summary="A client"),
    create=extend_schema(request=ClientWriteSerializer, summary="Add a client"),
    update=extend_schema(request=ClientWriteSerializer, summary="Change a client"),
    partial_update=extend_schema(request=ClientWriteSerializer, summary="Change a client"),
)
class ClientViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ApiViewSet,
):
    serializer_class = ClientSerializer

    def get_queryset(self):
        return (
            Client.objects.visible_to(self.request.user)
            .select_related("office", "account_manager", "relationship_partner")
            .prefetch_related("service_lines")
            .order_by("name", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        form = ClientFilterForm(self.request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        return form.filter(queryset)

    def _save(self, request, client: Client | None):
        sent = ClientWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        stored = _stored_values(client or Client(), ClientForm)
        form = ClientForm(
            data={**stored, **sent.validated_data}, instance=client, user=request.user
        )
        if not form.is_valid():
            raise form_errors(form)
        is_new = client is None
        client = form.save()
        audit.record(
            actor=request.user, verb="create" if is_new else "update", obj=client, request=request
        )
        data = ClientSerializer(self.get_queryset().get(pk=client.pk)).data
        return Response(data, status=status.HTTP_201_CREATED if is_new else status.HTTP_200_OK)

    @method_decorator(role_required(*Client.EDITORS))
    def create(self, request):
        return self._save(request, None)

    def update(self, request, pk=None):
        return self._save(
            request, get_object_or_404(Client.objects.editable_by(request.user), pk=pk)
        )

    partial_update = update


class InterviewSerializer(serializers.ModelSerializer):
    """An interview as a list shows it: who, when and why, never what was said."""

    client = Reference()
    interviewer = Reference(allow_null=True)
    client_primary_reason = ReasonSerializer(allow_null=True)

    class Meta:
        model = ExitInterview
        fields = [
            "id",
            "client",
            "interviewer",
            "held_on",
            "channel",
            "status",
            "restricted",
            "client_primary_reason",
            "lost_on",
        ]


class InterviewDetailSerializer(InterviewSerializer):
    """The whole interview. The client's words and the team's hypothesis are separate fields,
    never one presented as the other."""

    client_other_reasons = ReasonSerializer(many=True)
    team_reason = ReasonSerializer(allow_null=True)
    interviewer_is_account_manager = serializers.BooleanField(
        help_text="Clients soften criticism to the person they blame: read the words with that."
    )

    class Meta(InterviewSerializer.Meta):
        fields = [
            *InterviewSerializer.Meta.fields,
            "interviewee_name",
            "interviewee_role",
            "client_words",
            "client_other_reasons",
            "did_well",
            "do_better",
            "would_return",
            "recommend_score",
            "competitor",
            "fees_lost",
            "team_hypothesis",
            "team_reason",
            "interviewer_is_account_manager",
            "finalised_at",
            "created_at",
            "updated_at",
        ]


class InterviewDraftSerializer(serializers.Serializer):
    """A new draft interview: the interview form's fields, and the client it is about."""

    client = serializers.IntegerField(help_text="A client whose interviews you may log.")
    held_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=ExitInterview.Channel.choices, required=False)
    interviewee_name = Text(required=False, allow_blank=True)
    interviewee_role = Text(required=False, allow_blank=True)
    client_words = Text(
        required=False, allow_blank=True, help_text="What the client said, in their own words."
    )
    client_primary_reason = serializers.IntegerField(required=False, allow_null=True)
    client_other_reasons = serializers.ListField(child=serializers.IntegerField(), required=False)
    did_well = Text(required=False, allow_blank=True)
    do_better = Text(required=False, allow_blank=True)
    would_return = serializers.ChoiceField(
        choices=ExitInterview.WouldReturn.choices, required=False, allow_blank=True
    )
    recommend_score = serializers.IntegerField(required=False, allow_null=True)
    competitor = Text(required=False, allow_blank=True)
    team_hypothesis = Text(
        required=False,
        allow_blank=True,
        help_text="The team's hypothesis of why the client left: not the client's view.",
    )
    team_reason = serializers.IntegerField(required=False, allow_null=True)
    fees_lost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    restricted = serializers.BooleanField(required=False)


INTERVIEW_FILTERS = [
    OpenApiParameter("q", str, description="Words from the client or the team."),
    OpenApiParameter("held_from", OpenApiTypes.DATE),
    OpenApiParameter("held_to", OpenApiTypes.DATE),
    OpenApiParameter("reason", int, description="The client's main reason."),
    OpenApiParameter("controllable", str, enum=["yes", "no"]),
    OpenApiParameter("service_line", int),
    OpenApiParameter("office", int),
    OpenApiParameter("account_manager", int),
    OpenApiParameter("status", str, enum=ExitInterview.Status.values),
    OpenApiParameter("restricted", str, enum=["yes", "no"]),
]


@extend_schema_view(
    list=extend_schema(parameters=INTERVIEW_FILTERS, summary="Exit interviews you may read"),
    retrieve=extend_schema(responses=InterviewDetailSerializer, summary="An exit interview"),
    create=extend_schema(
        request=InterviewDraftSerializer,
        responses={201: InterviewDetailSerializer},
        summary="Log a draft exit interview",
    ),
)
class InterviewViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = InterviewSerializer

    def finalize_response(self, request, response, *args, **kwargs):
        # Interviews are confidential: no browser or proxy keeps a copy, as for their pages.
        add_never_cache_headers(response)
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset(self):
        return ExitInterview.objects.visible_to(self.request.user).select_related(
            "client", "interviewer", "client_primary_reason"
        )

    def list(self, request):
        form = InterviewFilterForm(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        interviews, _, self.counted = search.ordered(form.readable_by(request.user), form.search)
        page = self.paginate_queryset(
            interviews.select_related("client", "interviewer", "client_primary_reason")
        )
        # A restricted interview listed is a read of it; so is every match of a search (the
        # search tells what they say).
        audit.record_each(
            actor=request.user,
            verb="view",
            objects=[i for i in page if i.restricted or form.search],
            request=request,
            detail={"api": "list"},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _readable(self, request, pk) -> ExitInterview | None:
        """The interview if this person may read it; a refused attempt on one that exists is
        audited, as on its page."""
        return services.readable_interview(
            interviews=self.get_queryset()
            .select_related("team_reason", "client__account_manager")
            .prefetch_related("client_other_reasons"),
            pk=pk,
            request=request,
        )

    def retrieve(self, request, pk=None):
        interview = self._readable(request, pk)
        if interview is None:
            # Answered, not raised: a raised 404 would roll back the audit row with the request.
            return Response({"detail": "No such interview."}, status=status.HTTP_404_NOT_FOUND)
        audit.record(actor=request.user, verb="view", obj=interview, request=request)
        return Response(InterviewDetailSerializer(interview).data)

    def create(self, request):
        sent = InterviewDraftSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = dict(sent.validated_data)
        client = Client.objects.editable_by(request.user).filter(pk=data.pop("client")).first()
        if client is None:
            raise serializers.ValidationError(
                {"client": ["No client with this id whose interviews you may log."]}
            )
        form = InterviewForm(
            data={"channel": ExitInterview.Channel.MEETING, **data},
            instance=ExitInterview(client=client, interviewer=request.user),
        )
        if not form.is_valid():
            raise form_errors(form)
        interview = form.save()
        audit.record(actor=request.user, verb="create", obj=interview, request=request)
        interview = self._readable(request, interview.pk)
        return Response(InterviewDetailSerializer(interview).data, status=status.HTTP_201_CREATED)
