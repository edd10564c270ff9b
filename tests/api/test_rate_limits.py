"""API_RATE_LIMIT requests per person, counted in the shared cache; past it, 429 with
Retry-After."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts import tokens

ROOT = Path(__file__).resolve().parents[2]


def test_past_the_limit_the_api_answers_429_with_retry_after(settings, api, alice, bob):
    settings.API_RATE_LIMIT = "3/min"
    client = api(alice)
    answers = [client.get("/api/v1/lessons/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get("/api/v1/lessons/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert api(bob).get("/api/v1/lessons/").status_code == 200


def test_the_limit_is_per_person_not_per_token(settings, api, alice):
    settings.API_RATE_LIMIT = "2/min"
    _, second = tokens.create_token(user=alice, name="second")
    first = api(alice)
    assert [first.get("/api/v1/lessons/").status_code for _ in range(2)] == [200, 200]
    first.defaults["HTTP_AUTHORIZATION"] = f"Bearer {second}"
    assert first.get("/api/v1/lessons/").status_code == 429


def _start_with(limit: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "learnorg.settings", "API_RATE_LIMIT": limit},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("limit", ["lots", "600", "0/min", "600/fortnight", "-5/s"])
def test_a_rate_limit_that_is_not_requests_per_period_stops_the_app_at_start(limit):
    started = _start_with(limit)
    assert started.returncode != 0
    assert "API_RATE_LIMIT" in started.stderr and "e.g. 600/min" in started.stderr


def test_a_rate_limit_per_second_minute_hour_or_day_starts():
    for limit in ("20/s", "600/min", "1000/hour", "5000/day"):
        assert _start_with(limit).returncode == 0, limit
