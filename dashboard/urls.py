from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("activity/", views.activity, name="activity"),
    path("refresh/", views.refresh, name="refresh"),
    path("export/<slug:panel>.csv", views.export, name="export"),
    path("losses/", views.losses, name="losses"),
    path("actions/", views.actions, name="actions"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk/<int:client_id>/check-in/", views.check_in, name="check_in"),
    path("responses/", views.responses, name="responses"),
    path("goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal_progress"),
    path("goals/<int:pk>/end/", views.goal_end, name="goal_end"),
]
