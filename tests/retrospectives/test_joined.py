"""Invited is not joined: “N joined”, the report's head count, breakouts and the report e-mail
count only people who opened the join page and joined."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from retrospectives import services
from retrospectives.models import Participant, Phase, Review
from tests.factories import ParticipantFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(fran, alice, sam, bob):
    """A review fran planned, inviting alice, sam and bob; nobody has opened the join page."""
    review = ReviewFactory(
        title="Harbor Freight loss", facilitator=fran, status=Review.Status.PLANNED
    )
    return services.plan_review(review=review, by=fran, invited=[alice, sam, bob])


def _participants_partial(client, review, fran) -> str:
    client.force_login(fran)
    url = reverse("retrospectives:console_participants", args=[review.pk])
    return client.get(url).content.decode()


def test_invitees_are_not_counted_as_joined(client, planned, fran):
    page = _participants_partial(client, planned, fran)
    assert "<strong>0</strong> joined" in page
    assert "3 invited" in page


def test_an_invitee_is_counted_once_they_join(client, planned, fran, alice):
    client.force_login(alice)
    url = reverse("retrospectives:join", args=[planned.join_code])
    welcome = client.get(url).content.decode()
    assert "Join the review" in welcome
    assert not Participant.objects.joined().filter(user=alice).exists()
    client.post(url)
    assert Participant.objects.joined().filter(review=planned, user=alice).exists()
    page = _participants_partial(client, planned, fran)
    assert "<strong>1</strong> joined" in page
    assert "Alice Moreno" in page


def test_joining_bumps_the_version_an_invitation_does_not_count(client, planned, alice):
    before = Review.objects.get(pk=planned.pk).version
    client.force_login(alice)
    client.post(reverse("retrospectives:join", args=[planned.join_code]))
    assert Review.objects.get(pk=planned.pk).version > before


def test_an_invitee_acts_on_the_board_only_after_joining(client, planned, alice):
    planned.status, planned.phase = Review.Status.LIVE, Phase.ACTUAL
    planned.save()
    client.force_login(alice)
    note_add = reverse("retrospectives:note_add", args=[planned.join_code])
    board = reverse("retrospectives:join_board", args=[planned.join_code])
    assert client.post(note_add, {"text": "A note", "phase": Phase.ACTUAL}).status_code == 404
    assert client.get(board).status_code == 404
    client.post(reverse("retrospectives:join", args=[planned.join_code]))
    assert client.get(board).status_code == 200


def test_the_review_page_tells_joined_from_invited(client, planned, fran, alice):
    services.join_review(review=planned, user=alice)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_detail", args=[planned.pk])).content.decode()
    assert "Joined (1)" in page
    assert "Invited, not joined yet (2)" in page


def test_an_invitee_is_offered_to_join_from_the_review_page(client, planned, sam):
    client.force_login(sam)
    page = client.get(reverse("retrospectives:review_detail", args=[planned.pk])).content.decode()
    assert "Join the review" in page
    services.join_review(review=planned, user=sam)
    page = client.get(reverse("retrospectives:review_detail", args=[planned.pk])).content.decode()
    assert "Participant page" in page


def test_the_report_counts_only_people_who_joined(client, planned, fran, alice):
    services.join_review(review=planned, user=alice)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_report", args=[planned.pk])).content.decode()
    assert "1 participant." in page


def test_the_report_e_mail_goes_to_those_who_took_part(
    planned, fran, alice, sam, mailoutbox, django_capture_on_commit_callbacks
):
    services.start_review(review=planned)
    services.join_review(review=planned, user=alice)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.close_review(review=planned)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([fran.email, alice.email])


def test_a_breakout_groups_only_people_who_joined(planned, fran):
    planned.status, planned.phase = Review.Status.LIVE, Phase.ACTUAL
    planned.save()
    joined = [UserFactory() for _ in range(3)]
    for user in joined:
        services.join_review(review=planned, user=user)
    groups = services.split_into_groups(review=planned)
    members = {m.user for g in groups for m in g.members.all()}
    assert members == set(joined)


def test_the_factory_makes_a_joined_participant(live_review):
    participant = ParticipantFactory(review=live_review)
    assert participant.joined_at is not None
    assert participant.joined_at <= timezone.now() + dt.timedelta(seconds=1)
