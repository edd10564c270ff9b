from django.urls import path

from . import views

app_name = "retrospectives"

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/console/", views.review_console, name="review_console"),
    path("reviews/<int:pk>/console/notes/", views.console_notes, name="console_notes"),
    path(
        "reviews/<int:pk>/console/participants/",
        views.console_participants,
        name="console_participants",
    ),
    path("reviews/<int:pk>/start/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/phase/", views.review_phase, name="review_phase"),
    path("reviews/<int:pk>/timer/", views.review_timer, name="review_timer"),
    path("reviews/<int:pk>/close/", views.review_close, name="review_close"),
    path("reviews/<int:pk>/whys/", views.review_whys, name="review_whys"),
    path("reviews/<int:pk>/notes/<int:note_id>/hide/", views.note_hide, name="note_hide"),
    path("reviews/<int:pk>/notes/<int:note_id>/cause/", views.note_cause, name="note_cause"),
    path("reviews/<int:pk>/notes/<int:note_id>/merge/", views.note_merge, name="note_merge"),
    path("reviews/<int:pk>/notes/<int:note_id>/action/", views.note_action, name="note_action"),
    path("reviews/<int:pk>/notes/<int:note_id>/lesson/", views.note_lesson, name="note_lesson"),
    path("reviews/<int:pk>/lessons/new/", views.lesson_new, name="lesson_new"),
    path("reviews/<int:pk>/present/", views.review_present, name="review_present"),
    path("reviews/<int:pk>/present/board/", views.present_board, name="present_board"),
    path("reviews/<int:pk>/report/", views.review_report, name="review_report"),
    path("reviews/<int:pk>/report.csv", views.review_report_csv, name="review_report_csv"),
    path("join/", views.join_code, name="join_code"),
    path("join/<str:code>/", views.join, name="join"),
    path("join/<str:code>/board/", views.join_board, name="join_board"),
    path("join/<str:code>/notes/", views.note_add, name="note_add"),
    path("join/<str:code>/notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("join/<str:code>/notes/<int:note_id>/delete/", views.note_delete, name="note_delete"),
    path("join/<str:code>/notes/<int:note_id>/vote/", views.note_vote, name="note_vote"),
    path("join/<str:code>/blame-check/", views.blame_check, name="blame_check"),
    path("join/<str:code>/rating/", views.speak_freely, name="speak_freely"),
    path("lessons/", views.lesson_list, name="lesson_list"),
    path("lessons/<int:pk>/", views.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/edit/", views.lesson_edit, name="lesson_edit"),
]
