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
