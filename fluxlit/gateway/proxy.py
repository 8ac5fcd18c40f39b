"""Reverse proxy from the gateway to a Streamlit sidecar: HTTP and WebSockets.

The client's ``Host`` (and ``Origin``) reach Streamlit unchanged, so its WebSocket
origin check sees the public host; hop-by-hop headers are dropped; the gateway's
request id is authoritative; bodies stream in both directions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlsplit

import httpx
from starlette.types import Message, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI

from fluxlit.gateway.options import GatewayProxyOptions

logger = logging.getLogger("fluxlit.gateway")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
WS_HANDSHAKE_HEADERS = frozenset(
    {
        b"host",
        b"connection",
        b"upgrade",
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
        b"content-length",
    }
)


class UpstreamError(Exception):
    """The sidecar could not be reached or answered too slowly."""


class StreamlitProxy:
    """ASGI app forwarding HTTP and WebSocket traffic to the current Streamlit upstream."""

    def __init__(self, resolve_upstream: Callable[[], str], options: GatewayProxyOptions) -> None:
        self.resolve_upstream = resolve_upstream
        self.options = options
        limits = httpx.Limits(
            max_connections=options.httpx_max_connections or None,
            max_keepalive_connections=options.httpx_max_keepalive_connections or None,
        )
        timeout = httpx.Timeout(options.read_timeout, connect=options.connect_timeout)
        self.client = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)
        cap = options.max_concurrent_upstream_http
        self.semaphore = asyncio.Semaphore(cap) if cap else None

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        await self.client.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if self.semaphore is None:
                await self._http(scope, receive, send)
            else:
                async with self.semaphore:
                    await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)

    # ------------------------------------------------------------------ HTTP
    def _url(self, scope: Scope, *, websocket: bool = False) -> str:
        base = self.resolve_upstream().rstrip("/")
        if websocket:
            base = "ws" + base[4:] if base.startswith("http") else base
        query = scope.get("query_string", b"").decode("latin-1")
        return base + scope["path"] + (f"?{query}" if query else "")

    def _request_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = [(n, v) for n, v in scope["headers"] if n not in HOP_BY_HOP]
        client = scope.get("client")
        host = next((v for n, v in scope["headers"] if n == b"host"), b"")
        if client:
            forwarded_for = next((v for n, v in headers if n == b"x-forwarded-for"), None)
            ip = client[0].encode()
            headers = [(n, v) for n, v in headers if n != b"x-forwarded-for"]
            headers.append(
                (b"x-forwarded-for", forwarded_for + b", " + ip if forwarded_for else ip)
            )
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        if host:
            headers.append((b"x-forwarded-host", host))
        return headers

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.options.max_proxy_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and limit and value.isdigit() and int(value) > limit:
                await _plain(
                    send,
                    413,
                    f"Request body larger than {limit} bytes; raise "
                    "FLUXLIT_MAX_PROXY_BODY_BYTES to accept it.",
                )
                return
        body = _request_body(receive, limit)
        request = self.client.build_request(
            scope["method"],
            self._url(scope),
            headers=self._request_headers(scope),
            content=body,
        )
        try:
            response = await self.client.send(request, stream=True)
        except _BodyTooLarge:
            await _plain(
                send,
                413,
                f"Request body larger than {limit} bytes; raise "
                "FLUXLIT_MAX_PROXY_BODY_BYTES to accept it.",
            )
            return
        except httpx.TimeoutException:
            await _plain(
                send, 504, "Streamlit did not answer in time (FLUXLIT_PROXY_READ_TIMEOUT)."
            )
            return
        except httpx.HTTPError as exc:
            logger.warning("Streamlit upstream unreachable: %s", exc)
            await _plain(send, 502, "Streamlit is not reachable; it may be restarting.")
            return
        try:
            headers = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": headers}
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()

    # ------------------------------------------------------------- WebSocket
    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        headers = [
            (n.decode("latin-1"), v.decode("latin-1"))
            for n, v in scope["headers"]
            if n not in WS_HANDSHAKE_HEADERS
        ]
        client_host = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"host"), "")
        upstream = urlsplit(self.resolve_upstream())
        query = scope.get("query_string", b"").decode("latin-1")
        resource = scope["path"] + (f"?{query}" if query else "")
        # The URI names the client's Host (so Streamlit's origin check sees the public
        # host); host=/port= send the TCP connection to the sidecar instead.
        uri = f"ws://{client_host or upstream.netloc}{resource}"
        try:
            connection = await connect(
                uri,
                host=upstream.hostname,
                port=upstream.port or 80,
                additional_headers=headers,
                subprotocols=scope.get("subprotocols") or None,
                open_timeout=self.options.ws_open_timeout_s,
                ping_interval=self.options.ws_ping_interval_s,
                ping_timeout=self.options.ws_ping_timeout_s,
                close_timeout=self.options.ws_close_timeout_s or 10,
                max_size=self.options.ws_max_message_bytes,
                compression=None,
                user_agent_header=None,
            )
        except InvalidStatus as exc:
            logger.warning("Streamlit refused the WebSocket: %s", exc)
            await send({"type": "websocket.close", "code": 1008})
            return
        except (OSError, TimeoutError) as exc:
            logger.warning("Streamlit WebSocket unreachable: %s", exc)
            await send({"type": "websocket.close", "code": 1011})
            return
        except InvalidURI:
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "websocket.accept", "subprotocol": connection.subprotocol})
        await _pump(connection, receive, send)


async def _pump(upstream: ClientConnection, receive: Receive, send: Send) -> None:
    async def client_to_upstream() -> None:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                await upstream.close(code=message.get("code", 1000))
                return
            if message.get("bytes") is not None:
                await upstream.send(message["bytes"])
            elif message.get("text") is not None:
                await upstream.send(message["text"])

    async def upstream_to_client() -> None:
        try:
            async for data in upstream:
                if isinstance(data, bytes):
                    await send({"type": "websocket.send", "bytes": data})
                else:
                    await send({"type": "websocket.send", "text": data})
        except ConnectionClosed:
            pass
        code = upstream.close_code or 1000
        with contextlib.suppress(RuntimeError, OSError):
            await send({"type": "websocket.close", "code": code})

    tasks = [asyncio.create_task(client_to_upstream()), asyncio.create_task(upstream_to_client())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await upstream.close()
    for task in done:
        if task.exception() and not isinstance(task.exception(), ConnectionClosed | OSError):
            logger.debug("websocket pump ended: %r", task.exception())


class _BodyTooLarge(Exception):
    pass


async def _request_body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    seen = 0
    while True:
        message: Message = await receive()
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        seen += len(chunk)
        if limit and seen > limit:
            raise _BodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
