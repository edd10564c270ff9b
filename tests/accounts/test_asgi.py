"""A web process works on at most WEB_REQUESTS_PER_PROCESS requests at once; the others wait
their turn, and a request stops counting once its response starts (a push stream then waits
for minutes without holding a turn)."""

import asyncio

from accounts.asgi import RequestsAtOnce
from learnorg.asgi import application
from tests.in_thread import run_async


def _app(started: list, running: list, peak: list, gate: asyncio.Event):
    async def app(scope, receive, send):
        running.append(scope["path"])
        peak[0] = max(peak[0], len(running))
        await asyncio.sleep(0.01)
        running.remove(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        started.append(scope["path"])
        if scope["path"].endswith("/live/"):
            await gate.wait()
        await send({"type": "http.response.body", "body": b""})

    return app


async def _call(app, path: str) -> None:
    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        pass

    await app({"type": "http", "path": path}, receive, send)


def test_requests_beyond_the_limit_wait_their_turn():
    async def run():
        started, running, peak, gate = [], [], [0], asyncio.Event()
        app = RequestsAtOnce(_app(started, running, peak, gate), limit=3)
        await asyncio.gather(*(_call(app, f"/board/{n}/") for n in range(12)))
        return peak[0], len(started)

    assert run_async(run) == (3, 12)


def test_an_open_stream_does_not_hold_a_turn():
    async def run():
        started, running, peak, gate = [], [], [0], asyncio.Event()
        app = RequestsAtOnce(_app(started, running, peak, gate), limit=2)
        streams = [asyncio.ensure_future(_call(app, f"/join/{n}/live/")) for n in range(5)]
        await asyncio.wait_for(_call(app, "/board/"), 1)
        gate.set()
        await asyncio.gather(*streams)
        return started[-1]

    assert run_async(run) == "/board/"


def test_the_project_serves_through_the_limit():
    assert isinstance(application, RequestsAtOnce)
    assert application.limit == 8
