"""The gateway's dispatcher: ``/api/*`` to FastAPI, everything else to the UI app.

One thin raw-ASGI layer serves both runtime modes: the UI app is Streamlit's own
ASGI app (in-process) or a reverse proxy to a Streamlit sidecar. API requests pay
for a path check, a request id and nothing else.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.gateway.lifespan import run_lifespans
from fluxlit.gateway.paths import (
    normalize_api_mount_path,
    normalize_root_mount,
    split_gateway_paths,
)
from fluxlit.logging.context import new_request_id, request_id_ctx
from fluxlit.logging.redact import redact_query_string

access_logger = logging.getLogger("fluxlit.access")

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
DOC_PATHS = frozenset({"/docs", "/redoc", "/openapi.json"})


class BodyLimit:
    """Answer 413 for request bodies over ``limit`` bytes, without buffering them.

    A declared ``Content-Length`` over the limit is refused before the app runs. A
    streamed body that grows past it gets the 413 from here; the app then sees a
    client disconnect and whatever it tries to send is dropped.
    """

    def __init__(self, limit: int, app: ASGIApp) -> None:
        self.limit = limit
        self.app = app

    async def run(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_413(send, self.limit)
                return
        seen = 0
        started = rejected = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def counted_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    if not started:
                        await _send_413(send, self.limit)
                    rejected = True
                    return {"type": "http.disconnect"}
            return message

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not rejected:
                raise


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _SAFE_REQUEST_ID.match(value):
                return value.decode("ascii")
            break
    return new_request_id()


def _with_request_id(headers: list[tuple[bytes, bytes]], rid: str) -> list[tuple[bytes, bytes]]:
    kept = [(n, v) for n, v in headers if n != REQUEST_ID_HEADER]
    kept.append((REQUEST_ID_HEADER, rid.encode("ascii")))
    return kept


class Dispatcher:
    """ASGI app routing between the API app and the UI app (see module docstring)."""

    def __init__(
        self,
        api_app: ASGIApp,
        ui_app: ASGIApp,
        *,
        api_prefix: str = "/api",
        root_mount: str = "",
        access_log: bool = False,
        max_request_body_bytes: int = 0,
        lifespan_apps: Sequence[ASGIApp] | None = None,
    ) -> None:
        self.api_app = api_app
        self.ui_app = ui_app
        self.api_prefix = normalize_api_mount_path(api_prefix)
        self.root_mount = normalize_root_mount(root_mount)
        self.access_log = access_log
        self.max_body = max_request_body_bytes
        self.lifespan_apps = list(lifespan_apps) if lifespan_apps is not None else [api_app]
        self._api_slash = "/" if self.api_prefix == "/" else self.api_prefix + "/"
        self._api_root = self.root_mount + ("" if self.api_prefix == "/" else self.api_prefix)

    def is_api_path(self, path: str) -> bool:
        """True when ``path`` (mount-free) belongs to the API."""
        return path == self.api_prefix or path.startswith(self._api_slash)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await run_lifespans(self.lifespan_apps, scope, receive, send)
            return
        if kind not in ("http", "websocket"):
            await self.ui_app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        rid = _request_id(headers)
        token = request_id_ctx.set(rid)
        try:
            if kind == "http":
                send = self._send_with_request_id(send, rid)
                if self.access_log:
                    send = self._logging_send(scope, send, rid)
                if self.max_body:
                    await BodyLimit(self.max_body, self._route).run(scope, receive, send)
                    return
            await self._route(scope, receive, send)
        finally:
            request_id_ctx.reset(token)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        rid = request_id_ctx.get() or new_request_id()
        dispatch_path, upstream_path = split_gateway_paths(scope["path"], self.root_mount)
        if self.is_api_path(dispatch_path):
            await self._to_api(scope, receive, send, dispatch_path, headers, rid)
        elif scope["type"] == "http" and dispatch_path in DOC_PATHS:
            await self._redirect_docs(scope, send, dispatch_path)
        else:
            await self._to_ui(scope, receive, send, upstream_path, headers, rid)

    async def _to_api(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        headers: list[tuple[bytes, bytes]],
        rid: str,
    ) -> None:
        inner = path[len(self.api_prefix) :] if self.api_prefix != "/" else path
        inner = inner or "/"
        child = dict(scope)
        child["path"] = inner
        child["raw_path"] = inner.encode("utf-8")
        child["root_path"] = self._api_root
        child["headers"] = _with_request_id(headers, rid)
        await self.api_app(child, receive, send)

    async def _to_ui(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        path: str,
        headers: list[tuple[bytes, bytes]],
        rid: str,
    ) -> None:
        child = dict(scope)
        child["path"] = path
        child["raw_path"] = path.encode("utf-8")
        child["root_path"] = ""
        child["headers"] = _with_request_id(headers, rid)
        await self.ui_app(child, receive, send)

    async def _redirect_docs(self, scope: Scope, send: Send, path: str) -> None:
        location = self._api_root + path
        query = scope.get("query_string", b"")
        if query:
            location += "?" + query.decode("latin-1")
        await send(
            {
                "type": "http.response.start",
                "status": 307,
                "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    def _send_with_request_id(send: Send, rid: str) -> Send:
        header = (REQUEST_ID_HEADER, rid.encode("ascii"))

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    (n, v) for n, v in message["headers"] if n.lower() != REQUEST_ID_HEADER
                ] + [header]
            await send(message)

        return wrapped

    @staticmethod
    def _logging_send(scope: Scope, send: Send, rid: str) -> Send:
        start = time.perf_counter()
        status: dict[str, Any] = {}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                access_logger.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status.get("code"),
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "query": redact_query_string(scope.get("query_string", b"").decode()),
                        "status": status.get("code"),
                        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                        "request_id": rid,
                    },
                )

        return wrapped


async def _send_413(send: Send, limit: int) -> None:
    body = (
        f"Request body larger than {limit} bytes; raise FLUXLIT_MAX_REQUEST_BODY_BYTES "
        "to accept it.\n"
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def build_dispatcher(
    api_app: ASGIApp,
    ui_app: ASGIApp,
    *,
    api_prefix: str = "/api",
    root_mount: str = "",
    access_log: bool = False,
    max_request_body_bytes: int = 0,
    lifespan_apps: Sequence[ASGIApp] | None = None,
) -> Dispatcher:
    """Build the dispatcher shared by the in-process and sidecar modes."""
    return Dispatcher(
        api_app,
        ui_app,
        api_prefix=api_prefix,
        root_mount=root_mount,
        access_log=access_log,
        max_request_body_bytes=max_request_body_bytes,
        lifespan_apps=lifespan_apps,
    )
