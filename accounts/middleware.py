import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

TOUCHED = "_touched_at"


class SessionIdleMiddleware:
    """Renew a signed-in session at most once a minute, so it ends after SESSION_COOKIE_AGE idle.

    Django's SESSION_SAVE_EVERY_REQUEST gives the same idle timeout but writes the session row
    (and commits) on every request, polls included. Here a request marks the session modified
    only when its last renewal is older than SESSION_TOUCH_SECONDS; SessionMiddleware then saves
    it and sends a fresh cookie. So the timeout is SESSION_COOKIE_AGE after the last renewal,
    which is at most SESSION_TOUCH_SECONDS before the last request. Logging in is a renewal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if not session.is_empty() and _renewal_due(session):
            touch(session)
        return self.get_response(request)


def _renewal_due(session) -> bool:
    return time.time() - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS


def touch(session) -> None:
    session[TOUCHED] = int(time.time())


@receiver(user_logged_in, dispatch_uid="accounts.session_touched_at_login")
def _touch_at_login(sender, request, user, **kwargs):
    # login() saves the session anyway; the next minute of requests need not.
    if request is not None and hasattr(request, "session"):
        touch(request.session)
