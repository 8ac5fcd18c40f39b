"""Run the ASGI lifespan protocol of several apps behind one server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("fluxlit.gateway")


class _AppLifespan:
    """Drives one app's lifespan in a background task."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self.app = app
        self.scope = scope
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.supported = True

    async def _run(self) -> None:
        try:
            await self.app(self.scope, self.inbox.get, self.outbox.put)
        except Exception as exc:  # apps without lifespan support may raise
            await self.outbox.put({"type": "_crashed", "error": exc})

    async def step(self, event: str) -> Message:
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        await self.inbox.put({"type": f"lifespan.{event}"})
        return await self.outbox.get()


async def run_lifespans(
    apps: Sequence[ASGIApp], scope: Scope, receive: Receive, send: Send
) -> None:
    """Forward startup and shutdown to every app in order; report the first failure."""
    runners = [_AppLifespan(app, {**scope, "state": scope.get("state", {})}) for app in apps]
    started: list[_AppLifespan] = []
    message = await receive()
    assert message["type"] == "lifespan.startup"
    for runner in runners:
        reply = await runner.step("startup")
        if reply["type"] == "_crashed":
            runner.supported = False
            logger.debug("app %r does not support lifespan: %s", runner.app, reply["error"])
            continue
        if reply["type"] == "lifespan.startup.failed":
            await _shutdown(started)
            reason = reply.get("message", "") or "an app failed to start"
            await send({"type": "lifespan.startup.failed", "message": reason})
            raise RuntimeError(f"lifespan startup failed: {reason}")
        started.append(runner)
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    assert message["type"] == "lifespan.shutdown"
    failure = await _shutdown(started)
    if failure:
        await send({"type": "lifespan.shutdown.failed", "message": failure})
    else:
        await send({"type": "lifespan.shutdown.complete"})


async def _shutdown(runners: list[_AppLifespan]) -> str:
    failure = ""
    for runner in reversed(runners):
        reply: Any = await runner.step("shutdown")
        if reply["type"] == "lifespan.shutdown.failed":
            failure = failure or str(reply.get("message", "shutdown failed"))
        if runner.task is not None:
            await asyncio.gather(runner.task, return_exceptions=True)
    return failure
