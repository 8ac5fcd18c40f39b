"""Requests still running when the server gives up waiting at shutdown."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.gateway.body_limit import send_plain

SHUTDOWN_TEXT = "The server is shutting down; retry the request."


class CutOffCounter:
    """How many requests the server cancelled at the end of its grace period."""

    def __init__(self) -> None:
        self.count = 0


CUT_OFF = CutOffCounter()
"""This process's count, read by the runtime for its one shutdown summary line."""


async def call_cancellable(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, counter: CutOffCounter = CUT_OFF
) -> None:
    """Run ``app``; if the server cancels it (shutdown grace period over), end cleanly.

    Uvicorn cancels the tasks still running once ``timeout_graceful_shutdown`` has
    passed and would log a traceback per request and answer 500. Here the request
    gets 503 with ``Connection: close`` (if nothing was sent yet), is counted in
    ``counter``, and the task ends without an error.
    """
    started = False

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, receive, tracking_send)
    except asyncio.CancelledError:
        counter.count += 1
        if scope["type"] == "http" and not started:
            try:
                await send_plain(send, 503, SHUTDOWN_TEXT, close=True)
            except Exception:  # the client may be gone already
                return
