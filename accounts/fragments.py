"""Rendered fragments (rows of long lists, the team goals), kept in each process's memory (the
"fragments" cache) while nothing they show changes.

The template engine costs about 0.2 ms a row, so 25 rows were most of a list page. Each row is
kept under a key made from everything it shows (its *version*, given by the view) and from the
source of its templates. An entry is therefore never stale: any change to what a row shows, or
to its template, makes a new key, and the old entry just expires. Nothing has to be invalidated.

The CSRF token differs from person to person, so it is never cached: rows are rendered with a
slot where the token goes, and this request's token is put in on the way out.

One exception: erasing a client's personal data (privacy.services) must also remove the old
entries that quote it, in every process. `forget_everything` empties this process's copy and
replaces a generation kept in the shared cache; every other process empties its own copy at its
next use of a fragment, when it sees the new generation.
"""

import hashlib
import hmac
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache, caches
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils.safestring import mark_safe

ROW_SECONDS = 60 * 60
GENERATION_KEY = "fragments:generation"
# The generation this process's fragments were rendered in (None: no erasure yet).
_seen_generation: str | None = None


def forget_everything() -> None:
    """Drop every rendered fragment here, and in every other process at its next use."""
    global _seen_generation
    _seen_generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, _seen_generation, None)
    caches["fragments"].clear()


def _fragments():
    """This process's fragments, emptied first if another process has forgotten everything."""
    global _seen_generation
    generation = cache.get(GENERATION_KEY)
    if generation != _seen_generation:
        caches["fragments"].clear()
        _seen_generation = generation
    return caches["fragments"]


@lru_cache
def _csrf_slot() -> str:
    """Stands where the token goes; derived from the secret key so no one can type it into a
    row, and the same in every process that shares the cache."""
    return hmac.new(settings.SECRET_KEY.encode(), b"csrf-slot", hashlib.sha256).hexdigest()


@lru_cache
def _template_digest(template_name: str) -> str:
    """The source of a template and of the templates it includes by name, hashed once per
    process: a deploy that changes the markup changes every key."""
    digest = hashlib.sha256()
    pending, seen = [template_name], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        template = get_template(name).template
        digest.update(template.source.encode())
        for node in template.nodelist.get_nodes_by_type(IncludeNode):
            included = node.template.var
            if isinstance(included, str):
                pending.append(included)
    return digest.hexdigest()[:16]


def cached_fragment(request, key: str, render, *, seconds: int = ROW_SECONDS) -> str:
    """One fragment, rendered by `render(csrf_token)` on a miss and kept under `key`, which must
    name everything the fragment shows."""
    fragments = _fragments()
    slot = _csrf_slot()
    html = fragments.get(key)
    if html is None:
        html = render(slot)
        fragments.set(key, html, seconds)
    return mark_safe(html.replace(slot, get_token(request)))


def cached_rows(
    request, template_name: str, items, *, name: str, version, context=None
) -> list[str]:
    """Each item rendered through `template_name` (as `name` in its context, next to `context`),
    from the cache where it is there.

    `version(item)` must return everything the row shows or decides with, as a tuple of plain
    values (ids, strings, dates, flags); two items with the same version render the same.
    """
    context = context or {}
    base = f"row:{template_name}:{_template_digest(template_name)}:"
    keys = [
        base + hashlib.sha256(repr((version(item), sorted(context.items()))).encode()).hexdigest()
        for item in items
    ]
    fragments = _fragments()
    found = fragments.get_many(keys)
    missing = {}
    template = get_template(template_name)
    slot = _csrf_slot()
    rows = []
    for key, item in zip(keys, items, strict=True):
        html = found.get(key)
        if html is None:
            html = template.render({**context, name: item, "csrf_token": slot})
            missing[key] = html
        rows.append(html)
    if missing:
        fragments.set_many(missing, ROW_SECONDS)
    token = get_token(request)
    return [mark_safe(row.replace(slot, token)) for row in rows]
