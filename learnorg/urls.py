from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api_views import UnknownEndpoint
from accounts.health import healthz
from actions.api import ActionViewSet
from dashboard.api import HeadlineView
from dashboard.views import home
from feedback.api import ClientViewSet, InterviewViewSet
from retrospectives.api import LessonViewSet

# The REST API: each app's endpoints (its api.py), assembled here; the schema and its docs.
router = SimpleRouter(use_regex_path=False)
router.register("clients", ClientViewSet, basename="client")
router.register("interviews", InterviewViewSet, basename="interview")
router.register("actions", ActionViewSet, basename="action")
router.register("lessons", LessonViewSet, basename="lesson")


api_patterns = [
    path("v1/", include(router.urls)),
    path("v1/dashboard/headline/", HeadlineView.as_view(), name="dashboard-headline"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI, a page for people signed in (anyone else goes to the login page); the script
    # it loads is a separate request, as the content security policy allows no inline script.
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"^", UnknownEndpoint.as_view()),
]

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("feedback.urls")),
    path("", include("retrospectives.urls")),
    path("", include("actions.urls")),
    path("api/", include((api_patterns, "api"))),
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
