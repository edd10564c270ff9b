"""Who gets what from the API, for every endpoint: the security world's seven personas, each with
a personal token (the deactivated one's no longer works), and each method an endpoint takes,
with a valid body. An API URL name that the walk does not list fails the suite. Every answer a
persona gets is searched for text that persona may not see, as the page matrix does."""

import datetime as dt
import functools

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts import tokens
from actions.models import Action
from retrospectives.models import Lesson
from tests.factories import LessonFactory
from tests.security.world import MAY_SEE, PERSONAS, SECRETS, build_world, named_patterns

API_NAMES = sorted({name for name, _ in named_patterns() if name.startswith("api:")})
TODAY = timezone.localdate()


def _done(world):
    Action.objects.filter(pk=world.action.pk).update(
        status=Action.Status.DONE, evidence="A backup partner for every key client"
    )


def _published(world):
    return LessonFactory(status=Lesson.Status.PUBLISHED, published_at=timezone.now()).pk


# case: (method, URL kwargs from the world, body, prepare, answers of anonymous, deactivated,
# alice (AM of client A), bob (AM of client B), fran (facilitates client A's review), pat
# (partner), sam (staff)). L: a redirect to the login page.
WALK = {
    "api:client-list": ("get", None, None, None, "401 401 200 200 200 200 200"),
    "api:client-list@post": (
        "post",
        None,
        {"name": "Northwind Traders", "annual_fees": "12000.00"},
        None,
        "401 401 201 201 404 201 404",
    ),
    "api:client-detail": ("get", "client_a", None, None, "401 401 200 404 200 200 404"),
    "api:client-detail@patch": (
        "patch",
        "client_a",
        {"annual_fees": "15000.00"},
        None,
        "401 401 200 404 404 200 404",
    ),
    "api:client-detail@put": (
        "put",
        "client_a",
        {"status": "at_risk"},
        None,
        "401 401 200 404 404 200 404",
    ),
    "api:interview-list": ("get", None, None, None, "401 401 200 200 200 200 200"),
    "api:interview-list@post": (
        "post",
        None,
        {"client": "client_a", "held_on": str(TODAY), "client_words": "Too slow in March."},
        None,
        "401 401 201 400 400 201 400",
    ),
    "api:interview-detail": ("get", "interview", None, None, "401 401 200 404 200 200 404"),
    "api:interview-detail@restricted": (
        "get",
        "restricted",
        None,
        None,
        "401 401 200 404 404 200 404",
    ),
    "api:action-list": ("get", None, None, None, "401 401 200 200 200 200 200"),
    "api:action-list@post": (
        "post",
        None,
        {"title": "Name a backup partner", "due_on": str(TODAY + dt.timedelta(days=7))},
        None,
        "401 401 201 201 201 201 201",
    ),
    "api:action-detail": ("get", "action", None, None, "401 401 200 404 200 200 404"),
    "api:action-events": ("get", "action", None, None, "401 401 200 404 200 200 404"),
    "api:action-start": ("post", "action", {}, None, "401 401 200 404 400 200 404"),
    "api:action-complete": (
        "post",
        "action",
        {"evidence": "New escalation roster"},
        None,
        "401 401 200 404 400 200 404",
    ),
    "api:action-verify": ("post", "action", {}, _done, "401 401 400 404 200 200 404"),
    "api:action-wont-do": (
        "post",
        "action",
        {"reason": "The client merged"},
        None,
        "401 401 200 404 400 200 404",
    ),
    "api:action-reopen": ("post", "action", {}, _done, "401 401 200 404 200 200 404"),
    "api:action-comment": (
        "post",
        "action",
        {"text": "Roster drafted"},
        None,
        "401 401 201 404 201 201 404",
    ),
    "api:lesson-list": ("get", None, None, None, "401 401 200 200 200 200 200"),
    "api:lesson-detail": ("get", _published, None, None, "401 401 200 200 200 200 200"),
    # A draft lesson is not in the library, whoever may edit it on its page.
    "api:lesson-detail@draft": ("get", "lesson", None, None, "401 401 404 404 404 404 404"),
    "api:dashboard-headline": ("get", None, None, None, "401 401 404 404 404 200 404"),
    "api:dashboard-headline@partner": (
        "get",
        None,
        {"period": "quarter"},
        None,
        "401 401 404 404 404 200 404",
    ),
    "api:schema": ("get", None, None, None, "401 401 200 200 200 200 200"),
    # The docs are a page for people signed in (tests/api/test_schema.py), not for programs.
    "api:docs": ("get", None, None, None, "L L L L L L L"),
}


def _url(name: str, target, world) -> str:
    if target is None:
        return reverse(name)
    pk = target(world) if callable(target) else getattr(world, target).pk
    return reverse(name, kwargs={"pk": pk})


def _body(body, world):
    if body is None:
        return None
    return {
        key: getattr(world, value).pk if value in {"client_a", "client_b"} else value
        for key, value in body.items()
    }


def _outcome(response) -> str:
    if response.status_code == 302:
        return "L" if response["Location"].startswith(reverse("accounts:login")) else "R"
    return str(response.status_code)


def _leaks(persona: str, response) -> list[str]:
    if response.status_code not in (200, 201) or not response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return []
    body = response.content.decode()
    return [key for key, text in SECRETS.items() if persona not in MAY_SEE[key] and text in body]


@functools.cache
def _documented() -> dict[tuple[str, str], set[str]]:
    """(path as the schema writes it, method) → the statuses the schema says it may answer."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method): set(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }


def _undocumented(method: str, response) -> str | None:
    """The status of an API answer that its operation's schema does not list."""
    route = "/" + response.wsgi_request.resolver_match.route.replace("<int:pk>", "{id}")
    if not route.startswith("/api/v1/"):
        return None  # the schema and its docs page describe the endpoints, not themselves
    statuses = _documented().get((route, method), set())
    if str(response.status_code) not in statuses:
        return f"{response.status_code} is not in the schema of {method.upper()} {route}"
    return None


def _walk(case: str) -> list[str]:
    world = build_world()
    secrets = {
        persona: tokens.create_token(user=world.users[persona], name="walk")[1]
        for persona in PERSONAS
        if persona != "anonymous"
    }
    method, target, body, prepare, answers = WALK[case]
    name = case.partition("@")[0]
    problems = []
    for persona, expected in zip(PERSONAS, answers.split(), strict=True):
        cache.clear()  # rate limits must not carry over between personas
        headers = {"Authorization": f"Bearer {secrets[persona]}"} if persona in secrets else {}
        client = Client(headers=headers, raise_request_exception=False)
        # Each persona's request is rolled back, so one persona's change never decides another's.
        with transaction.atomic():
            if prepare:
                prepare(world)
            url = _url(name, target, world)
            data = _body(body, world)
            if method == "get":
                response = client.get(url, data)
            else:
                response = getattr(client, method)(url, data or {}, content_type="application/json")
            transaction.set_rollback(True)
        if _outcome(response) != expected:
            problems.append(f"{persona}: expected {expected}, got {_outcome(response)}")
        if persona != "anonymous" and (wrong := _undocumented(method, response)):
            problems.append(f"{persona}: {wrong}")
        if leaked := _leaks(persona, response):
            problems.append(f"{persona}: the answer shows {', '.join(leaked)}")
    return problems


def test_every_api_url_name_has_a_rule():
    listed = {case.partition("@")[0] for case in WALK}
    assert sorted(set(API_NAMES) - listed) == [], "new API URL names: add their rule to WALK"
    assert sorted(listed - set(API_NAMES)) == [], "API URL names that no longer exist"


def test_every_rule_has_one_answer_per_persona():
    for case, rule in WALK.items():
        assert len(rule[-1].split()) == len(PERSONAS), case


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(WALK))
def test_every_endpoint_answers_each_persona_as_the_walk_says(case):
    problems = _walk(case)
    assert not problems, f"{case}: " + "; ".join(problems)
