from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from . import throttle
from .forms import PasswordResetForm
from .network import client_ip

# Reset e-mails an address may receive, and requests one client address may make, per window.
RESET_PER_ADDRESS = 3
RESET_PER_IP = 10
RESET_WINDOW = 60 * 60


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
