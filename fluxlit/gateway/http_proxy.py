"""Forward one HTTP request to Streamlit over a shared HTTPX client, streaming both ways."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
from starlette.types import Message, Receive, Scope, Send

from fluxlit.errors import FluxLitError
from fluxlit.gateway.body_limit import declared_length, send_plain, too_large_message
from fluxlit.gateway.headers import response_headers, upstream_headers

logger = logging.getLogger("fluxlit.gateway")

PROXY_BODY_SETTING = "FLUXLIT_MAX_PROXY_BODY_BYTES"


class _BodyTooLarge(FluxLitError):
    """The streamed request body passed ``max_proxy_body_bytes``."""


def upstream_url(base: str, scope: Scope) -> str:
    """``base`` joined with the request's raw path and query string."""
    raw_path: bytes | None = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query: bytes = scope.get("query_string", b"")
    return base.rstrip("/") + path + ("?" + query.decode("latin-1") if query else "")


async def _body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    """Yield the request body as it arrives; raise once it passes ``limit`` (0: none)."""
    seen = 0
    while True:
        message: Message = await receive()
        if message["type"] != "http.request":
            return
        chunk: bytes = message.get("body", b"")
        seen += len(chunk)
        if limit and seen > limit:
            raise _BodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def _failure(exc: httpx.HTTPError) -> tuple[int, str]:
    """Status and message for an upstream error, naming the setting that governs it.

    The text goes to the client, so it never names the internal address.
    """
    if isinstance(exc, httpx.PoolTimeout):
        return 503, (
            "No free connection to Streamlit in time; raise FLUXLIT_HTTPX_MAX_CONNECTIONS "
            "or FLUXLIT_PROXY_READ_TIMEOUT."
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return 504, "Streamlit did not accept a connection within FLUXLIT_PROXY_CONNECT_TIMEOUT."
    if isinstance(exc, httpx.TimeoutException):
        return 504, "Streamlit did not answer within FLUXLIT_PROXY_READ_TIMEOUT."
    return 502, f"Streamlit is not reachable ({type(exc).__name__}); is it running?"


async def forward_http(
    client: httpx.AsyncClient,
    base: str,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    limit: int,
    allow: frozenset[bytes],
) -> None:
    """Proxy one HTTP request to ``base`` and stream the answer back.

    Bodies over ``limit`` bytes (0: no limit) get 413; unreachable upstreams 502;
    timeouts 504 (503 when the connection pool stays full). A non-empty ``allow``
    narrows the forwarded client headers (see ``upstream_headers``).
    """
    length = declared_length(scope)
    if limit and length is not None and length > limit:
        await send_plain(send, 413, too_large_message(limit, PROXY_BODY_SETTING), close=True)
        return
    chunked = any(name == b"transfer-encoding" for name, _ in scope["headers"])
    has_body = chunked or (length is not None and length > 0)
    request = client.build_request(
        scope["method"],
        upstream_url(base, scope),
        headers=upstream_headers(scope, allow=allow),
        content=_body(receive, limit) if has_body else None,
    )
    try:
        response = await client.send(request, stream=True)
    except _BodyTooLarge:
        await send_plain(send, 413, too_large_message(limit, PROXY_BODY_SETTING), close=True)
        return
    except httpx.HTTPError as exc:
        status, text = _failure(exc)
        logger.warning("proxy %s %s to %s: %s", scope["method"], scope["path"], base, text)
        await send_plain(send, status, text)
        return
    try:
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": response_headers(response.headers.raw),
            }
        )
        async for chunk in response.aiter_raw():
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await response.aclose()
