"""ASGI stand-ins for the gateway tests: a small API, a recording UI, a direct ASGI call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def make_api(events: list[str] | None = None, *, fail: bool = False) -> FastAPI:
    """An API with ``/`` and ``/echo``; its lifespan logs to ``events`` (and fails on ``fail``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if events is not None:
            events.append("api-start")
        if fail:
            raise RuntimeError("api startup broke")
        yield
        if events is not None:
            events.append("api-stop")

    api = FastAPI(lifespan=lifespan)

    @api.get("/")
    def root() -> dict[str, str]:
        return {"where": "api-root"}

    @api.api_route("/echo", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        return {
            "path": request.url.path,
            "root_path": request.scope["root_path"],
            "rid": request.headers.get("x-request-id"),
            "len": len(body),
        }

    return api


class RecordingUI:
    """Stand-in for Streamlit: records the scope it received."""

    def __init__(self, events: list[str] | None = None) -> None:
        self.scopes: list[Scope] = []
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if self.events is not None:
                        self.events.append("ui-start")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    if self.events is not None:
                        self.events.append("ui-stop")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.scopes.append(scope)
        headers = dict(scope["headers"])
        body = f"ui {scope['path']} rid={headers.get(b'x-request-id', b'').decode()}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def call_asgi(
    app: ASGIApp, scope: Scope, inbox: Iterable[Message], sent: list[Message] | None = None
) -> list[Message]:
    """Run ``app`` once on ``scope``: it receives ``inbox`` in order; return what it sent.

    Pass ``sent`` to keep the messages when the app raises.
    """
    messages = iter(inbox)
    out = [] if sent is None else sent

    async def receive() -> Message:
        return next(messages)

    async def send(message: Message) -> None:
        out.append(message)

    asyncio.run(app(scope, receive, send))
    return out
