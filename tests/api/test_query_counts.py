"""Every list endpoint costs the same number of queries for 5 rows as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retrospectives.models import Lesson
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ExitInterviewFactory,
    LessonFactory,
    ServiceLineFactory,
)


def _clients(n, pat, lines):
    for _ in range(n):
        client = ClientFactory(account_manager=pat, relationship_partner=pat)
        client.service_lines.add(*lines)


def _interviews(n, pat, lines):
    for i in range(n):
        ExitInterviewFactory(restricted=i % 2 == 0, interviewer=pat)


def _actions(n, pat, lines):
    for _ in range(n):
        ActionFactory(owner=pat, client=ClientFactory(), verified_by=pat)


def _lessons(n, pat, lines):
    for _ in range(n):
        lesson = LessonFactory(status=Lesson.Status.PUBLISHED, published_at=timezone.now())
        lesson.service_lines.add(*lines)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/clients/", _clients),
        ("/api/v1/interviews/", _interviews),
        ("/api/v1/actions/", _actions),
        ("/api/v1/lessons/", _lessons),
    ],
)
def test_list_queries_do_not_grow_with_rows(url, make, api, pat):
    lines = [ServiceLineFactory(), ServiceLineFactory()]
    client = api(pat)
    counts = []
    for n in (5, 45):
        make(n, pat, lines)
        client.get(url, {"page_size": 100})  # the token's last use is written once a minute
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 100})
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.json()["count"] == 50
    assert counts[0] == counts[1], counts
