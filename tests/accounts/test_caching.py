import time

import pytest
from django.test import RequestFactory, override_settings

from accounts import caching


def _templates(row: str, badge: str):
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {"row.html": row, "badge.html": badge},
                        )
                    ]
                },
            }
        ]
    )


@pytest.fixture(autouse=True)
def _fresh_digests():
    caching.template_digest.cache_clear()
    yield
    caching.template_digest.cache_clear()


def _render(names, version=lambda name: (name,)):
    request = RequestFactory().get("/")
    return caching.cached_rows(request, "row.html", names, name="person", version=version)


def test_a_change_to_an_included_template_changes_every_key():
    row = '<td>{{ person }}</td>{% include "badge.html" %}'
    with _templates(row, "<b>new</b>"):
        assert _render(["Ann"]) == ["<td>Ann</td><b>new</b>"]
    caching.template_digest.cache_clear()
    with _templates(row, "<b>newer</b>"):
        assert _render(["Ann"]) == ["<td>Ann</td><b>newer</b>"]


def test_a_row_is_served_from_the_cache_while_its_version_is_the_same():
    with _templates("<td>{{ person }}</td>", ""):
        assert _render(["Ann"], version=lambda name: ("same",)) == ["<td>Ann</td>"]
        # Same version, so the cached row comes back: the version must hold all a row shows.
        assert _render(["Bob"], version=lambda name: ("same",)) == ["<td>Ann</td>"]
        assert _render(["Bob"]) == ["<td>Bob</td>"]


def test_the_token_goes_in_per_request_and_is_never_cached():
    row = "<form>{% csrf_token %}{{ person }}</form>"
    with _templates(row, ""):
        first = _render(["Ann"])[0]
        second = _render(["Ann"])[0]
    token = 'name="csrfmiddlewaretoken" value="'
    assert token in first and token in second
    assert first != second  # each request has its own (masked) token
    assert caching._csrf_slot() not in first


# --- kept objects and versions ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_kept_object_is_built_once_until_its_data_changes():
    built = []

    def build():
        built.append(1)
        return len(built)

    assert caching.latest("test:thing", build, of=("test",)) == 1
    assert caching.latest("test:thing", build, of=("test",)) == 1
    caching.changed("test")
    assert caching.latest("test:thing", build, of=("test",)) == 2


@pytest.mark.django_db
def test_a_version_is_replaced_again_when_the_change_commits(django_capture_on_commit_callbacks):
    before = caching.versions("test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        caching.changed("test")
    during = caching.versions("test")
    assert during != before
    for callback in callbacks:
        callback()
    # A process that read the uncommitted state under `during` must not keep it.
    assert caching.versions("test") not in (before, during)


@pytest.mark.django_db
def test_a_login_keeps_what_people_names_are_kept_under(alice):
    before = caching.versions("reference")
    alice.save(update_fields=["last_login"])
    assert caching.versions("reference") == before
    alice.save(update_fields=["display_name"])
    assert caching.versions("reference") != before


def test_an_erasure_in_another_process_drops_kept_objects_here_at_their_next_use():
    caching.latest("test:names", lambda: "Harbor Freight", of=("test",))
    current = caching.versions("test")
    caching.forget_everything()
    caching._seen_generation = "before the erasure"  # this process has not seen it yet
    caching._objects["test:names"] = (current, time.monotonic(), "Harbor Freight")
    assert caching.latest("test:names", lambda: "erased", of=("test",)) == "erased"


def test_a_switched_off_kind_is_rendered_afresh_each_time():
    caching.switched_off.add("row")
    try:
        with _templates("<td>{{ person }}</td>", ""):
            assert _render(["Ann"], version=lambda name: ("same",)) == ["<td>Ann</td>"]
            assert _render(["Bob"], version=lambda name: ("same",)) == ["<td>Bob</td>"]
    finally:
        caching.switched_off.clear()
