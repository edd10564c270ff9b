"""Hostile input everywhere: hypothesis posts random and nasty text (NUL, huge, unicode, markup,
template syntax) to every view that takes a POST, and puts it in the query string of every page a
persona can open. No answer may be a server error, and no markup may come back unescaped.

Field names are read from every form class of the apps, so a new form is fuzzed the day it lands.
Each case runs a bounded number of examples so that the suite stays fast."""

import inspect
import re
from pathlib import Path

import pytest
from django import forms as django_forms
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actions.forms
import dashboard.forms
import dashboard.queries
import feedback.forms
import retrospectives.forms
from tests.security.test_csrf import POST_CASES
from tests.security.test_permission_matrix import MATRIX, _url
from tests.security.world import PERSONAS, SignedIn, build_world, object_kwargs

SCRIPT = "<script>alert('fuzz')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
HOSTILE = [
    SCRIPT,
    IMAGE,
    "\x00",
    "text with a NUL \x00 inside",
    "' OR 1=1 --",
    "'; DROP TABLE feedback_client; --",
    "{{ request.user.password }}",
    "{% debug %}",
    "../../../../etc/passwd",
    "𝕳𝖊𝖑𝖑𝖔 🙂 مرحبا שלום",
    "\u202eevil\u202c",
    "\ud7ff\ufffd\uffff",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    " ",
    "\r\n\t",
    "%00%0d%0a",
    '=HYPERLINK("http://evil.example")',
    "javascript:alert(1)",
]
HUGE = "A" * 20_000

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
    st.just(HUGE),
    st.text(max_size=50).map(lambda t: t + SCRIPT),
)


FORM_MODULES = {
    "feedback": feedback.forms,
    "retrospectives": retrospectives.forms,
    "actions": actions.forms,
    "dashboard": dashboard.forms,
}
# Fields that forms add in __init__, and those of Django's auth forms.
EXTRA_FIELDS = {
    "feedback": {f"item{i}" for i in range(1, 6)} | {"intent", "next"},
    "retrospectives": {f"why{i}" for i in range(1, 6)} | {"withdraw", "direction"},
    "actions": set(),
    "dashboard": set(),
    "accounts": {"username", "password", "email", "old_password", "new_password1"},
}


def _form_field_names(app: str) -> list[str]:
    names = set(EXTRA_FIELDS.get(app, set()))
    if app in FORM_MODULES:
        for _, form_class in inspect.getmembers(FORM_MODULES[app], inspect.isclass):
            if issubclass(form_class, django_forms.BaseForm) and hasattr(form_class, "base_fields"):
                names |= set(form_class.base_fields)
    return sorted(names)


FIELDS = {app: _form_field_names(app) for app in EXTRA_FIELDS}
ALL_FIELDS = sorted({name for names in FIELDS.values() for name in names})


def _fields_for(case: str) -> list[str]:
    return FIELDS.get(case.split(":")[0], ALL_FIELDS)


# The forms people type most into get the most examples; every other POST view gets a few.
KEY_FORMS = {
    "accounts:login",
    "accounts:password_reset",
    "feedback:public_form",
    "feedback:client_new",
    "feedback:interview_new",
    "feedback:interview_edit",
    "feedback:feedback_reply",
    "retrospectives:review_new",
    "retrospectives:note_add",
    "retrospectives:note_edit",
    "retrospectives:lesson_edit",
    "actions:action_new",
    "actions:action_edit",
    "actions:action_complete",
    "actions:action_snooze",
}
# List pages get the most query-string examples; every other page a few.
LIST_PAGES = {
    "feedback:client_list",
    "feedback:client_export",
    "feedback:interview_list",
    "feedback:interview_export",
    "feedback:feedback_triage",
    "actions:action_list",
    "actions:action_mine",
    "actions:action_export",
    "retrospectives:review_list",
    "retrospectives:lesson_list",
    "dashboard:index",
    "dashboard:losses",
    "dashboard:actions",
    "dashboard:at_risk",
    "dashboard:responses",
    "dashboard:export",
    "home",
}
KEY_POST = [(c, p) for c, p in POST_CASES if c in KEY_FORMS]
OTHER_POST = [(c, p) for c, p in POST_CASES if c not in KEY_FORMS]

# Every page some persona can open, with the first persona who can.
GET_CASES = [
    (case, next(p for p, a in zip(PERSONAS, get.split(), strict=True) if a == "200"))
    for case, (get, _) in sorted(MATRIX.items())
    if "200" in get.split()
]
LIST_GET = [(c, p) for c, p in GET_CASES if c in LIST_PAGES]
OTHER_GET = [(c, p) for c, p in GET_CASES if c not in LIST_PAGES]
MANY, FEW = 25, 5


def _fuzz(max_examples: int):
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def _unescaped_markup(response) -> bool:
    if "html" not in response.get("Content-Type", ""):
        return False
    body = response.content.decode(errors="replace")
    return SCRIPT in body or "<img src=x onerror" in body


def _request(client, method: str, url: str, data: dict):
    cache.clear()  # no rate limit or lockout hides what the view does with the input
    with transaction.atomic():
        response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def world(db):
    return build_world()


def test_the_fuzzers_cover_the_forms_and_pages():
    assert {"client_words", "doing_right", "q"} <= set(FIELDS["feedback"])
    assert {"text", "statement_public"} <= set(FIELDS["retrospectives"])
    assert {"title", "evidence", "reason"} <= set(FIELDS["actions"])
    assert {c for c, _ in POST_CASES} >= KEY_FORMS
    assert {c for c, _ in GET_CASES} >= LIST_PAGES
    assert len(OTHER_POST) > 30
    assert len(OTHER_GET) > 30


def _post_hostile_text(signed_in, case, persona, data):
    client = signed_in(persona)
    response = _request(client, "post", _url(case, signed_in.world), data)
    assert response.status_code < 500, f"POST {case} as {persona} answered a server error"
    assert not _unescaped_markup(response), f"POST {case} reflects markup unescaped"


def _get_hostile_query(signed_in, case, persona, query):
    client = signed_in(persona)
    response = _request(client, "get", _url(case, signed_in.world), query)
    assert response.status_code < 500, f"GET {case} as {persona} answered a server error"
    assert not _unescaped_markup(response), f"GET {case} reflects markup unescaped"


def _form_data(case: str):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(_fields_for(case), hostile_text))


def _query(case: str):
    names = [*_fields_for(case), "page", "sort", "order", "format"]
    return st.dictionaries(
        st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=20)),
        hostile_text,
        max_size=6,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), KEY_POST, ids=[c for c, _ in KEY_POST])
def test_posting_hostile_text_to_the_main_forms(world, case, persona):
    signed_in = SignedIn(world)

    @_fuzz(MANY)
    @given(data=_form_data(case))
    def check(data):
        _post_hostile_text(signed_in, case, persona, data)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), OTHER_POST, ids=[c for c, _ in OTHER_POST])
def test_posting_hostile_text_to_every_other_post_view(world, case, persona):
    signed_in = SignedIn(world)

    @_fuzz(FEW)
    @given(data=_form_data(case))
    def check(data):
        _post_hostile_text(signed_in, case, persona, data)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), LIST_GET, ids=[c for c, _ in LIST_GET])
def test_hostile_query_parameters_on_list_pages(world, case, persona):
    signed_in = SignedIn(world)

    @_fuzz(MANY)
    @given(query=_query(case))
    def check(query):
        _get_hostile_query(signed_in, case, persona, query)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "persona"), OTHER_GET, ids=[c for c, _ in OTHER_GET])
def test_hostile_query_parameters_on_every_other_page(world, case, persona):
    signed_in = SignedIn(world)

    @_fuzz(FEW)
    @given(query=_query(case))
    def check(query):
        _get_hostile_query(signed_in, case, persona, query)

    check()


def _store_hostile_text_everywhere(world) -> None:
    """Markup in every text a person can type that pages show back: names, words, notes."""
    world.client_a.name = f"Harbor {SCRIPT}"
    world.client_a.save()
    for interview in (world.interview, world.restricted):
        interview.client_words = interview.team_hypothesis = interview.did_well = SCRIPT
        interview.interviewee_name = IMAGE
        interview.save()
    world.response.doing_right = world.response.do_better = SCRIPT
    world.response.contact_name = IMAGE
    world.response.save()
    world.review.title = f"Review {IMAGE}"
    world.review.summary = SCRIPT
    world.review.save()
    world.note.text = SCRIPT
    world.note.save()
    world.lesson.statement_internal = world.lesson.statement_public = SCRIPT
    world.lesson.save()
    world.action.title = f"Fix {IMAGE}"
    world.action.detail = SCRIPT
    world.action.save()
    world.users["alice"].display_name = f"Alice {IMAGE}"
    world.users["alice"].save()


@pytest.mark.django_db
def test_stored_markup_is_escaped_on_every_page(world):
    _store_hostile_text_everywhere(world)
    signed_in = SignedIn(world)
    problems = []
    for case, (get, _) in sorted(MATRIX.items()):
        for persona, answer in zip(PERSONAS, get.split(), strict=True):
            if answer != "200":
                continue
            client = signed_in(persona)
            response = _request(client, "get", _url(case, world), {})
            if response.status_code >= 500 or _unescaped_markup(response):
                problems.append(f"{case} as {persona}: {response.status_code}")
    assert not problems, "pages that break on stored markup:\n" + "\n".join(problems)


# Out-of-range ids ------------------------------------------------------------------------------

# Past what SQLite can bind (a related-object lookup raised OverflowError there), one past the
# largest id, and a digit that str.isdigit() accepts but int() refuses.
IMPOSSIBLE_IDS = ["99999999999999999999", str(2**63), "²"]
VIEW_SOURCES = ["accounts", "feedback", "retrospectives", "actions", "dashboard", "learnorg"]


def _query_keys_read_by_views() -> list[str]:
    """Every query-string key a view reads by name, the dashboard's segment keys, and every
    field of the apps' forms that holds an id (filters are forms bound to the query string)."""
    pattern = re.compile(r'request\.GET(?:\.get(?:list)?\(\s*|\[)"([^"]+)"')
    keys = set()
    for app in VIEW_SOURCES:
        for path in Path(django_settings.BASE_DIR, app).rglob("*.py"):
            keys |= set(pattern.findall(path.read_text()))
    keys |= {key for key, *_ in dashboard.queries.SEGMENTS}
    for module in FORM_MODULES.values():
        for _, form_class in inspect.getmembers(module, inspect.isclass):
            if issubclass(form_class, django_forms.BaseForm) and hasattr(form_class, "base_fields"):
                keys |= {
                    name
                    for name, field in form_class.base_fields.items()
                    if isinstance(field, django_forms.ModelChoiceField)
                }
    return sorted(keys)


ID_KEYS = _query_keys_read_by_views()


def test_the_id_fuzzer_knows_the_drill_down_keys():
    assert {"owner", "partner", "cause", "reason", "client", "page"} <= set(ID_KEYS)


@pytest.mark.django_db
def test_impossible_ids_in_any_query_string_are_never_a_server_error(world):
    signed_in = SignedIn(world)
    problems = []
    for case, persona in GET_CASES:
        url = _url(case, world)
        for value in IMPOSSIBLE_IDS if case in LIST_PAGES else IMPOSSIBLE_IDS[:1]:
            # All keys at once; a page that refuses them gets each key alone, since its first
            # refusal could hide what a later key would do.
            response = _request(signed_in(persona), "get", url, dict.fromkeys(ID_KEYS, value))
            queries = [dict.fromkeys(ID_KEYS, value)]
            if response.status_code == 404:
                queries = [{key: value} for key in ID_KEYS]
            for query in queries:
                response = _request(signed_in(persona), "get", url, query)
                if response.status_code >= 500:
                    problems.append(f"GET {case}?{'&'.join(query)}={value} as {persona}")
    assert not problems, "\n".join(problems)


def _with_impossible_ids(case: str, world, value: int) -> str | None:
    name, _, variant = case.partition("@")
    kwargs = dict(object_kwargs(world).get(name, {}))
    if variant or not any(isinstance(v, int) for v in kwargs.values()):
        return None
    return reverse(name, kwargs={k: value if isinstance(v, int) else v for k, v in kwargs.items()})


@pytest.mark.django_db
@pytest.mark.parametrize("value", [2**63, 10**20])
def test_impossible_ids_in_a_url_lead_nowhere(world, value):
    problems = []
    allowed = dict([*GET_CASES, *POST_CASES])
    signed_in = SignedIn(world)
    for case, persona in sorted(allowed.items()):
        url = _with_impossible_ids(case, world, value)
        if url is None:
            continue
        for method in ("get", "post"):
            response = _request(signed_in(persona), method, url, {})
            if response.status_code >= 500 or response.status_code == 200:
                problems.append(f"{method.upper()} {url} as {persona}: {response.status_code}")
    assert not problems, "\n".join(problems)
