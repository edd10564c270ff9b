import time

from django.conf import settings

TOUCHED = "_touched_at"


class SessionIdleMiddleware:
    """Renew a signed-in session at most once a minute, so it ends after SESSION_COOKIE_AGE idle.

    Django's SESSION_SAVE_EVERY_REQUEST gives the same idle timeout but writes the session row
    (and commits) on every request, polls included. Here a request marks the session modified
    only when its last renewal is older than SESSION_TOUCH_SECONDS; SessionMiddleware then saves
    it and sends a fresh cookie. So the timeout is SESSION_COOKIE_AGE after the last renewal,
    which is at most SESSION_TOUCH_SECONDS before the last request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if not session.is_empty():
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now
        return self.get_response(request)
