"""One INFO line per HTTP request at the gateway, with structured ``extra`` fields."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.logging.redact import redact_query_string

logger = logging.getLogger("fluxlit.gateway.access")


async def call_with_access_log(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, request_id: str
) -> None:
    """Run ``app`` and log method, path, redacted query, status, duration and request id.

    Headers are never logged, so ``Authorization`` and ``Cookie`` values cannot leak.
    A request whose app raised before answering is logged with status 500.
    """
    start = time.perf_counter()
    status = 0
    logged = False

    def emit(code: int) -> None:
        nonlocal logged
        logged = True
        method, path = scope["method"], scope["path"]
        query = redact_query_string(scope.get("query_string", b"").decode("latin-1"))
        duration_ms = round((time.perf_counter() - start) * 1000, 2)
        logger.info(
            "%s %s%s %s %.2fms",
            method,
            path,
            "?" + query if query else "",
            code,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "query": query,
                "status": code,
                "duration_ms": duration_ms,
                "request_id": request_id,
            },
        )

    async def logging_send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            emit(status)

    try:
        await app(scope, receive, logging_send)
    except BaseException:
        if not logged:
            emit(status or 500)
        raise
    if not logged and status:
        emit(status)
