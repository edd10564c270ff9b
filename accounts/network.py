"""Who is on the other end of a request: the one client address that rate limits, login lockouts
and the audit log all use, and the cap on how much an anonymous visitor may post."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the outermost of our PROXY_COUNT trusted proxies saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so the last
    PROXY_COUNT entries were written by our own proxies and the entry PROXY_COUNT from the end is
    the client. Anything before it was sent by the client and is ignored. A request that did not
    come through every proxy (too few entries, or an entry that is not an address) gets
    REMOTE_ADDR, the machine that actually connected.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote


def _address(entry: str) -> str | None:
    """The IP address in an X-Forwarded-For entry, with any port some proxies add removed."""
    candidates = [entry]
    if entry.startswith("[") and "]" in entry:  # [2001:db8::1]:443
        candidates.append(entry[1 : entry.index("]")])
    elif entry.count(":") == 1:  # 203.0.113.9:443
        candidates.append(entry.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


class RequestBodyLimitMiddleware:
    """Refuse an oversized request body with 413 before anything reads it.

    Django caps the form fields it keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams an
    uploaded file of any size to disk, and the CSRF check parses the body of every POST, before a
    view or the login check has said no. So a visitor who is not logged in, who may only use the
    public forms, may send at most PUBLIC_MAX_REQUEST_BODY; a signed-in person MAX_REQUEST_BODY
    (the client import's file and then some). The size is the declared Content-Length: Django
    reads no more than that, and nothing of a body sent without one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > settings.PUBLIC_MAX_REQUEST_BODY and size > _limit_for(request):
            return HttpResponse(
                "This request is too large to accept.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _limit_for(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return settings.MAX_REQUEST_BODY
    return settings.PUBLIC_MAX_REQUEST_BODY
