"""Drive the ASGI lifespan protocol of several apps behind one server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.errors import FluxLitRuntimeError

logger = logging.getLogger("fluxlit.gateway")

_ENDED = "fluxlit.lifespan.ended"


class _AppLifespan:
    """One app's lifespan, run in its own task and stepped one event at a time."""

    def __init__(self, app: ASGIApp, scope: Scope) -> None:
        self.app = app
        self.scope = scope
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.outbox: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.error: Exception | None = None
        """What the app raised, if it did."""

    async def _run(self) -> None:
        try:
            await self.app(self.scope, self.inbox.get, self.outbox.put)
        except Exception as exc:
            self.error = exc
            await self.outbox.put({"type": _ENDED, "error": exc})
        else:
            await self.outbox.put({"type": _ENDED, "error": None})

    async def step(self, event: str) -> Message:
        """Send ``lifespan.<event>`` and return the app's answer (or its end)."""
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        await self.inbox.put({"type": f"lifespan.{event}"})
        return await self.outbox.get()

    async def finish(self) -> None:
        """Wait for the app's lifespan task to return."""
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


async def run_lifespans(
    apps: Sequence[ASGIApp], scope: Scope, receive: Receive, send: Send
) -> None:
    """Forward startup (in order) and shutdown (in reverse) to every app.

    Each app's lifespan runs in its own task, so their context managers never
    interleave. An app that ends or raises before answering startup is treated as not
    supporting lifespan (as Uvicorn does). When one app fails to start, the apps
    already started are shut down and the server gets ``lifespan.startup.failed``.
    The apps share the server's lifespan ``state`` dict.
    """
    child_scope = {**scope, "state": scope.get("state", {})}
    runners = [_AppLifespan(app, child_scope) for app in apps]
    started: list[_AppLifespan] = []
    message = await receive()
    if message["type"] != "lifespan.startup":
        return
    for runner in runners:
        reply = await runner.step("startup")
        if reply["type"] == _ENDED:
            logger.debug("%r does not support lifespan: %r", runner.app, reply["error"])
            continue
        if reply["type"] != "lifespan.startup.complete":
            reason = str(reply.get("message") or f"{runner.app!r} failed to start")
            await _shutdown(started)
            await runner.finish()
            await send({"type": "lifespan.startup.failed", "message": reason})
            # Like Starlette's router: servers expect the app to raise after "failed",
            # the app's own error when it raised one.
            raise runner.error or FluxLitRuntimeError(f"lifespan startup failed: {reason}")
        started.append(runner)
    await send({"type": "lifespan.startup.complete"})
    await receive()  # lifespan.shutdown
    failure = await _shutdown(started)
    if failure:
        await send({"type": "lifespan.shutdown.failed", "message": failure})
    else:
        await send({"type": "lifespan.shutdown.complete"})


async def _shutdown(runners: list[_AppLifespan]) -> str:
    """Shut the runners down in reverse order; return the first failure message."""
    failure = ""
    for runner in reversed(runners):
        reply = await runner.step("shutdown")
        if reply["type"] == "lifespan.shutdown.failed":
            failure = failure or str(reply.get("message") or f"{runner.app!r} failed to stop")
        elif reply["type"] == _ENDED and reply["error"] is not None:
            failure = failure or f"{runner.app!r} failed to stop: {reply['error']!r}"
        await runner.finish()
    return failure
