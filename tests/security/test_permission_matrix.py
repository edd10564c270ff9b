"""Who gets what, for every named URL: seven personas, GET and POST, each with its expected
answer. A URL name that the matrix does not list fails the suite, so every new page states its
rule here. Every page a persona can open is also searched for text that persona may not see.

Answers: 200/400/403/404/405/429 exactly; L = redirect to the login page; R = any other
redirect; ok = accepted by someone allowed to use it (a page, a redirect, or the form's own
400/409 for the empty POST sent here), never a login, 403, 404, 405 or 5xx.
"""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.world import (
    ADMIN_NAMES,
    APP_NAMES,
    MAY_SEE,
    PERSONAS,
    SECRETS,
    build_world,
    log_in,
    named_patterns,
    object_kwargs,
)

# Columns: anonymous, deactivated, alice (AM of client A), bob (AM of client B), fran (facilitates
# the review of client A), pat (partner), sam (staff). Rows: (GET, POST).
MATRIX = {
    # accounts: Django's auth views; login, reset and their steps are public.
    "accounts:login": ("200 200 R R R R R", "ok ok ok ok ok ok ok"),
    # single sign-on: not configured in these tests, so no such page (tests/accounts/test_sso.py).
    "accounts:sso_start": ("404 404 404 404 404 404 404", "404 404 404 404 404 404 404"),
    "accounts:sso_callback": ("404 404 404 404 404 404 404", "404 404 404 404 404 404 404"),
    "accounts:logout": ("L L 405 405 405 405 405", "L L L L L L L"),
    "accounts:password_change": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "accounts:password_change_done": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "accounts:password_reset": ("200 200 200 200 200 200 200", "ok ok ok ok ok ok ok"),
    "accounts:password_reset_complete": (
        "200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405",
    ),
    "accounts:password_reset_confirm": ("200 200 200 200 200 200 200", "ok ok ok ok ok ok ok"),
    "accounts:password_reset_done": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    # files: downloaded by who may see the object, added and removed by who may change it.
    "accounts:attachment": ("L L 200 404 200 200 404", "L L 405 405 405 405 405"),
    "accounts:attachment@restricted": ("L L 200 404 404 200 404", "L L 405 405 405 405 405"),
    "accounts:attachment_delete": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "accounts:attachment_delete@restricted": (
        "L L 405 405 405 405 405",
        "L L ok 404 404 ok 404",
    ),
    "accounts:attachment_new": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "accounts:attachment_new@restricted": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    # API tokens: everyone makes their own; only the owner (alice) revokes hers.
    "accounts:api_tokens": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "accounts:api_token_revoke": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "healthz": ("200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "home": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    # actions: owners manage their own; partners and facilitators see all, partners manage all.
    "actions:action_list": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "actions:action_mine": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "actions:action_new": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "actions:action_export": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "actions:action_detail": ("L L 200 404 200 200 404", "L L ok 404 ok ok 404"),
    "actions:action_edit": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "actions:action_start": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_complete": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_verify": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_wont_do": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_reopen": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_snooze": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_comment": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_pilot": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_pilot_result": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    "actions:action_rollout": ("L L 405 405 405 405 405", "L L ok 404 ok ok 404"),
    # notifications: everyone has an inbox and settings; a notification opens for its recipient.
    "actions:notification_list": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "actions:notification_read": ("L L 405 405 405 405 405", "L L ok ok ok ok ok"),
    "actions:notification_open": ("L L R 404 404 404 404", "L L 405 405 405 405 405"),
    "actions:notification_settings": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    # dashboard: partners; account managers get their personal view on the index.
    "dashboard:index": ("L L 200 200 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:activity": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "dashboard:losses": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:actions": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:at_risk": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:responses": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:export": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "dashboard:refresh": ("L L 405 405 405 405 405", "L L 404 404 404 ok 404"),
    "dashboard:check_in": ("L L 405 405 405 405 405", "L L 404 404 404 ok 404"),
    # team goals: partners set, update and end them; everyone sees them on the home page.
    "dashboard:goal_new": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "dashboard:goal_progress": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "dashboard:goal_end": ("L L 405 405 405 405 405", "L L 404 404 404 ok 404"),
    # feedback: account managers their clients, facilitators every client (not every
    # interview), partners everything; the public form is open to anyone with the link.
    "feedback:client_list": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "feedback:client_export": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "feedback:client_options": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "feedback:interview_options": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    # The interview list and its export: everyone logged in, showing only what visible_to allows.
    "feedback:interview_list": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "feedback:interview_export": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "feedback:client_new": ("L L 200 200 404 200 404", "L L ok ok 404 ok 404"),
    "feedback:client_import": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "feedback:client_detail": ("L L 200 404 200 200 404", "L L ok 404 ok ok 404"),
    "feedback:client_edit": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:client_link_email": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:client_link": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "feedback:interview_new": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:interview_blame_check": ("L L 405 405 405 405 405", "L L ok ok ok ok ok"),
    "feedback:interview_detail": ("L L 200 404 200 200 404", "L L ok 404 ok ok 404"),
    "feedback:interview_detail@restricted": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:interview_edit": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:interview_edit@restricted": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:interview_finalise": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "feedback:interview_finalise@restricted": (
        "L L 405 405 405 405 405",
        "L L ok 404 404 ok 404",
    ),
    "feedback:interview_audit": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "feedback:interview_audit@restricted": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "feedback:feedback_triage": ("L L 200 200 404 200 404", "L L ok ok 404 ok 404"),
    "feedback:feedback_detail": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:feedback_triage_update": ("L L 405 405 404 405 404", "L L ok 404 404 ok 404"),
    "feedback:feedback_action_new": ("L L 200 404 404 200 404", "L L ok 404 404 ok 404"),
    "feedback:feedback_reply": ("L L R 404 404 R 404", "L L ok 404 404 ok 404"),
    "feedback:firm_link": ("L L 404 404 404 405 404", "L L 404 404 404 ok 404"),
    # save attempts: partners all; the owner and the client's account manager their own.
    "feedback:feedback_mark_urgent": ("L L 405 405 404 405 404", "L L ok 404 404 ok 404"),
    "feedback:save_list": ("L L 200 200 404 200 404", "L L 405 405 405 405 405"),
    "feedback:save_detail": ("L L 200 404 404 200 404", "L L 405 405 405 405 405"),
    "feedback:save_contact": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "feedback:save_close": ("L L 405 405 405 405 405", "L L ok 404 404 ok 404"),
    "feedback:public_form": ("200 200 200 200 200 200 200", "ok ok ok ok ok ok ok"),
    "feedback:public_thanks": ("200 200 200 200 200 200 200", "ok ok ok ok ok ok ok"),
    "feedback:learning_check": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    # staff suggestions: everyone logged in suggests and follows their own (an anonymous one by
    # its receipt link); partners and facilitators read and answer them all.
    "feedback:suggestion_new": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "feedback:suggestion_mine": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "feedback:suggestion_receipt": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "feedback:suggestion_triage": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "feedback:suggestion_detail": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "feedback:suggestion_accept": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "feedback:suggestion_decline": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "feedback:suggestion_merge": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    # retrospectives: the facilitator and partners run a review; participants (alice) see it
    # and post from /join/<code>/; anyone logged in who has the code may join.
    "retrospectives:review_list": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "retrospectives:review_new": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    # What a planner may attach: Review.interviews_attachable_by.
    "retrospectives:interview_options": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_detail": ("L L 200 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_console": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:console_notes": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:console_participants": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_start": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_phase": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_timer": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_close": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_whys": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:note_hide": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:note_cause": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:note_merge": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    # The why board and the five whys on the screens: the review's runners move, merge,
    # un-merge and moderate; a participant proposes a why from the join page.
    "retrospectives:note_unmerge": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_why_cause": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:why_approve": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:why_reject": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:note_action": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:note_lesson": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:lesson_new": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:breakout_split": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:breakout_groups": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:breakout_merge": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:process_map": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:process_step_edit": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:process_step_move": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:process_step_delete": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    "retrospectives:review_present": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:present_board": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_stream": ("L L 404 404 ok ok 404", "L L 405 405 405 405 405"),
    "retrospectives:review_invite": ("L L 200 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_reschedule": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:review_edit": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
    "retrospectives:review_cancel": ("L L 405 405 405 405 405", "L L 404 404 ok ok 404"),
    # Recurring process audits are the partners' to set up.
    "retrospectives:audit_list": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "retrospectives:audit_new": ("L L 404 404 404 200 404", "L L 404 404 404 ok 404"),
    "retrospectives:audit_detail": ("L L 404 404 404 200 404", "L L 405 405 405 405 405"),
    "retrospectives:audit_status": ("L L 405 405 405 405 405", "L L 404 404 404 ok 404"),
    "retrospectives:review_report": ("L L 200 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:review_report_csv": ("L L 200 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:join_code": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "retrospectives:join": ("L L 200 200 200 200 200", "L L ok ok ok ok ok"),
    "retrospectives:join_board": ("L L 200 404 404 404 404", "L L 405 405 405 405 405"),
    "retrospectives:join_stream": ("L L ok 404 404 404 404", "L L 405 405 405 405 405"),
    "retrospectives:note_add": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:note_edit": ("L L 200 404 404 404 404", "L L ok 404 404 404 404"),
    "retrospectives:note_delete": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:note_vote": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:blame_check": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:why_propose": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:speak_freely": ("L L 405 405 405 405 405", "L L ok 404 404 404 404"),
    "retrospectives:lesson_list": ("L L 200 200 200 200 200", "L L 405 405 405 405 405"),
    "retrospectives:lesson_detail": ("L L 404 404 200 200 404", "L L 405 405 405 405 405"),
    "retrospectives:lesson_edit": ("L L 404 404 200 200 404", "L L 404 404 ok ok 404"),
}

# Pages that show the client's name to whoever holds the link or the code, by design.
NAME_SHOWN_TO_HOLDERS = {"feedback:public_form", "retrospectives:join"}


def _url(case: str, world) -> str:
    name, _, variant = case.partition("@")
    kwargs = dict(object_kwargs(world).get(name, {}))
    if variant == "restricted" and name == "accounts:attachment_new":
        kwargs = {"kind": "interview", "object_id": world.restricted.pk}
    elif variant == "restricted" and name.startswith("accounts:attachment"):
        kwargs["pk"] = world.restricted_file.pk
    elif variant == "restricted":
        kwargs["pk"] = world.restricted.pk
    return reverse(name, kwargs=kwargs)


def _outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        login_pages = {reverse("accounts:login"), reverse("admin:login")}
        return "L" if urlsplit(response["Location"]).path in login_pages else "R"
    return str(response.status_code)


def _matches(expected: str, response) -> bool:
    got = _outcome(response)
    if expected == "ok":
        return got == "R" or response.status_code in (200, 204, 400, 409)
    return got == expected


def _leaks(case: str, persona: str, response) -> list[str]:
    if response.status_code != 200 or response.streaming:
        return []
    body = response.content.decode(errors="replace")
    name = case.partition("@")[0]
    leaked = []
    for key, text in SECRETS.items():
        if persona in MAY_SEE[key] or text not in body:
            continue
        if key == "client_a" and name in NAME_SHOWN_TO_HOLDERS:
            continue
        leaked.append(key)
    return leaked


def _check(case: str, method: str) -> list[str]:
    world = build_world()
    expectations = MATRIX[case][0 if method == "get" else 1].split()
    problems = []
    for persona, expected in zip(PERSONAS, expectations, strict=True):
        cache.clear()  # rate limits and lockouts must not carry over between personas
        client = Client(raise_request_exception=False)
        log_in(client, persona, world)
        # Each persona's request is rolled back, so one persona's change never decides
        # another's answer.
        with transaction.atomic():
            response = getattr(client, method)(_url(case, world))
            transaction.set_rollback(True)
        if not _matches(expected, response):
            problems.append(f"{persona}: expected {expected}, got {_outcome(response)}")
        if method == "get" and (leaked := _leaks(case, persona, response)):
            problems.append(f"{persona}: the page shows {', '.join(leaked)}")
    return problems


def test_every_url_name_has_a_rule():
    listed = {case.partition("@")[0] for case in MATRIX}
    assert sorted(set(APP_NAMES) - listed) == [], "new URL names: add their rule to MATRIX"
    assert sorted(listed - set(APP_NAMES)) == [], "URL names that no longer exist"


def test_every_rule_has_one_answer_per_persona():
    for case, rows in MATRIX.items():
        for row in rows:
            assert len(row.split()) == len(PERSONAS), case


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(MATRIX))
def test_every_url_answers_get_as_the_matrix_says(case):
    problems = _check(case, "get")
    assert not problems, f"GET {case}: " + "; ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(MATRIX))
def test_every_url_answers_post_as_the_matrix_says(case):
    problems = _check(case, "post")
    assert not problems, f"POST {case}: " + "; ".join(problems)


ADMIN_SAMPLE_KWARGS = {
    "app_label": "accounts",
    "model_name": "user",
    "object_id": "1",
    "content_type_id": "1",
    "uidb64": "MQ",
    "token": "sample",
    "url": "sample",
}


def _admin_url(name: str, pattern) -> str:
    kwargs = {key: ADMIN_SAMPLE_KWARGS.get(key, "1") for key in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
def test_admin_asks_everyone_but_staff_to_log_in(alice, pat, deactivated):
    """One rule for Django admin: anonymous and non-staff users (even partners) are sent to a
    login page; only the admin's login page itself answers."""
    patterns = dict(named_patterns())
    assert len(ADMIN_NAMES) > 20
    for user in [None, alice, pat, deactivated]:
        client = Client()
        if user is not None:
            client.force_login(user)
        for name in ADMIN_NAMES:
            response = client.get(_admin_url(name, patterns[name]))
            if name == "admin:login":
                assert response.status_code in (200, 302), name
                continue
            if name == "admin:logout" and response.get("Location") == reverse("admin:index"):
                continue  # a logged-in non-staff user goes to the index, which asks to log in
            assert _outcome(response) == "L", f"{name} for {user}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "persona", "key"),
    [
        ("feedback:client_detail", "alice", "client_a"),
        ("feedback:interview_detail", "fran", "interview"),
        ("feedback:interview_detail@restricted", "pat", "restricted"),
        ("feedback:feedback_triage", "alice", "response"),
        ("retrospectives:review_console", "fran", "note"),
        ("feedback:client_list", "bob", "client_b"),
    ],
)
def test_the_leak_search_finds_text_where_it_belongs(case, persona, key):
    world = build_world()
    client = Client()
    log_in(client, persona, world)
    response = client.get(_url(case, world))
    assert SECRETS[key] in response.content.decode()
    assert key in _leaks(case, "sam", response)
