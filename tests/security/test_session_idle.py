"""Sessions end after SESSION_IDLE_MINUTES (30 by default) without a request; requests renew
them (at most once a minute, so most requests write nothing), so someone who keeps working is
never thrown out."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retrospectives.models import Review
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
        "accounts:login"
    )


def test_the_default_idle_timeout_is_thirty_minutes_renewed_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_TOUCH_SECONDS == 60


def _session_writes(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_the_session_middleware_writes_the_session_once_a_minute_not_on_every_request(
    client, alice
):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)  # logging in renews it
        expiry = Session.objects.get().expire_date
        assert _session_writes(client, home) == []
        traveller.shift(dt.timedelta(seconds=59))
        assert _session_writes(client, home) == []
        assert client.cookies[settings.SESSION_COOKIE_NAME].value
        assert Session.objects.get().expire_date == expiry
        traveller.shift(dt.timedelta(seconds=1))
        assert _session_writes(client, home), "a minute after the login it is renewed"
        assert Session.objects.get().expire_date == expiry + dt.timedelta(seconds=60)


def test_the_session_middleware_sends_a_fresh_cookie_when_it_renews_the_session(client, alice):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        traveller.shift(dt.timedelta(seconds=10))
        assert settings.SESSION_COOKIE_NAME not in client.get(home).cookies
        traveller.shift(dt.timedelta(minutes=1))
        cookie = client.get(home).cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["max-age"] == settings.SESSION_COOKIE_AGE


def test_the_idle_limit_counts_from_the_last_renewal_at_most_a_minute_early(client, alice):
    home = reverse("home")
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)  # renewed at 0:00
        traveller.shift(dt.timedelta(seconds=59))
        client.get(home)  # 0:59, not renewed
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(home).status_code == 200  # 29:59 after the renewal: still in
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        assert _is_login_redirect(client.get(home))


def test_the_session_middleware_logs_out_a_session_idle_for_more_than_thirty_minutes(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        assert _is_login_redirect(client.get(reverse("home")))


def test_the_session_middleware_keeps_an_active_session_alive_for_hours(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        for _ in range(12):
            traveller.shift(dt.timedelta(minutes=25))
            assert client.get(reverse("home")).status_code == 200
        # Five hours after logging in, the last request was 25 minutes ago: still in.
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200


def test_the_session_middleware_keeps_a_session_just_inside_the_limit(client, alice):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(alice)
        client.get(reverse("home"))
        traveller.shift(dt.timedelta(minutes=29, seconds=50))
        assert client.get(reverse("home")).status_code == 200


def test_the_idle_timeout_is_configurable():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SESSION_COOKIE_AGE)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "learnorg.settings",
            "SESSION_IDLE_MINUTES": "45",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(45 * 60)


def test_an_open_presenter_view_keeps_its_session_alive_only_while_it_polls(client, fran):
    review = ReviewFactory(facilitator=fran, status=Review.Status.LIVE)
    board = reverse("retrospectives:present_board", args=[review.pk])
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(fran)
        present = client.get(reverse("retrospectives:review_present", args=[review.pk]))
        assert present.status_code == 200
        etag = client.get(board, HTTP_HX_REQUEST="true")["ETag"]
        # Two hours on the projector: every poll (answered 304, nothing changed) renews it.
        # (It polls every 2 seconds; any gap under the idle limit shows the same thing.)
        for _ in range(2 * 60 // 5):
            traveller.shift(dt.timedelta(minutes=5))
            poll = client.get(board, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
            assert poll.status_code == 304
        # The tab is closed: polling stops, and the session ends like any other.
        traveller.shift(dt.timedelta(minutes=31))
        assert _is_login_redirect(client.get(board, HTTP_HX_REQUEST="true"))
