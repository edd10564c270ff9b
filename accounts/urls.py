from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import sso, views
from .sso import local_passwords_only

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("files/new/<slug:kind>/<int:object_id>/", views.attachment_new, name="attachment_new"),
    path("login/", views.LoginView.as_view(), name="login"),
    # Single sign-on: 404 unless OIDC_ISSUER is set; public, as the way to log in.
    path("sso/start/", login_not_required(sso.StartView.as_view()), name="sso_start"),
    path("sso/callback/", login_not_required(sso.CallbackView.as_view()), name="sso_callback"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Password pages refuse with an explanation while LOCAL_PASSWORDS is off.
    path(
        "password_change/",
        local_passwords_only(
            auth_views.PasswordChangeView.as_view(
                success_url=reverse_lazy("accounts:password_change_done")
            )
        ),
        name="password_change",
    ),
    path(
        "password_change/done/",
        local_passwords_only(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        local_passwords_only(
            views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done")
            )
        ),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        local_passwords_only(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        local_passwords_only(
            auth_views.PasswordResetConfirmView.as_view(
                success_url=reverse_lazy("accounts:password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        local_passwords_only(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
