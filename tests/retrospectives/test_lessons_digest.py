"""The Monday e-mail of lessons published the week before: once a week, to everyone who wants
it, in the lessons' public words."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail

from retrospectives import services
from retrospectives.models import Lesson, LessonsDigest
from tests.factories import LessonFactory, UserFactory

pytestmark = pytest.mark.django_db


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


MONDAY_8 = local(2027, 6, 14, 8, 0)


def _published(statement, at, internal="Internal words"):
    return LessonFactory(
        statement_public=statement,
        statement_internal=internal,
        status=Lesson.Status.PUBLISHED,
        published_at=at,
    )


def test_monday_morning_sends_last_weeks_lessons_in_their_public_words(alice, sam):
    _published("Name a backup partner for key clients", local(2027, 6, 9, 15, 0))
    _published("Too old", local(2027, 6, 1, 15, 0))
    sent = services.send_lessons_digest(now=MONDAY_8)
    assert sent == 2 and sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.com",
        "sam@example.com",
    ]
    body = mail.outbox[0].body
    assert "Name a backup partner for key clients" in body
    assert "Too old" not in body and "Internal words" not in body
    assert mail.outbox[0].subject == "1 new lesson from our reviews"


def test_the_lessons_digest_goes_once_a_week_and_not_before_monday_8(alice):
    _published("A lesson", local(2027, 6, 10, 9, 0))
    assert services.send_lessons_digest(now=MONDAY_8 - dt.timedelta(minutes=1)) == 0
    assert services.send_lessons_digest(now=MONDAY_8) == 1
    assert services.send_lessons_digest(now=MONDAY_8 + dt.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    assert LessonsDigest.objects.get().recipients == 1


def test_people_who_turned_it_off_or_left_get_nothing(alice):
    UserFactory(username="optout", lessons_digest=False)
    UserFactory(username="gone", is_active=False)
    _published("A lesson", local(2027, 6, 10, 9, 0))
    services.send_lessons_digest(now=MONDAY_8)
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_week_without_lessons_sends_nothing(alice):
    assert services.send_lessons_digest(now=MONDAY_8) == 0
    assert not mail.outbox


def test_the_settings_page_turns_it_off(client, alice):
    client.force_login(alice)
    data = dict.fromkeys(("assigned", "done", "verified", "reopened"), "instant")
    data |= {"feedback": "instant", "mentioned": "instant"}
    client.post("/notifications/settings/", data)  # the box left unticked
    alice.refresh_from_db()
    assert alice.lessons_digest is False
