"""The API of the lessons library: published lessons, in the words written for the library
(never the review's internal statement), read by anyone signed in."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from accounts.api import form_errors
from accounts.api_views import ApiViewSet, Reference
from feedback.models import LossReason

from .forms import LessonFilterForm
from .models import Lesson


class LessonSerializer(serializers.ModelSerializer):
    statement = serializers.CharField(source="statement_public")
    cause = Reference(allow_null=True)
    service_lines = Reference(many=True)

    class Meta:
        model = Lesson
        fields = ["id", "statement", "category", "cause", "service_lines", "published_at"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of the lesson or its cause."),
            OpenApiParameter("category", str, enum=LossReason.Category.values),
            OpenApiParameter("service_line", int),
        ],
        summary="Published lessons",
    ),
    retrieve=extend_schema(summary="A published lesson"),
)
class LessonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = LessonSerializer

    def get_queryset(self):
        return (
            Lesson.objects.visible_to(self.request.user)
            .published()
            .select_related("cause")
            .prefetch_related("service_lines")
            .order_by("-published_at", "-pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        form = LessonFilterForm(self.request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        return form.filter(queryset)
