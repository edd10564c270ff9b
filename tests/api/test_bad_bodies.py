"""Whatever is sent to the API, the answer is never a 500: a body of the wrong shape is a 400,
and so is a value of the wrong type."""

import jsonschema
import pytest
from django.urls import reverse

from accounts.api_views import ERROR
from tests.factories import ActionFactory, ClientFactory

BODIES = [
    [],
    "text",
    17,
    {"title": ["a", "list"], "due_on": {"a": 1}, "client": "x", "owner": 10**30},
    {"evidence": {"nested": True}, "recheck_on": "yesterday", "text": None, "reason": 5},
    {"name": "\x00", "held_on": "2026-02-30", "client": -1, "service_lines": ["a"]},
    {"annual_fees": "1e400", "recommend_score": "ten", "client_other_reasons": 3},
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_no_body_makes_the_api_fail(api, pat, body):
    client_ = ClientFactory(account_manager=pat)
    action = ActionFactory(owner=pat)
    urls = [
        ("post", reverse("api:client-list")),
        ("patch", reverse("api:client-detail", args=[client_.pk])),
        ("put", reverse("api:client-detail", args=[client_.pk])),
        ("post", reverse("api:interview-list")),
        ("post", reverse("api:action-list")),
        *(
            ("post", reverse(f"api:action-{name}", args=[action.pk]))
            for name in ("start", "complete", "verify", "wont-do", "reopen", "comment")
        ),
    ]
    client = api(pat)
    for method, url in urls:
        response = getattr(client, method)(url, body, content_type="application/json")
        # A dict may still hold a usable value (a number is a fine reason): then it is accepted.
        expected = {400, 200, 201} if isinstance(body, dict) else {400}
        assert response.status_code in expected, f"{method} {url}: {response.status_code}"
        if response.status_code == 400:
            # The refusal has the shape the schema promises (its Error component).
            jsonschema.validate(response.json(), ERROR)


def test_a_body_that_is_not_json_is_400(api, pat):
    response = api(pat).post(reverse("api:client-list"), "{name:", content_type="application/json")
    assert response.status_code == 400


def test_a_body_that_is_not_declared_json_is_415(api, pat):
    response = api(pat).post(reverse("api:client-list"), {"name": "Northwind"})
    assert response.status_code == 415


def test_a_number_sent_for_text_is_refused_not_turned_into_text(api, pat):
    action = ActionFactory(owner=pat)
    url = reverse("api:action-comment", args=[action.pk])
    response = api(pat).post(url, {"text": 0}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"text": ["Send text (a JSON string)."]}
    assert not action.events.filter(is_comment=True).exists()


@pytest.mark.parametrize("size", ["null", "0", "-3", "2.5", "ten"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused(api, pat, size):
    response = api(pat).get(reverse("api:client-list"), {"page_size": size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["A whole number from 1 to 100."]}


def test_a_page_size_over_the_most_gives_the_most(api, pat):
    ClientFactory.create_batch(3, account_manager=pat)
    response = api(pat).get(reverse("api:client-list"), {"page_size": "1000", "page": "1"})
    assert response.status_code == 200 and len(response.json()["results"]) == 3
