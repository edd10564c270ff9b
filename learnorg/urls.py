from django.contrib import admin
from django.urls import include, path

from dashboard.views import home

from . import views

urlpatterns = [
    path("", home, name="home"),
    path("dashboard/", include("dashboard.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("feedback.urls")),
    path("", include("retrospectives.urls")),
    path("", include("actions.urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
