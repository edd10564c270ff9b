"""Every view that accepts a POST refuses one without a CSRF token, and none is exempt."""

import pytest
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tests.security.test_permission_matrix import MATRIX, _url
from tests.security.world import PERSONAS, build_world, log_in, named_patterns


def _post_cases() -> list[tuple[str, str]]:
    """(case, the first persona allowed to POST there) for every URL that takes a POST."""
    cases = []
    for case, (_, post) in sorted(MATRIX.items()):
        allowed = [p for p, answer in zip(PERSONAS, post.split(), strict=True) if answer == "ok"]
        if allowed:
            cases.append((case, allowed[0]))
    return cases


POST_CASES = _post_cases()


def test_there_are_post_views_to_check():
    assert len(POST_CASES) > 40


def test_no_view_is_exempt_from_csrf():
    """Except the API's: DRF checks the CSRF token itself for a signed-in browser's session
    (tests/api/test_session.py), and a request with a personal token carries no cookie."""
    exempt = [
        name
        for name, p in named_patterns()
        if getattr(p.callback, "csrf_exempt", False) and not name.startswith("api:")
    ]
    assert exempt == []


def _post(client, url: str, **headers):
    with transaction.atomic():
        response = client.post(url, {"text": "x"}, **headers)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), POST_CASES, ids=[c for c, _ in POST_CASES])
def test_a_post_without_a_csrf_token_is_refused(case, persona):
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    log_in(client, persona, world)
    url = _url(case, world)
    refused = _post(client, url)
    assert refused.status_code == 403, f"{case} as {persona}: {refused.status_code}"
    assert b"CSRF" in refused.content
    # The same request with a token gets through, so the 403 above was the CSRF check.
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    assert _post(client, url, HTTP_X_CSRFTOKEN=token).status_code != 403, f"{case} as {persona}"
