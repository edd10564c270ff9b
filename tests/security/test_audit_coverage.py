"""Every read, change and denied attempt on an exit interview leaves an audit row. Two walks:
every feedback:interview_* URL against its stated rule (a new interview URL without a rule
fails), and every page of the app: a page that shows an interview's words must record the read.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.factories import loss_reason
from tests.security.test_permission_matrix import MATRIX, _url
from tests.security.world import APP_NAMES, PERSONAS, SECRETS, build_world, log_in

pytestmark = pytest.mark.django_db


def _interview_form(world) -> dict:
    reason = loss_reason("not reachable")
    return {
        "held_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "channel": "call",
        "interviewee_name": "Dana Client",
        "client_words": "We waited two weeks for a call back.",
        "client_primary_reason": reason.pk,
        "fees_lost": "30000",
        "client_lost_on": timezone.localdate().isoformat(),
    }


# (persona, method, which interview, expected verb). "post" sends a valid form.
INTERVIEW_RULES = {
    "feedback:interview_detail": [
        ("alice", "get", "interview", "view"),
        ("fran", "get", "interview", "view"),
        ("pat", "get", "restricted", "view"),
        ("bob", "get", "interview", "denied"),
        ("fran", "get", "restricted", "denied"),
        ("sam", "get", "restricted", "denied"),
    ],
    "feedback:interview_edit": [
        ("alice", "get", "interview", "view"),
        ("alice", "post", "interview", "update"),
        ("pat", "post", "restricted", "update"),
        ("bob", "get", "interview", "denied"),
        ("fran", "post", "interview", "denied"),
    ],
    "feedback:interview_finalise": [
        ("alice", "post", "interview", "update"),
        ("bob", "post", "interview", "denied"),
        ("fran", "post", "restricted", "denied"),
    ],
    "feedback:interview_audit": [
        ("pat", "get", "interview", "view"),
        ("alice", "get", "interview", "denied"),
        ("bob", "get", "restricted", "denied"),
    ],
    # Creating an interview: the new row is the object.
    "feedback:interview_new": [("alice", "post", None, "create")],
    # Checks typed text for blame language; reads no interview.
    "feedback:interview_blame_check": [],
    # A menu's search: names the client and the date of interviews one may read, no words.
    "feedback:interview_options": [],
    # The list without a search shows no words; a restricted interview listed is a read
    # (searches: tests/feedback/test_interview_list.py).
    "feedback:interview_list": [
        ("alice", "get", "restricted", "view"),
        ("pat", "get", "restricted", "view"),
    ],
    # The export has facts, not words; each restricted interview exported is recorded.
    "feedback:interview_export": [
        ("alice", "get", "restricted", "export"),
        ("pat", "get", "restricted", "export"),
    ],
}


def test_every_interview_url_has_an_audit_rule():
    interview_urls = {name for name in APP_NAMES if name.startswith("feedback:interview_")}
    assert interview_urls == set(INTERVIEW_RULES)


# Pages of many interviews; `which` is the one whose row is checked.
LISTS = {"feedback:interview_list", "feedback:interview_export"}
CASES = [(name, *rule) for name, rules in sorted(INTERVIEW_RULES.items()) for rule in rules]


@pytest.mark.parametrize(
    ("name", "persona", "method", "which", "verb"),
    CASES,
    ids=[f"{n}-{p}-{m}-{w}-{v}" for n, p, m, w, v in CASES],
)
def test_interview_urls_write_the_audit_row(name, persona, method, which, verb):
    world = build_world()
    world.interview.client_primary_reason = loss_reason("not reachable")
    world.interview.save()
    client = Client(raise_request_exception=False)
    log_in(client, persona, world)
    if name in LISTS:
        url = reverse(name)
    elif which is None:
        url = reverse(name, args=[world.client_a.pk])
    else:
        url = reverse(name, args=[getattr(world, which).pk])
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    data = _interview_form(world) if method == "post" else None
    response = getattr(client, method)(url, data)
    assert response.status_code < 500
    new = AuditEvent.objects.exclude(pk__in=before).filter(object_type="feedback.exitinterview")
    if which is not None:
        new = new.filter(object_id=str(getattr(world, which).pk))
    assert [(e.verb, e.actor) for e in new] == [(verb, world.users[persona])], (
        f"{method.upper()} {url} as {persona} answered {response.status_code}"
    )


# Every page some persona can open, with everyone who can open it.
PAGES = {
    case: [
        persona
        for persona, answer in zip(PERSONAS, get.split(), strict=True)
        if answer == "200" and persona not in ("anonymous", "deactivated")
    ]
    for case, (get, _) in sorted(MATRIX.items())
}
PAGES = {case: personas for case, personas in PAGES.items() if personas}


@pytest.mark.parametrize("case", sorted(PAGES))
def test_a_page_that_shows_an_interview_records_the_read(case):
    world = build_world()
    interviews = (world.interview, world.restricted, world.interview_b)
    problems = []
    for persona in PAGES[case]:
        client = Client(raise_request_exception=False)
        log_in(client, persona, world)
        with transaction.atomic():
            before = set(AuditEvent.objects.values_list("pk", flat=True))
            response = client.get(_url(case, world))
            body = "" if response.streaming else response.content.decode(errors="replace")
            audited = set(
                AuditEvent.objects.exclude(pk__in=before)
                .filter(object_type="feedback.exitinterview", actor=world.users[persona])
                .values_list("object_id", flat=True)
            )
            transaction.set_rollback(True)
        missing = [i.pk for i in interviews if i.client_words in body and str(i.pk) not in audited]
        if missing:
            problems.append(f"{persona} sees interview(s) {missing} without an audit row")
    assert not problems, f"{case}: " + "; ".join(problems)


def test_the_page_walk_sees_interview_words():
    """The walk above would notice: the interview page does show the words it searches for."""
    world = build_world()
    client = Client()
    log_in(client, "alice", world)
    body = client.get(reverse("feedback:interview_detail", args=[world.interview.pk]))
    assert SECRETS["interview"] in body.content.decode()
