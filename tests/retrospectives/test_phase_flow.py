import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from retrospectives.models import Phase, Review

pytestmark = pytest.mark.django_db


def _post(client, review, name, **data):
    return client.post(reverse(f"retrospectives:{name}", args=[review.pk]), data)


def test_the_console_starts_a_planned_review_at_the_ground_rules(client, fran, review):
    client.force_login(fran)
    review.refresh_from_db()
    before = review.version
    _post(client, review, "review_start")
    review.refresh_from_db()
    assert review.status == Review.Status.LIVE
    assert review.phase == Phase.GROUND_RULES
    assert review.started_at is not None
    assert review.version == before + 1


def test_the_console_walks_through_all_eight_phases_and_back(client, fran, review):
    client.force_login(fran)
    _post(client, review, "review_start")
    seen = []
    for _ in range(7):
        _post(client, review, "review_phase", direction="next")
        review.refresh_from_db()
        seen.append(review.phase)
    assert seen == [2, 3, 4, 5, 6, 7, 8]
    response = _post(client, review, "review_phase", direction="next")
    review.refresh_from_db()
    assert review.phase == Phase.CLOSE
    assert response.status_code == 302
    _post(client, review, "review_phase", direction="prev")
    review.refresh_from_db()
    assert review.phase == Phase.ACTIONS


def test_the_console_refuses_to_move_before_the_start_with_a_message(client, fran, review):
    client.force_login(fran)
    response = _post(client, review, "review_phase", direction="next", follow=True)
    response = client.get(reverse("retrospectives:review_console", args=[review.pk]))
    review.refresh_from_db()
    assert review.phase == Phase.GROUND_RULES
    assert "Start the review" in response.content.decode()


def test_the_console_shows_each_phase_prompt(client, fran, live_review):
    client.force_login(fran)
    page = client.get(reverse("retrospectives:review_console", args=[live_review.pk]))
    assert "What actually happened?" in page.content.decode()


def test_every_change_bumps_the_version(client, fran, live_review):
    client.force_login(fran)
    live_review.refresh_from_db()
    before = live_review.version
    _post(client, live_review, "review_phase", direction="next")
    _post(client, live_review, "review_timer", command="start", minutes=5)
    live_review.refresh_from_db()
    assert live_review.version == before + 2


class TestTimer:
    def test_the_console_starts_pauses_adds_a_minute_and_resumes(self, client, fran, live_review):
        client.force_login(fran)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            _post(client, live_review, "review_timer", command="start", minutes=5)
        live_review.refresh_from_db()
        assert live_review.timer_ends_at == start + dt.timedelta(minutes=5)

        with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
            _post(client, live_review, "review_timer", command="pause")
        live_review.refresh_from_db()
        assert live_review.timer_paused
        assert live_review.timer_remaining == 180

        _post(client, live_review, "review_timer", command="add_minute")
        live_review.refresh_from_db()
        assert live_review.timer_remaining == 240

        later = start + dt.timedelta(minutes=20)
        with time_machine.travel(later, tick=False):
            _post(client, live_review, "review_timer", command="resume")
        live_review.refresh_from_db()
        assert live_review.timer_ends_at == later + dt.timedelta(seconds=240)

    def test_a_phase_change_stops_the_timer(self, client, fran, live_review):
        client.force_login(fran)
        _post(client, live_review, "review_timer", command="start", minutes=3)
        _post(client, live_review, "review_phase", direction="next")
        live_review.refresh_from_db()
        assert live_review.seconds_left() is None

    @pytest.mark.parametrize("minutes", ["0", "500", "x", ""])
    def test_the_console_refuses_odd_minutes_without_a_500(
        self, client, fran, live_review, minutes
    ):
        client.force_login(fran)
        response = _post(client, live_review, "review_timer", command="start", minutes=minutes)
        assert response.status_code == 302
        live_review.refresh_from_db()
        assert live_review.timer_ends_at is None

    def test_the_presenter_shows_the_deadline_for_the_browser_clock(
        self, client, fran, live_review
    ):
        client.force_login(fran)
        _post(client, live_review, "review_timer", command="start", minutes=5)
        live_review.refresh_from_db()
        page = client.get(reverse("retrospectives:present_board", args=[live_review.pk]))
        assert f'data-timer-ends="{int(live_review.timer_ends_at.timestamp())}"' in (
            page.content.decode()
        )
        assert "5:00" in page.content.decode() or "4:59" in page.content.decode()
