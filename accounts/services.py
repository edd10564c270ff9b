from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import tasks
from .mail import Email, render_subject
from .models import User


def queue_password_reset(*, user: User) -> None:
    """Send `user` a reset link from a worker, once the request's transaction commits."""
    tasks.send_password_reset.delay_on_commit(user.pk)


def send_password_reset(*, user: User) -> bool:
    """E-mail `user` a link to choose a new password, on SITE_URL. The token is made here, in the
    worker, so it never travels through the broker."""
    if not (user.is_active and user.has_usable_password() and user.email):
        return False
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
    }
    message = Email(
        subject=render_subject("registration/password_reset_subject.txt", context),
        body=render_to_string("registration/password_reset_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("registration/password_reset_email.html", context), "text/html"
    )
    message.send()
    return True
