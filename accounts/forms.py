from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from . import services


class LoginForm(AuthenticationForm):
    """Django's login form sets the username's max_length after the field is built, so the
    length is never validated; a very long username would reach the lockout log and fail there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


def one_line(value: str) -> None:
    """Titles and names are one line: they become e-mail subjects and headings."""
    if any(ch in value for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        raise ValidationError("Keep this to one line: remove the line breaks.", code="one_line")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Queues the reset e-mail for each account with the address, once the request commits; the
    worker builds the link from SITE_URL, never from the Host header of the request."""

    def save(self, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            services.queue_password_reset(user=user)
