"""Live screens are pushed "review N is now at version V" once a change commits: never for a
change rolled back, never with anything about a note or its author, and across processes
through Redis when there is one. Streams are the same views the permission matrix checks."""

import asyncio
import os
import sys
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from django.db import transaction
from django.test import AsyncClient
from django.urls import reverse

from retrospectives import live
from retrospectives.models import Contribution, Review
from tests.factories import ContributionFactory
from tests.in_thread import run_async

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def published(monkeypatch):
    """Every message published, as the JSON the streams would send."""
    sent = []

    def publish(versions):
        sent.extend(live.message(pk, version) for pk, version in versions.items())

    monkeypatch.setattr(live._hub, "publish", publish)
    monkeypatch.setattr(live, "publish", publish)
    return sent


def _version(review) -> int:
    return Review.objects.get(pk=review.pk).version


def test_a_change_is_pushed_once_it_commits(
    voting_review, alice, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ContributionFactory(review=voting_review, author=alice, text="The handover was late")
        assert published == []
    for callback in callbacks:
        callback()
    assert published[-1] == live.message(voting_review.pk, _version(voting_review))


def test_a_rolled_back_change_pushes_nothing(
    voting_review, alice, published, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ContributionFactory(review=voting_review, author=alice)
        raise RuntimeError("the request failed")
    assert published == []


def test_a_push_names_no_note_and_no_author(
    voting_review, alice, published, django_capture_on_commit_callbacks
):
    alice.first_name, alice.last_name = "Alicia", "Quartermaine"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        note = ContributionFactory(
            review=voting_review, author=alice, anonymous=True, text="Budget was cut twice"
        )
        note.text = "Budget was cut three times"
        note.save()
        note.delete()
    assert published
    for sent in published:
        for secret in ("alice", "Alicia", "Quartermaine", str(alice.pk), "Budget"):
            assert secret not in sent
        assert set(sent.split('"')) >= {"review", "version"}


def test_a_failing_push_does_not_fail_the_change(
    voting_review, alice, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(versions):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(live, "publish", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        ContributionFactory(review=voting_review, author=alice, text="Still saved")
    assert Contribution.objects.filter(text="Still saved").exists()


async def _read_events(response, count: int) -> list[str]:
    """The first `count` data lines of a stream, waiting at most two seconds for each."""
    lines, chunks = [], aiter(response.streaming_content)
    while len(lines) < count:
        chunk = await asyncio.wait_for(anext(chunks), 2)
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        lines += [line for line in text.splitlines() if line.startswith("data:")]
    await response.streaming_content.aclose()
    return lines


@pytest.mark.django_db(transaction=True)
def test_the_presenter_stream_says_the_version_now_then_each_new_one(
    settings, voting_review, fran, alice
):
    settings.LIVE_PUSH_URL = ""

    def add_note():
        ContributionFactory(review=voting_review, author=alice, text="Nobody owned it")

    async def watch():
        client = AsyncClient()
        await client.aforce_login(fran)
        url = reverse("retrospectives:review_stream", args=[voting_review.pk])
        response = await client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        reading = asyncio.ensure_future(_read_events(response, 2))
        await asyncio.sleep(0.1)
        await sync_to_async(add_note)()
        return await reading

    first, second = run_async(watch)
    version = _version(voting_review)
    assert first == f"data: {live.message(voting_review.pk, version - 1)}"
    assert second == f"data: {live.message(voting_review.pk, version)}"


@pytest.mark.django_db(transaction=True)
def test_a_phone_stream_is_only_for_those_who_joined(settings, voting_review, alice, bob):
    settings.LIVE_PUSH_URL = ""
    url = reverse("retrospectives:join_stream", args=[voting_review.join_code.lower()])

    async def status(user) -> int:
        client = AsyncClient()
        await client.aforce_login(user)
        response = await client.get(url)
        if response.streaming:
            await response.streaming_content.aclose()
        return response.status_code

    assert run_async(status, alice) == 200
    assert run_async(status, bob) == 404


def test_under_wsgi_there_is_no_stream_and_screens_keep_polling(client, voting_review, fran):
    client.force_login(fran)
    response = client.get(reverse("retrospectives:review_stream", args=[voting_review.pk]))
    assert response.status_code == 204


def _redis_url() -> str:
    """The configured Redis (CI's, moved per test worker), else the local one."""
    url = os.environ.get("CACHE_URL", "")
    return url if url.startswith("redis://") else "redis://127.0.0.1:6379/9"


@pytest.mark.services
def test_a_version_published_by_another_process_reaches_this_ones_streams(settings):
    settings.LIVE_PUSH_URL = url = _redis_url()

    async def receive():
        subscription = await live.subscribe(424242)
        try:
            publisher = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "import django; django.setup();"
                "from retrospectives import live; live.publish({424242: 17})",
                cwd=ROOT,
                env={**os.environ, "LIVE_PUSH_URL": url},
            )
            assert await publisher.wait() == 0
            return await asyncio.wait_for(subscription.next_version(), 5)
        finally:
            live.unsubscribe(subscription)

    assert run_async(receive) == 17


@pytest.mark.services
def test_a_lost_redis_subscription_ends_the_streams_then_comes_back(settings):
    settings.LIVE_PUSH_URL = url = _redis_url()
    server = redis.Redis.from_url(url)

    async def lose_and_resubscribe():
        subscription = await live.subscribe(424243)
        try:
            mine = f"learnorg-live-{os.getpid()}"
            for client in server.client_list(_type="pubsub"):
                if client["name"] == mine:
                    server.client_kill_filter(_id=client["id"])
            await asyncio.wait_for(subscription.next_version(), 2)
            assert subscription.lost
            again = await asyncio.wait_for(live.subscribe(424243), 5)
            live.unsubscribe(again)
        finally:
            live.unsubscribe(subscription)

    run_async(lose_and_resubscribe)
