"""One INFO line per HTTP request, with structured ``extra`` fields and a redacted query.

Shared by the gateway access log (``FLUXLIT_ENABLE_GATEWAY_ACCESS_LOG``) and the
FastAPI request log (``FLUXLIT_ENABLE_REQUEST_LOGGING``); each passes its own logger.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.logging.context import get_request_id, is_sane_request_id
from fluxlit.logging.redact import redact_query_string

REQUEST_LOGGER = "fluxlit.api.access"


async def log_http_request(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    request_id: str,
    logger: logging.Logger,
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


class RequestLoggingMiddleware:
    """ASGI middleware for the FastAPI app: one INFO line per HTTP request.

    Installed by ``FluxLit`` only when ``enable_request_logging`` is on, so it costs
    nothing otherwise. The request id is the one the gateway bound, else the
    client's ``X-Request-ID`` when it passes the gateway's rule, else empty.
    WebSockets and lifespan pass through.
    """

    def __init__(self, app: ASGIApp, *, logger_name: str = REQUEST_LOGGER) -> None:
        self.app = app
        self.logger = logging.getLogger(logger_name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = get_request_id() or _client_request_id(scope)
        await log_http_request(self.app, scope, receive, send, request_id, self.logger)


def _client_request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"x-request-id":
            return value.decode("ascii") if is_sane_request_id(value) else ""
    return ""
