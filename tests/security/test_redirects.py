"""No page can be made to send someone to another site: every view that redirects, given a
`next` (or similar) pointing elsewhere, stays on learnorg."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.security.test_permission_matrix import MATRIX, _url
from tests.security.world import PERSONAS, SignedIn, build_world

EVIL = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example",
    "https:evil.example",
]
PARAMETERS = ["next", "return_to", "redirect", "back", "url"]


def _first_allowed(row: str) -> str | None:
    for persona, answer in zip(PERSONAS, row.split(), strict=True):
        if answer in ("200", "ok", "R"):
            return persona
    return None


def _off_site(location: str) -> bool:
    parts = urlsplit(location)
    return bool(parts.netloc) and parts.netloc != "testserver" or location.startswith(("//", "/\\"))


@pytest.mark.django_db
def test_no_view_redirects_to_another_site():
    world = build_world()
    signed_in = SignedIn(world)
    problems = []
    for case, (get, post) in sorted(MATRIX.items()):
        for method, row in (("get", get), ("post", post)):
            persona = _first_allowed(row)
            if persona is None:
                continue
            for target in EVIL:
                cache.clear()
                client = signed_in(persona)
                with transaction.atomic():
                    response = getattr(client, method)(
                        _url(case, world), dict.fromkeys(PARAMETERS, target)
                    )
                    transaction.set_rollback(True)
                location = response.get("Location", "")
                if response.status_code in (301, 302, 303) and _off_site(location):
                    problems.append(f"{method.upper()} {case} as {persona} -> {location}")
    assert not problems, "open redirects:\n" + "\n".join(problems)


def test_the_check_knows_an_off_site_location():
    assert _off_site("https://evil.example/phish")
    assert _off_site("//evil.example/")
    assert not _off_site("/feedback/")
    assert not _off_site("http://testserver/feedback/")
