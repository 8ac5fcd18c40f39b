"""At most N API requests at once, so API handlers cannot take every worker thread."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class ApiConcurrencyGate:
    """ASGI wrapper: at most ``limit`` HTTP requests run in ``app`` at once; the rest
    wait their turn (first come, first served). WebSockets and lifespan pass freely.

    Sync API handlers run on AnyIO's thread pool, which Streamlit's static files use
    too; bounding the API below the pool's size keeps threads free for the UI.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with self._semaphore():
            await self.app(scope, receive, send)
