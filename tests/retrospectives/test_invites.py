"""Planned reviews carry a calendar invite: e-mailed to invitees when planned, updated (next
SEQUENCE) when moved, cancelled (METHOD:CANCEL) when called off, and downloadable."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AuditEvent
from retrospectives import invites
from retrospectives.models import Review
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
JANUARY_NINE = dt.datetime(2027, 1, 15, 9, 0, tzinfo=NEW_YORK)
JULY_NINE = dt.datetime(2027, 7, 15, 9, 0, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def _firm(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.SITE_URL = "https://learn.example.com"


@pytest.fixture
def planned(review):
    review.scheduled_for = JANUARY_NINE
    review.save()
    return review


def _event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def _sent_calendars():
    """(recipient, calendar part's method parameter, parsed calendar) for each e-mail sent."""
    found = []
    for message in mail.outbox:
        (part,) = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
        assert part.get_filename() == "invite.ics"
        found.append((message.to[0], part.get_param("method"), part.get_payload(decode=True)))
    return found


def test_the_invite_has_a_stable_uid_utc_times_and_the_join_link(planned, fran, alice):
    calendar, event = _event(invites.build(planned, [alice]))
    join = f"https://learn.example.com/join/{planned.join_code}/"
    assert calendar["method"] == "REQUEST"
    assert calendar["version"] == "2.0"
    assert str(event["uid"]) == f"review-{planned.pk}@learn.example.com"
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == dt.datetime(2027, 1, 15, 14, 0, tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime(2027, 1, 15, 15, 30, tzinfo=dt.UTC)
    assert "TZID" not in event["dtstart"].params  # UTC, so no VTIMEZONE is needed
    assert not calendar.walk("VTIMEZONE")
    assert b"DTSTART:20270115T140000Z" in invites.build(planned)
    assert str(event["url"]) == join
    assert join in str(event["description"])
    assert planned.join_code in str(event["description"])
    assert str(event["summary"]) == "Harbor Freight loss"
    assert str(event["organizer"]) == f"mailto:{fran.email}"
    assert str(event["attendee"]) == f"mailto:{alice.email}"
    assert event["attendee"].params["CN"] == "Alice Moreno"
    assert str(event["status"]) == "CONFIRMED"


def test_nine_local_in_summer_is_one_hour_earlier_in_utc(planned):
    planned.scheduled_for = JULY_NINE
    _, event = _event(invites.build(planned))
    assert event.decoded("dtstart") == dt.datetime(2027, 7, 15, 13, 0, tzinfo=dt.UTC)


def test_the_uid_stays_when_the_review_moves(planned):
    before = _event(invites.build(planned))[1]["uid"]
    planned.scheduled_for = JULY_NINE
    planned.title = "Renamed"
    assert _event(invites.build(planned))[1]["uid"] == before


def test_planning_a_review_invites_the_facilitator_and_invitees(
    client, fran, alice, sam, django_capture_on_commit_callbacks
):
    client.force_login(fran)
    when = (timezone.localtime() + dt.timedelta(days=3)).replace(hour=10, minute=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("retrospectives:review_new"),
            {
                "title": "Why we lost Harbor",
                "kind": Review.Kind.CLIENT_LOSS,
                "facilitator": fran.pk,
                "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
                "invited": [alice.pk, sam.pk],
            },
        )
    assert response.status_code == 302
    review = Review.objects.get()
    sent = _sent_calendars()
    assert sorted(to for to, _, _ in sent) == sorted([fran.email, alice.email, sam.email])
    for _, method, ics in sent:
        assert method == "REQUEST"
        calendar, event = _event(ics)
        assert calendar["method"] == "REQUEST"
        assert event["sequence"] == 0
        assert event.decoded("dtstart") == when.replace(second=0, microsecond=0).astimezone(dt.UTC)
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation: Why we lost Harbor")
    assert f"/join/{review.join_code}/" in message.body
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 3


def test_moving_a_review_sends_the_next_sequence(
    client, planned, fran, alice, sam, django_capture_on_commit_callbacks
):
    client.force_login(fran)
    new_time = timezone.localtime() + dt.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("retrospectives:review_reschedule", args=[planned.pk]),
            {"scheduled_for": new_time.strftime("%Y-%m-%dT%H:%M")},
        )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.invite_sequence == 1
    sent = _sent_calendars()
    assert sorted(to for to, _, _ in sent) == sorted([fran.email, alice.email, sam.email])
    for _, method, ics in sent:
        calendar, event = _event(ics)
        assert method == calendar["method"] == "REQUEST"
        assert event["sequence"] == 1
        assert str(event["uid"]) == f"review-{planned.pk}@learn.example.com"
        assert event.decoded("dtstart") == planned.scheduled_for
    assert mail.outbox[0].subject.startswith("Moved: ")
    assert AuditEvent.objects.filter(verb="update", object_id=str(planned.pk)).exists()


def test_moving_to_the_past_is_refused_next_to_the_field(client, planned, fran):
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:review_reschedule", args=[planned.pk]),
        {"scheduled_for": "2020-01-01T09:00"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["scheduled_for"] == [
        "Pick a time that has not passed yet."
    ]
    assert 'value="2020-01-01T09:00"' in response.content.decode()
    planned.refresh_from_db()
    assert planned.scheduled_for == JANUARY_NINE
    assert planned.invite_sequence == 0
    assert not mail.outbox


def test_a_live_review_cannot_move(client, live_review, fran):
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:review_reschedule", args=[live_review.pk]),
        {"scheduled_for": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400
    assert "Only a planned review can move" in response.content.decode()


def test_cancelling_sends_method_cancel_with_the_next_sequence(
    client, planned, fran, alice, django_capture_on_commit_callbacks
):
    client.force_login(fran)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("retrospectives:review_cancel", args=[planned.pk]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == Review.Status.CANCELLED
    assert planned.invite_sequence == 1
    sent = _sent_calendars()
    assert alice.email in [to for to, _, _ in sent]
    for _, method, ics in sent:
        calendar, event = _event(ics)
        assert method == calendar["method"] == "CANCEL"
        assert str(event["status"]) == "CANCELLED"
        assert event["sequence"] == 1
        assert str(event["uid"]) == f"review-{planned.pk}@learn.example.com"
    assert mail.outbox[0].subject.startswith("Cancelled: ")


def test_a_partner_may_cancel(client, planned, pat):
    client.force_login(pat)
    client.post(reverse("retrospectives:review_cancel", args=[planned.pk]))
    planned.refresh_from_db()
    assert planned.is_cancelled


@pytest.mark.parametrize("who", ["alice", "sam", "bob"])
def test_participants_and_others_may_not_cancel_or_move(client, planned, request, who):
    client.force_login(request.getfixturevalue(who))
    assert (
        client.post(reverse("retrospectives:review_cancel", args=[planned.pk])).status_code == 404
    )
    move = reverse("retrospectives:review_reschedule", args=[planned.pk])
    assert client.get(move).status_code == 404
    planned.refresh_from_db()
    assert planned.status == Review.Status.PLANNED


def test_a_live_review_cannot_be_cancelled(client, live_review, fran):
    client.force_login(fran)
    response = client.post(
        reverse("retrospectives:review_cancel", args=[live_review.pk]), follow=True
    )
    assert "Only a planned review can be cancelled" in response.content.decode()
    live_review.refresh_from_db()
    assert live_review.is_live


def test_a_cancelled_review_takes_nobody(client, planned, bob, fran):
    client.force_login(fran)
    client.post(reverse("retrospectives:review_cancel", args=[planned.pk]))
    client.force_login(bob)
    response = client.post(reverse("retrospectives:join", args=[planned.join_code]))
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()


def test_the_review_page_links_the_invite_which_anyone_who_sees_it_can_download(
    client, planned, alice, bob
):
    client.force_login(alice)
    url = reverse("retrospectives:review_invite", args=[planned.pk])
    page = client.get(planned.get_absolute_url()).content.decode()
    assert f'href="{url}"' in page
    assert "Cancel the review" not in page  # alice takes part; she does not run it
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "method=REQUEST" in response["Content-Type"]
    assert f'filename="review-{planned.pk}.ics"' in response["Content-Disposition"]
    calendar, event = _event(response.content)
    assert str(event["uid"]) == f"review-{planned.pk}@learn.example.com"
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_a_cancelled_reviews_download_is_a_cancellation(client, planned, fran):
    client.force_login(fran)
    client.post(reverse("retrospectives:review_cancel", args=[planned.pk]))
    assert "Remove from calendar (.ics)" in client.get(planned.get_absolute_url()).content.decode()
    response = client.get(reverse("retrospectives:review_invite", args=[planned.pk]))
    calendar, event = _event(response.content)
    assert calendar["method"] == "CANCEL"
    assert event["sequence"] == 1


def test_a_review_without_a_time_has_no_invite(client, pat):
    review = ReviewFactory(scheduled_for=None)
    client.force_login(pat)
    assert client.get(reverse("retrospectives:review_invite", args=[review.pk])).status_code == 404


def test_the_review_page_query_count_does_not_grow_with_invitees(
    client, planned, pat, django_assert_max_num_queries
):
    client.force_login(pat)
    client.get(planned.get_absolute_url())
    with django_assert_max_num_queries(14):
        assert client.get(planned.get_absolute_url()).status_code == 200
