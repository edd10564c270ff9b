"""Pushes "review N is now at version V" to the live screens as soon as a change commits.

`freshness` publishes here after every commit that moved a review's version; each open screen
(presenter, console, phone) holds a stream (`views.review_stream`, `views.join_stream`) that
waits here for its review's next version and then refetches its own fragment. A message names
a review and a number, never a note or a person, so nothing anonymous can leak through it.

With a Redis URL (LIVE_PUSH_URL, by default CACHE_URL's Redis) messages go through Redis
pub/sub, so a change saved by a Celery worker or by another web process reaches every screen;
each process holds one pattern subscription and hands messages to its own streams. Without one
(`make run` with nothing installed) messages stay inside the one ASGI process that serves the
screens.
"""

import asyncio
import contextlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field

import redis
import redis.asyncio as aioredis
from django.conf import settings

log = logging.getLogger(__name__)

# Backoff between attempts to get the Redis subscription back, in seconds.
RESUBSCRIBE_FIRST, RESUBSCRIBE_MOST = 0.5, 30.0
# A stream that cannot subscribe within this many seconds gives up; its screen keeps polling.
SUBSCRIBE_TIMEOUT = 3.0


def _channel_prefix(url: str) -> str:
    """Pub/sub channels are shared by every database of a Redis server; the database number in
    the name keeps apart the processes that use different ones (tests, the benchmark)."""
    match = re.search(r"/(\d+)$", url)
    return f"learnorg:{match[1] if match else 0}:review:"


def message(review_id: int, version: int) -> str:
    return json.dumps({"review": review_id, "version": version})


@dataclass(eq=False)
class Subscription:
    """One stream's wait for its review's next version, in the stream's event loop."""

    review_id: int
    loop: asyncio.AbstractEventLoop
    version: int = -1
    lost: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def deliver(self, version: int) -> None:
        if version > self.version:
            self.version = version
            self.changed.set()

    def lose(self) -> None:
        self.lost = True
        self.changed.set()

    async def next_version(self) -> int:
        """Wait until the version moves past the last one taken (or the feed is lost)."""
        await self.changed.wait()
        self.changed.clear()
        return self.version


class _Hub:
    """This process's open subscriptions by review, and (with Redis) one listener per loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_review: dict[int, set[Subscription]] = {}
        self._listeners: dict[asyncio.AbstractEventLoop, _Listener] = {}
        self._client: redis.Redis | None = None
        self._client_url = ""

    @property
    def url(self) -> str:
        return settings.LIVE_PUSH_URL

    def deliver(self, review_id: int, version: int) -> None:
        """Hand a version to this process's streams of that review; safe from any thread."""
        with self._lock:
            subscriptions = list(self._by_review.get(review_id, ()))
        for subscription in subscriptions:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, version)
            except RuntimeError:
                # Its event loop has closed; the stream is gone.
                self.unsubscribe(subscription)

    def publish(self, versions: dict[int, int]) -> None:
        if not self.url:
            for review_id, version in versions.items():
                self.deliver(review_id, version)
            return
        url = self.url
        try:
            if self._client is None or self._client_url != url:
                self._client, self._client_url = redis.Redis.from_url(url, socket_timeout=2), url
            with self._client.pipeline(transaction=False) as pipe:
                for review_id, version in versions.items():
                    pipe.publish(f"{_channel_prefix(url)}{review_id}", message(review_id, version))
                pipe.execute()
        except redis.RedisError:
            # The change is saved; screens whose stream broke are polling until it is back.
            log.warning("live push: Redis refused a message; screens fall back to polling")

    async def subscribe(self, review_id: int) -> Subscription:
        loop = asyncio.get_running_loop()
        subscription = Subscription(review_id, loop)
        with self._lock:
            self._by_review.setdefault(review_id, set()).add(subscription)
            listener = None
            if self.url:
                listener = self._listeners.get(loop)
                if listener is None:
                    listener = self._listeners[loop] = _Listener(self, self.url)
        if listener is not None:
            try:
                await asyncio.wait_for(listener.ready.wait(), SUBSCRIBE_TIMEOUT)
            except TimeoutError:
                self.unsubscribe(subscription)
                raise ConnectionError("no Redis subscription for live push") from None
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            subscriptions = self._by_review.get(subscription.review_id, set())
            subscriptions.discard(subscription)
            if not subscriptions:
                self._by_review.pop(subscription.review_id, None)
            listener = self._listeners.get(subscription.loop)
            if listener is not None and not self._in_loop(subscription.loop):
                # Nobody in that loop listens any more: let go of its Redis connection.
                del self._listeners[subscription.loop]
                listener.stop()

    def _in_loop(self, loop) -> bool:
        return any(s.loop is loop for subs in self._by_review.values() for s in subs)

    def lose_loop(self, loop) -> None:
        """The loop's Redis feed broke: end its streams, whose screens then poll."""
        with self._lock:
            lost = [s for subs in self._by_review.values() for s in subs if s.loop is loop]
        for subscription in lost:
            subscription.lose()


class _Listener:
    """One pattern subscription per event loop, feeding that loop's streams."""

    def __init__(self, hub: _Hub, url: str) -> None:
        self.hub, self.url = hub, url
        self.ready = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self.run())

    def stop(self) -> None:
        # A closed loop has ended the task already.
        with contextlib.suppress(RuntimeError):
            self.task.get_loop().call_soon_threadsafe(self.task.cancel)

    async def run(self) -> None:
        pattern = _channel_prefix(self.url) + "*"
        wait = RESUBSCRIBE_FIRST
        while True:
            client = aioredis.Redis.from_url(self.url, client_name=f"learnorg-live-{os.getpid()}")
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(pattern)
                    self.ready.set()
                    wait = RESUBSCRIBE_FIRST
                    async for item in pubsub.listen():
                        if item["type"] == "pmessage":
                            data = json.loads(item["data"])
                            self.hub.deliver(data["review"], data["version"])
            except (redis.RedisError, OSError):
                log.warning("live push: lost the Redis subscription; retrying in %s s", wait)
            finally:
                self.ready.clear()
                await client.aclose()
            self.hub.lose_loop(asyncio.get_running_loop())
            await asyncio.sleep(wait)
            wait = min(wait * 2, RESUBSCRIBE_MOST)


_hub = _Hub()
publish = _hub.publish
subscribe = _hub.subscribe
unsubscribe = _hub.unsubscribe
