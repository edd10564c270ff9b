"""Published lessons in the library's words; the dashboard's headline figures for partners."""

import datetime as dt

from django.utils import timezone

from retrospectives.models import Lesson
from tests.factories import ClientFactory, ExitInterviewFactory, LessonFactory


def test_lessons_are_the_published_ones_in_their_publishable_words(api, sam):
    published = LessonFactory(
        status=Lesson.Status.PUBLISHED,
        published_at=timezone.now(),
        statement_internal="Harbor Freight left because Pat was away",
        statement_public="Key clients need a named backup partner",
        category="access",
    )
    LessonFactory(status=Lesson.Status.DRAFT, created_by=sam)
    response = api(sam).get("/api/v1/lessons/")
    [row] = response.json()["results"]
    assert row["id"] == published.pk
    assert row["statement"] == "Key clients need a named backup partner"
    assert "Harbor Freight" not in response.content.decode()
    assert api(sam).get("/api/v1/lessons/", {"category": "fees"}).json()["results"] == []


def test_headline_figures_follow_the_filters(api, pat):
    today = timezone.localdate()
    client = ClientFactory(annual_fees=40000)
    ExitInterviewFactory(
        client=client,
        status="final",
        lost_on=today - dt.timedelta(days=10),
        held_on=today - dt.timedelta(days=10),
        fees_lost=40000,
    )
    data = api(pat).get("/api/v1/dashboard/headline/").json()
    assert data["clients_lost"] == 1
    assert data["fees_lost"] == 40000
    assert data["end"] == str(today)
    start = str(today - dt.timedelta(days=5))
    data = (
        api(pat)
        .get("/api/v1/dashboard/headline/", {"period": "custom", "start": start, "end": str(today)})
        .json()
    )
    assert data["clients_lost"] == 0


def test_headline_filters_are_checked(api, pat):
    response = api(pat).get("/api/v1/dashboard/headline/", {"office": "999999"})
    assert response.status_code == 400
    assert "office" in response.json()
