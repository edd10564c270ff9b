"""Every page needs a login unless it is on the public allow-list. The URL patterns are read from
the resolver, so a new page is covered the moment it is added."""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open. Adding a name here is a decision: say why in the review.
PUBLIC = {
    "accounts:login",
    # Single sign-on is a way to log in (404 while it is not configured).
    "accounts:sso_start",
    "accounts:sso_callback",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "admin:login",
    "healthz",
    "feedback:public_form",
    "feedback:public_thanks",
}

SAMPLE_KWARGS = {
    "app_label": "accounts",
    "model_name": "user",
    "object_id": "1",
    "content_type_id": "1",
    "uidb64": "MQ",
    "token": "not-a-real-token-abcdefghijklmnop",
    "code": "ABCDEF",
    "panel": "reasons",
}


def _named_patterns(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _sample_url(name: str, pattern: URLPattern) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        converter = converters.get(key)
        if key in SAMPLE_KWARGS:
            kwargs[key] = SAMPLE_KWARGS[key]
        elif converter is not None and converter.regex == "[0-9]+":
            kwargs[key] = 1
        else:
            kwargs[key] = "sample"
    return reverse(name, kwargs=kwargs)


ALL_PATTERNS = sorted(dict(_named_patterns(get_resolver())).items())


def test_the_resolver_lists_pages():
    assert len(ALL_PATTERNS) > 20


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), ALL_PATTERNS, ids=[n for n, _ in ALL_PATTERNS])
def test_every_private_page_redirects_anonymous_users_to_login(client, name, pattern):
    url = _sample_url(name, pattern)
    response = client.get(url)
    if name.startswith("api:") and name != "api:docs":
        # The API answers for itself: 401, never a login page a program cannot use. Its docs
        # are a page for people, like any other.
        assert response.status_code == 401, f"{name} ({url}) answered {response.status_code}"
        return
    if name in PUBLIC:
        assert response.status_code < 500
        assert not (
            response.status_code == 302
            and urlsplit(response["Location"]).path == reverse("accounts:login")
        ), f"{name} is public but asks for a login"
        return
    assert response.status_code == 302, f"{name} ({url}) answered {response.status_code}"
    login_pages = {reverse("accounts:login"), reverse("admin:login")}
    assert urlsplit(response["Location"]).path in login_pages, f"{name} does not ask for a login"
