"""The dashboard's headline figures for the API, for whoever may see the partners' dashboard,
with the dashboard's own filters and queries."""

from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import form_errors
from accounts.decorators import role_required
from accounts.models import Role

from . import queries
from .forms import FilterForm


class HeadlineSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    service_line = serializers.IntegerField(allow_null=True)
    office = serializers.IntegerField(allow_null=True)
    clients_lost = serializers.IntegerField(help_text="Each loss once, however often described.")
    fees_lost = serializers.FloatField()
    with_reason = serializers.IntegerField()
    controllable = serializers.IntegerField()
    controllable_share = serializers.FloatField(allow_null=True)
    open_actions = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()
    median_days_to_verified = serializers.FloatField(allow_null=True)
    learning_index = serializers.FloatField(allow_null=True, help_text="0–100.")
    learning_answers = serializers.IntegerField()
    speak_freely = serializers.FloatField(allow_null=True, help_text="1–5.")
    speak_freely_answers = serializers.IntegerField()


class HeadlineView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                str,
                enum=[key for key, _ in FilterForm.PERIODS],
                description="12m (the default): the trailing twelve months; custom: start–end.",
            ),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("service_line", int),
            OpenApiParameter("office", int),
        ],
        responses=HeadlineSerializer,
        summary="The dashboard's headline figures",
    )
    @method_decorator(role_required(Role.PARTNER))
    def get(self, request):
        form = FilterForm(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        filters = form.filters()
        figures = queries.headline(filters)
        data = {
            "start": filters.start,
            "end": filters.end,
            "service_line": filters.service_line_id,
            "office": filters.office_id,
            **{name: figures[name] for name in HeadlineSerializer().fields if name in figures},
        }
        return Response(HeadlineSerializer(data).data)
