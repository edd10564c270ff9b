"""Everything learnorg keeps instead of computing again, and the one rule that keeps it true.

The rule: a kept thing is stored under a key that names everything it shows, so a change to
what it shows makes a new key and the old entry is never read again. Nothing is invalidated
by hand and nothing waits for an expiry to become right.

- Where the page already holds what a fragment shows (a row's fields, a snapshot's key and
  time), the key is made from those values: `cached_rows`, `cached_fragment`.
- Where it does not (menus of people, the blame nudges' index of names, the team goals), the
  key names a *version* of that data kept in the shared cache, which every change to the data
  replaces: `follow` (in each app's apps.py) calls `changed(name)` on each save and delete of
  the models the data comes from.

The dashboard's rollups are not kept here: they are rows of `dashboard.Snapshot`, computed
again in the background (dashboard.services.snapshot_for), and pages say how old they are.

Rendered HTML stays in each process's memory (the "fragments" cache: no network round trip),
other kept objects in a dictionary of this module (no copy on each read). Everything expires
after an hour, only to free memory and so that a process that cannot see the shared versions
(no CACHE_URL) is never more than an hour behind. The one exception is the team goals, which
count new data: they expire after a few minutes (dashboard.goals.MEASURE_SECONDS).

Erasing a client (privacy.services) must leave nothing kept that names it, in any process:
`forget_everything` empties this process's copies and replaces a generation in the shared
cache; every other process empties its own at its next use, when it sees the new generation.

The CSRF token differs from person to person, so it is never kept: fragments are rendered with
a slot where the token goes, and this request's token is put in on the way out.

Each key starts with the name of what it keeps ("row", "panels", "goals", "menu", "names");
bench/caches.py puts names into `switched_off` to measure what each one saves.
"""

import hashlib
import hmac
import time
import uuid
from functools import lru_cache, partial

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils.safestring import mark_safe

KEEP_SECONDS = 60 * 60
GENERATION_KEY = "caching:generation"
# The generation this process's copies belong to (None: no erasure yet).
_seen_generation: str | None = None
# Kept objects: key -> (the versions they were built under, when, the object).
_objects: dict[str, tuple[tuple, float, object]] = {}
# What is not kept in this process, by the first word of its keys (for measurements).
switched_off: set[str] = set()


def _enabled(key: str) -> bool:
    return key.partition(":")[0] not in switched_off


# --- versions ------------------------------------------------------------------------------


def versions(*names: str) -> tuple[str, ...]:
    """The current version of each named set of data, read in one round trip to the shared
    cache with the erasure generation: this process's copies are emptied first if another
    process has forgotten everything since."""
    global _seen_generation
    keys = [f"caching:version:{name}" for name in names]
    found = cache.get_many([GENERATION_KEY, *keys])
    generation = found.get(GENERATION_KEY)
    if generation != _seen_generation:
        caches["fragments"].clear()
        _objects.clear()
        _seen_generation = generation
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return tuple(found[key] for key in keys)


def _replace(name: str) -> None:
    cache.set(f"caching:version:{name}", uuid.uuid4().hex, None)


def changed(name: str) -> None:
    """The data `name` stands for has changed: everything kept under its version is dropped.

    Replaced now and again once the transaction commits, so that a process that read the old
    data in between keeps it only under the first replacement."""
    _replace(name)
    transaction.on_commit(partial(_replace, name))


def follow(name: str, *models, fields=None) -> None:
    """Replace the version `name` whenever one of `models` is saved or deleted (a many-to-many
    table: changed); with `fields`, only a save that may change one of them."""

    def receiver(sender, update_fields=None, **kwargs):
        if fields and update_fields and not set(update_fields) & set(fields):
            return
        changed(name)

    for model in models:
        uid = f"caching:{name}:{model._meta.label}"
        signals = [m2m_changed] if model._meta.auto_created else [post_save, post_delete]
        for signal in signals:
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=uid)


# --- erasure -------------------------------------------------------------------------------


def forget_everything() -> None:
    """Drop every kept copy here, and in every other process at its next use."""
    global _seen_generation
    _seen_generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, _seen_generation, None)
    caches["fragments"].clear()
    _objects.clear()


# --- kept objects --------------------------------------------------------------------------


def latest(key: str, build, *, of: tuple[str, ...]):
    """`build()`, kept in this process as long as the data named `of` has not changed."""
    if not _enabled(key):
        return build()
    current = versions(*of)
    kept = _objects.get(key)
    if kept is None or kept[0] != current or time.monotonic() - kept[1] > KEEP_SECONDS:
        kept = (current, time.monotonic(), build())
        _objects[key] = kept
    return kept[2]


# --- rendered fragments --------------------------------------------------------------------


@lru_cache
def _csrf_slot() -> str:
    """Stands where the token goes; derived from the secret key so no one can type it into a
    row, and the same in every process."""
    return hmac.new(settings.SECRET_KEY.encode(), b"csrf-slot", hashlib.sha256).hexdigest()


@lru_cache
def template_digest(*template_names: str) -> str:
    """The source of templates and of the templates they include by name, hashed once per
    process: a changed template (runserver reloads templates without a restart) changes every
    key."""
    digest = hashlib.sha256()
    pending, seen = list(template_names), set()
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


def cached_fragment(
    request, key: str, render, *, of: tuple[str, ...] = (), seconds: int = KEEP_SECONDS
) -> str:
    """One fragment, rendered by `render(csrf_token)` on a miss and kept under `key` and the
    versions of the data named `of`, which together must name everything the fragment shows
    (its templates included: see `template_digest`)."""
    slot = _csrf_slot()
    if not _enabled(key):
        return mark_safe(render(get_token(request)))
    key = ":".join([key, *versions(*of)])
    fragments = caches["fragments"]
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
    template = get_template(template_name)
    if not _enabled("row"):
        token = get_token(request)
        return [
            mark_safe(template.render({**context, name: item, "csrf_token": token}))
            for item in items
        ]
    base = f"row:{template_name}:{template_digest(template_name)}:"
    keys = [
        base + hashlib.sha256(repr((version(item), sorted(context.items()))).encode()).hexdigest()
        for item in items
    ]
    versions()  # an erasure elsewhere empties this process's copies first
    fragments = caches["fragments"]
    found = fragments.get_many(keys)
    missing = {}
    slot = _csrf_slot()
    rows = []
    for key, item in zip(keys, items, strict=True):
        html = found.get(key)
        if html is None:
            html = template.render({**context, name: item, "csrf_token": slot})
            missing[key] = html
        rows.append(html)
    if missing:
        fragments.set_many(missing, KEEP_SECONDS)
    token = get_token(request)
    return [mark_safe(row.replace(slot, token)) for row in rows]
