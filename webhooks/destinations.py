"""Where a webhook may send: http(s) only, and (unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES) never to
an address inside the firm's network, so whoever registers a hook cannot make the server probe
its neighbours (server-side request forgery).

The host is resolved when the hook is saved and again before each attempt. A name that resolves
to a public address at the check and to a private one at the connection a moment later (DNS
rebinding) is not caught; a firewall that keeps the worker from internal addresses is.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

SCHEMES = ("http", "https")


def refusal(url: str) -> str:
    """Why the URL may not receive deliveries, or "" when it may."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        return "Use an http:// or https:// address."
    if not parts.hostname:
        return "Give the receiver's host name."
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):
        return f"{parts.hostname} does not resolve."
    for *_, address in found:
        ip = ipaddress.ip_address(address[0].split("%")[0])
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            where = parts.hostname if parts.hostname == str(ip) else f"{parts.hostname} ({ip})"
            return (
                f"{where} is an internal address; webhooks go to public addresses only "
                "(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES lifts this)."
            )
    return ""
