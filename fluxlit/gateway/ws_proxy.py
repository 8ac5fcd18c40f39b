"""Forward one WebSocket to Streamlit with the ``websockets`` client, pumping both ways."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.types import Message, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from fluxlit.gateway.headers import WS_HANDSHAKE, upstream_headers
from fluxlit.gateway.options import GatewayProxyOptions

logger = logging.getLogger("fluxlit.gateway")

# Close codes that must never be sent in a close frame, and what to send instead.
_RESERVED_CLOSE = {1005: 1000, 1006: 1011, 1015: 1011}


def _close_code(code: int | None) -> int:
    return _RESERVED_CLOSE.get(code or 1000, code or 1000)


def connect_kwargs(options: GatewayProxyOptions) -> dict[str, Any]:
    """``websockets.connect`` tuning from ``options``; ``None`` keeps the library default.

    ``ws_max_message_bytes=None`` lifts the library's 1 MiB cap: Streamlit enforces its
    own ``server.maxMessageSize``.
    """
    kwargs: dict[str, Any] = {
        "open_timeout": options.ws_open_timeout_s,
        "max_size": options.ws_max_message_bytes,
    }
    if options.ws_ping_interval_s is not None:
        kwargs["ping_interval"] = options.ws_ping_interval_s
    if options.ws_ping_timeout_s is not None:
        kwargs["ping_timeout"] = options.ws_ping_timeout_s
    if options.ws_close_timeout_s is not None:
        kwargs["close_timeout"] = options.ws_close_timeout_s
    return kwargs


async def deny_websocket(scope: Scope, send: Send, status: int, text: str) -> None:
    """Refuse the handshake: an HTTP answer when the server supports it, else a close."""
    if "websocket.http.response" in scope.get("extensions", {}):
        body = (text + "\n").encode()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1011, "reason": text[:120]})


async def forward_websocket(
    base: str, scope: Scope, receive: Receive, send: Send, options: GatewayProxyOptions
) -> None:
    """Open the same WebSocket on ``base`` and relay frames and close codes both ways.

    The client's ``Host`` travels in the upstream URI (the TCP connection goes to
    ``base``), so Streamlit's origin check sees the public host; ``Origin``, cookies and
    subprotocols are passed on, and the upstream's chosen subprotocol is accepted.
    """
    if (await receive())["type"] != "websocket.connect":
        return
    target = urlsplit(base)
    secure = target.scheme in ("https", "wss")
    host = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"host"), "")
    raw_path: bytes | None = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query: bytes = scope.get("query_string", b"")
    resource = target.path.rstrip("/") + path + ("?" + query.decode("latin-1") if query else "")
    uri = f"{'wss' if secure else 'ws'}://{host or target.netloc}{resource}"
    headers = [
        (n.decode("latin-1"), v.decode("latin-1"))
        for n, v in upstream_headers(scope, drop=WS_HANDSHAKE)
    ]
    tls: dict[str, Any] = {"ssl": True, "server_hostname": target.hostname} if secure else {}
    try:
        upstream = await connect(
            uri,
            host=target.hostname,
            port=target.port or (443 if secure else 80),
            additional_headers=headers,
            subprotocols=scope.get("subprotocols") or None,
            compression=None,
            user_agent_header=None,
            proxy=None,
            **tls,
            **connect_kwargs(options),
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        logger.warning("Streamlit refused WebSocket %s with %s", scope["path"], status)
        await deny_websocket(scope, send, status, f"Streamlit refused the WebSocket ({status}).")
        return
    except TimeoutError:
        text = "Streamlit did not open the WebSocket within FLUXLIT_WS_OPEN_TIMEOUT_S."
        logger.warning("%s (%s)", text, base)
        await deny_websocket(scope, send, 504, text)
        return
    except Exception as exc:  # refused connection, bad handshake, DNS, TLS...
        text = f"Streamlit is not reachable for WebSockets ({type(exc).__name__})."
        logger.warning("%s (%s)", text, base)
        await deny_websocket(scope, send, 502, text)
        return
    await send({"type": "websocket.accept", "subprotocol": upstream.subprotocol})
    await _pump(upstream, receive, send)


async def _client_to_upstream(upstream: ClientConnection, receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "websocket.disconnect":
            await upstream.close(code=_close_code(message.get("code")))
            return
        data = message.get("bytes")
        if data is None:
            data = message.get("text")
        if data is not None:
            await upstream.send(data)


async def _upstream_to_client(upstream: ClientConnection, send: Send) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for data in upstream:
            if isinstance(data, bytes):
                await send({"type": "websocket.send", "bytes": data})
            else:
                await send({"type": "websocket.send", "text": data})
    code = _close_code(upstream.close_code)
    reason = upstream.close_reason or ""
    with contextlib.suppress(Exception):  # the client may be gone already
        await send({"type": "websocket.close", "code": code, "reason": reason})


async def _pump(upstream: ClientConnection, receive: Receive, send: Send) -> None:
    """Relay until either side closes, then close the other with the same code."""
    tasks = [
        asyncio.create_task(_client_to_upstream(upstream, receive)),
        asyncio.create_task(_upstream_to_client(upstream, send)),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await upstream.close()
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            logger.debug("WebSocket relay ended: %r", task.exception())
