import unicodedata

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from . import attachments, services


class LoginForm(AuthenticationForm):
    """Django's login form sets the username's max_length after the field is built, so the
    length is never validated; a very long username would reach the lockout log and fail there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


def is_one_line(value: str) -> bool:
    """No control characters (line breaks, tabs) and no Unicode line or paragraph separators."""
    return not any(unicodedata.category(ch) in {"Cc", "Zl", "Zp"} for ch in value)


def one_line(value: str) -> None:
    """Titles and names are one line: they become e-mail subjects and headings."""
    if not is_one_line(value):
        raise ValidationError(
            "Keep this to one line: remove the line breaks and tabs.", code="one_line"
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Queues the reset e-mail for each account with the address, once the request commits; the
    worker builds the link from SITE_URL, never from the Host header of the request."""

    def save(self, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            services.queue_password_reset(user=user)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Attach a file", max_length=200)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        attachments.check_upload(upload)
        return upload


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="What the token is for, so you know which to revoke: “CRM sync”.",
        # Stripped first (CharField), so a name of spaces is missing, with this message.
        error_messages={"required": "Name the token, so you can tell it from others later."},
        validators=[one_line],
    )
