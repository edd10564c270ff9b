from django.contrib import admin
from django.urls import include, path

from accounts.health import healthz
from dashboard.views import home

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("feedback.urls")),
    path("", include("retrospectives.urls")),
    path("", include("actions.urls")),
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
