"""The review report (page, CSV and e-mail) links only to what its reader may open: an action
or a lesson someone may not open is named in plain text, never a link that answers 404."""

import re

import pytest
from django.urls import reverse

from actions.models import Action
from retrospectives import services
from retrospectives.models import Lesson, Phase
from tests.factories import ActionFactory, LessonFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(live_review, fran, alice, bob, sam):
    """alice and sam took part; bob owns one action, alice another; one draft lesson by fran
    and one published lesson."""
    live_review.phase = Phase.ACTIONS
    live_review.save()
    ActionFactory(source_review=live_review, title="Bob names backups", owner=bob)
    ActionFactory(source_review=live_review, title="Alice owns the inbox", owner=alice)
    LessonFactory(review=live_review, statement_internal="Draft: backups", created_by=fran)
    published = LessonFactory(
        review=live_review, statement_internal="Published: inboxes", created_by=fran
    )
    services.publish_lesson(lesson=published)
    services.close_review(review=live_review)
    return live_review


def _links(html: str) -> list[str]:
    return [href for href in re.findall(r'href="([^"]+)"', html) if href.startswith("/")]


@pytest.mark.parametrize("who", ["alice", "sam", "fran", "pat"])
def test_every_link_in_the_report_opens_for_its_reader(client, request, closed, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(reverse("retrospectives:review_report", args=[closed.pk]))
    assert page.status_code == 200
    for href in _links(page.content.decode()):
        if href.startswith("/static/") or href.endswith(".csv"):
            continue
        assert client.get(href).status_code == 200, f"{who} cannot open {href}"


def test_what_the_reader_may_not_open_is_plain_text(client, closed, sam):
    client.force_login(sam)
    page = client.get(reverse("retrospectives:review_report", args=[closed.pk])).content.decode()
    assert "Bob names backups" in page
    assert "Draft: backups" in page
    assert Action.objects.get(title="Bob names backups").get_absolute_url() not in page
    draft = Lesson.objects.get(statement_internal="Draft: backups")
    assert draft.get_absolute_url() not in page
    published = Lesson.objects.get(statement_internal="Published: inboxes")
    assert published.get_absolute_url() in page


def test_an_owner_gets_a_link_to_their_own_action(client, closed, alice):
    client.force_login(alice)
    page = client.get(reverse("retrospectives:review_report", args=[closed.pk])).content.decode()
    assert Action.objects.get(title="Alice owns the inbox").get_absolute_url() in page
    assert Action.objects.get(title="Bob names backups").get_absolute_url() not in page


def test_each_e_mail_links_only_what_its_recipient_may_open(
    live_review, fran, alice, sam, bob, mailoutbox, django_capture_on_commit_callbacks
):
    ParticipantFactory(review=live_review, user=bob)
    ActionFactory(source_review=live_review, title="Bob names backups", owner=bob)
    ActionFactory(source_review=live_review, title="Alice owns the inbox", owner=alice)
    draft = LessonFactory(review=live_review, statement_internal="Draft: backups", created_by=fran)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_review(review=live_review)
    bobs = Action.objects.get(title="Bob names backups").get_absolute_url()
    alices = Action.objects.get(title="Alice owns the inbox").get_absolute_url()
    by_reader = {message.to[0]: message for message in mailoutbox}
    for reader, may_open, may_not in [
        (alice, [alices], [bobs, draft.get_absolute_url()]),
        (sam, [], [bobs, alices, draft.get_absolute_url()]),
        (fran, [bobs, alices, draft.get_absolute_url()], []),
    ]:
        message = by_reader[reader.email]
        html = message.alternatives[0][0]
        for url in may_open:
            assert url in message.body and url in html, (reader, url)
        for url in may_not:
            assert url not in message.body and url not in html, (reader, url)
        assert "Bob names backups" in message.body


def test_the_csv_carries_no_links(client, closed, sam):
    client.force_login(sam)
    csv = client.get(reverse("retrospectives:review_report_csv", args=[closed.pk]))
    body = csv.content.decode()
    assert "Bob names backups" in body
    assert "/actions/" not in body and "/lessons/" not in body
