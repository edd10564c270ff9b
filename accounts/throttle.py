"""Counting attempts per client address (or per e-mail address) in a fixed window, in the shared
cache, so every web process enforces the same limit."""

import hashlib

from django.core.cache import cache


def attempt(scope: str, who: str | None, *, limit: int, window: int) -> bool:
    """Count one attempt by `who` at `scope`; False once more than `limit` were made in the
    `window` seconds since the first. `who` is hashed, so no address is kept in the cache."""
    digest = hashlib.sha256(str(who or "unknown").encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
