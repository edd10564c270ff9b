from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.action_mine, name="action_mine"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/export.csv", views.action_export, name="action_export"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/start/", views.action_start, name="action_start"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/verify/", views.action_verify, name="action_verify"),
    path("actions/<int:pk>/wont-do/", views.action_wont_do, name="action_wont_do"),
    path("actions/<int:pk>/reopen/", views.action_reopen, name="action_reopen"),
    path("actions/<int:pk>/snooze/", views.action_snooze, name="action_snooze"),
    path("actions/<int:pk>/comment/", views.action_comment, name="action_comment"),
    path("actions/<int:pk>/pilot/", views.action_pilot, name="action_pilot"),
    path("actions/<int:pk>/pilot/result/", views.action_pilot_result, name="action_pilot_result"),
    path("actions/<int:pk>/pilot/rollout/", views.action_rollout, name="action_rollout"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
]
