from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import attachments, audit, sso, throttle, tokens
from .forms import ApiTokenForm, AttachmentForm, LoginForm, PasswordResetForm
from .models import ApiToken, Attachment
from .network import client_ip
from .templatetags.attachments import attachment_context

# Reset e-mails an address may receive, and requests one client address may make, per window.
RESET_PER_ADDRESS = 3
RESET_PER_IP = 10
RESET_WINDOW = 60 * 60


class LoginView(auth_views.LoginView):
    """The password form, the single sign-on button, or both. With LOCAL_PASSWORDS off a posted
    password is refused with a message (a superuser's break-glass login is at /admin/)."""

    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso_label=settings.OIDC_BUTTON_LABEL if sso.enabled() else "",
            local_passwords=settings.LOCAL_PASSWORDS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if settings.LOCAL_PASSWORDS:
            return super().post(request, *args, **kwargs)
        messages.error(request, sso.PASSWORDS_OFF)
        return self.render_to_response(self.get_context_data(), status=400)


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only, CSRF checked); a person who signed in through single sign-on
    then goes on to the provider, which ends its session too and sends them to the login page.
    That step is a page that moves on by itself: CSP's form-action 'self' makes browsers refuse
    to follow a logout form's redirect to another site."""

    def post(self, request, *args, **kwargs):
        # Read before logging out, which empties the session that holds the ID token.
        at_provider = sso.provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if not at_provider:
            return response
        return render(
            request, "registration/logout_provider.html", {"provider_logout_url": at_provider}
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, limited: past RESET_PER_IP requests from one client address the form
    comes back with a message (429); past RESET_PER_ADDRESS e-mails to one address the page
    answers as usual and sends nothing, so it never tells whether an address has an account."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if not throttle.attempt(
            "password-reset:ip", client_ip(self.request), limit=RESET_PER_IP, window=RESET_WINDOW
        ):
            form.add_error(
                None, "Too many password reset requests from your network. Try again in an hour."
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().casefold()
        if throttle.attempt(
            "password-reset:address", email, limit=RESET_PER_ADDRESS, window=RESET_WINDOW
        ):
            form.save()
        return HttpResponseRedirect(self.get_success_url())


# Attachments ------------------------------------------------------------------------------------


def _attachment_owner(request, kind: str, object_id: int):
    """The object to attach to, if this person may see it and add files to it; else 404."""
    model = attachments.kinds().get(kind)
    if model is None:
        raise Http404("No such kind of object.")
    obj = get_object_or_404(model._default_manager.visible_to(request.user), pk=object_id)
    if not obj.attachments_editable_by(request.user):
        raise Http404("No such object.")
    return obj


def _attachments_block(request, obj, form=None, message=""):
    context = attachment_context(request, obj, form=form, message=message)
    return render(request, "includes/attachments.html", context)


@require_POST
def attachment_new(request, kind: str, object_id: int):
    obj = _attachment_owner(request, kind, object_id)
    form = AttachmentForm(request.POST, request.FILES)
    message = ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachments.attach(obj=obj, by=request.user, upload=upload, request=request)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            message, form = f"{upload.name} attached.", None
    if request.htmx:
        return _attachments_block(request, obj, form=form, message=message)
    if message:
        messages.success(request, message)
    else:
        messages.error(request, " ".join(form.errors.get("file", ["The file was not attached."])))
    return redirect(obj)


@require_POST
def attachment_delete(request, pk: int):
    attachment = get_object_or_404(Attachment, pk=pk)
    obj = attachment.owner
    if obj is None or not attachments.visible(attachment, request.user):
        raise Http404("No such file.")
    try:
        attachments.remove(attachment=attachment, by=request.user, request=request)
    except ValidationError as error:
        raise Http404("No such file.") from error
    if request.htmx:
        return _attachments_block(request, obj, message=f"{attachment.name} removed.")
    messages.success(request, f"{attachment.name} removed.")
    return redirect(obj)


@require_GET
def attachment(request, pk: int):
    return attachments.download(request, pk)


# API tokens -------------------------------------------------------------------------------------


@never_cache
def api_tokens(request):
    """The person's own API tokens. A new token's secret is on the page that made it, once: it
    is not stored, so it is never shown again (and no cache keeps that page)."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, secret = tokens.create_token(user=request.user, name=form.cleaned_data["name"])
        audit.record(actor=request.user, verb="create", obj=token, request=request)
        created, form = {"token": token, "secret": secret}, ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
    )


@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.active(), pk=pk, user=request.user)
    tokens.revoke(token=token, by=request.user, request=request)
    messages.success(request, f"The token “{token.name}” was revoked; it no longer works.")
    return redirect("accounts:api_tokens")
