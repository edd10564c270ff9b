from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/import/", views.client_import, name="client_import"),
    path("clients/export.csv", views.client_export, name="client_export"),
    path("clients/options/", views.client_options, name="client_options"),
    path("interviews/options/", views.interview_options, name="interview_options"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/feedback-link/", views.client_link, name="client_link"),
    path(
        "clients/<int:pk>/feedback-link/email/",
        views.client_link_email,
        name="client_link_email",
    ),
    path("clients/<int:pk>/interviews/new/", views.interview_new, name="interview_new"),
    path("interviews/blame-check/", views.interview_blame_check, name="interview_blame_check"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/edit/", views.interview_edit, name="interview_edit"),
    path("interviews/<int:pk>/finalise/", views.interview_finalise, name="interview_finalise"),
    path("interviews/<int:pk>/audit/", views.interview_audit, name="interview_audit"),
    path("feedback/", views.feedback_triage, name="feedback_triage"),
    path("feedback/firm-link/", views.firm_link, name="firm_link"),
    path("feedback/<int:pk>/triage/", views.feedback_triage_update, name="feedback_triage_update"),
    path("feedback/<int:pk>/action/", views.feedback_action_new, name="feedback_action_new"),
    path("feedback/<int:pk>/reply/", views.feedback_reply, name="feedback_reply"),
    path("feedback/<int:pk>/urgent/", views.feedback_mark_urgent, name="feedback_mark_urgent"),
    path("saves/", views.save_list, name="save_list"),
    path("saves/<int:pk>/", views.save_detail, name="save_detail"),
    path("saves/<int:pk>/contact/", views.save_contact, name="save_contact"),
    path("saves/<int:pk>/close/", views.save_close, name="save_close"),
    path("f/thanks/", views.public_thanks, name="public_thanks"),
    path("f/<str:token>/", views.public_form, name="public_form"),
    path("learning-check/", views.learning_check, name="learning_check"),
    path("suggestions/", views.suggestion_triage, name="suggestion_triage"),
    path("suggestions/new/", views.suggestion_new, name="suggestion_new"),
    path("suggestions/mine/", views.suggestion_mine, name="suggestion_mine"),
    path("suggestions/receipt/<str:token>/", views.suggestion_receipt, name="suggestion_receipt"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:pk>/decline/", views.suggestion_decline, name="suggestion_decline"),
    path("suggestions/<int:pk>/merge/", views.suggestion_merge, name="suggestion_merge"),
]
