"""One INFO line per HTTP request at the gateway, with structured ``extra`` fields."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.logging.access import log_http_request

logger = logging.getLogger("fluxlit.gateway.access")


async def call_with_access_log(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, request_id: str
) -> None:
    """Run ``app`` and log the request on ``fluxlit.gateway.access``.

    See ``fluxlit.logging.access.log_http_request`` for the fields; headers are never
    logged, and a request whose app raised before answering is logged as 500.
    """
    await log_http_request(app, scope, receive, send, request_id, logger)
