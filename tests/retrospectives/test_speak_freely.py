"""“Could I speak freely?” is anonymous: no page, partial, export, e-mail or admin screen shows a
person's rating; only how many rated and their average, and no average under three raters."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from retrospectives import services
from retrospectives.models import Participant, Phase
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing(live_review):
    live_review.phase = Phase.CLOSE
    live_review.save()
    return live_review


def _rate(review, user, rating):
    participant = review.participants.get(user=user)
    services.rate_speak_freely(participant=participant, rating=rating)


def _pages(client, review, user):
    client.force_login(user)
    names = [
        "review_detail",
        "review_console",
        "console_participants",
        "review_report",
        "review_report_csv",
        "review_present",
        "present_board",
    ]
    urls = {name: reverse(f"retrospectives:{name}", args=[review.pk]) for name in names}
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def test_no_page_shows_a_persons_rating(client, closing, fran, pat, sam):
    _rate(closing, sam, 1)
    for user in (fran, pat):
        for name, page in _pages(client, closing, user).items():
            assert "rated 1" not in page, name
            assert "1/5" not in page, name


def test_the_console_counts_ratings_without_an_average(client, closing, fran, alice, sam):
    _rate(closing, sam, 1)
    _rate(closing, alice, 5)
    client.force_login(fran)
    page = client.get(reverse("retrospectives:console_participants", args=[closing.pk]))
    text = page.content.decode()
    assert "2 of 2 rated" in text
    assert "3.0" not in text


def test_the_live_console_shows_only_how_many_rated(client, closing, fran, alice, sam):
    """Watching an average move as each person taps would give their rating away."""
    carol = UserFactory(display_name="Carol Diaz")
    ParticipantFactory(review=closing, user=carol)
    for user, rating in [(sam, 1), (alice, 5), (carol, 3)]:
        _rate(closing, user, rating)
    client.force_login(fran)
    for name in ["console_participants", "review_console"]:
        text = client.get(reverse(f"retrospectives:{name}", args=[closing.pk])).content.decode()
        assert "3 of 3 rated" in text
        assert "on average" not in text


def test_the_report_shows_the_average_only_from_three_raters(client, closing, fran, alice, sam):
    _rate(closing, sam, 1)
    _rate(closing, alice, 5)
    client.force_login(fran)
    url = reverse("retrospectives:review_report", args=[closing.pk])
    two = client.get(url).content.decode()
    assert "3.0" not in two
    assert "2 ratings" in two
    carol = UserFactory(display_name="Carol Diaz")
    ParticipantFactory(review=closing, user=carol)
    _rate(closing, carol, 3)
    three = client.get(url).content.decode()
    assert "<strong>3.0</strong> of 5 on average from 3 ratings" in three


def test_the_summary_counts_and_withholds_the_average(closing, alice, sam):
    _rate(closing, sam, 2)
    _rate(closing, alice, 4)
    summary = Participant.objects.filter(review=closing).speak_freely_summary()
    assert (summary.count, summary.average) == (2, None)
    carol = ParticipantFactory(review=closing, speak_freely=3)
    summary = Participant.objects.filter(review=closing).speak_freely_summary()
    assert (summary.count, summary.average) == (3, 3.0)
    assert carol.pk


def test_the_report_e_mail_shows_no_rating(closing, alice, sam, django_capture_on_commit_callbacks):
    _rate(closing, sam, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_review(review=closing)
    assert mail.outbox
    for message in mail.outbox:
        bodies = [message.body, *(content for content, _ in message.alternatives)]
        assert all("1/5" not in body and "rated 1" not in body for body in bodies)


def test_admin_shows_no_rating_on_the_review(client, closing, sam):
    _rate(closing, sam, 1)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:retrospectives_review_change", args=[closing.pk]))
    assert page.status_code == 200
    assert "speak_freely" not in page.content.decode()


def test_admin_has_no_participant_screen_that_shows_ratings(client, closing, sam):
    _rate(closing, sam, 1)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="participant"))
    client.force_login(staff)
    listing = client.get("/admin/retrospectives/participant/")
    assert listing.status_code in (302, 404)
