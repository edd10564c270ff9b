"""How many requests one web process works on at once.

Under ASGI every request runs its view in a thread of its own with its own database connection,
and nothing limits how many run together: a hundred phones refreshing at the same moment would
open a hundred PostgreSQL connections (more than the server allows) and share the CPU a hundred
ways. Requests beyond the limit wait their turn in the event loop, as they waited for a free
worker under gunicorn. A request counts until its response starts, so a push stream, which then
waits for minutes without the database, counts only while it checks who may watch.
"""

import asyncio


class RequestsAtOnce:
    """ASGI middleware: at most `limit` HTTP requests of this process before their response."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit
        self._turns: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._turns is None:
            # Made here, inside the server's event loop.
            self._turns = asyncio.Semaphore(self.limit)
        turns = self._turns
        await turns.acquire()
        holding = True

        def release() -> None:
            nonlocal holding
            if holding:
                holding = False
                turns.release()

        async def send_then_release(message):
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            release()
