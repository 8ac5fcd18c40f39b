"""The reverse proxy to a Streamlit sidecar, as one ASGI app (HTTP and WebSockets)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
from starlette.types import Receive, Scope, Send

from fluxlit.gateway.body_limit import send_plain
from fluxlit.gateway.http_proxy import forward_http
from fluxlit.gateway.options import GatewayProxyOptions
from fluxlit.gateway.ws_proxy import deny_websocket, forward_websocket

logger = logging.getLogger("fluxlit.gateway")


class StreamlitProxy:
    """ASGI app forwarding HTTP and WebSockets to the upstream ``resolve_upstream()`` names.

    The upstream is asked for on every request, so a restarted sidecar on a new port is
    picked up at once. HTTP goes through one shared ``httpx.AsyncClient`` (created on
    first use, closed by ``aclose`` or at lifespan shutdown). With
    ``max_concurrent_upstream_http`` set, extra HTTP requests wait up to
    ``connect_timeout`` for a free slot, then get 503.
    """

    def __init__(self, resolve_upstream: Callable[[], str], options: GatewayProxyOptions) -> None:
        self.resolve_upstream = resolve_upstream
        self.options = options
        self._allow = frozenset(
            name.strip().lower().encode("latin-1") for name in options.forward_client_headers_http
        )
        cap = options.max_concurrent_upstream_http
        self._slots = asyncio.Semaphore(cap) if cap else None
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def client(self) -> httpx.AsyncClient:
        """The shared HTTP client of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            options = self.options
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
                limits=httpx.Limits(
                    max_connections=options.httpx_max_connections or None,
                    max_keepalive_connections=options.httpx_max_keepalive_connections or None,
                ),
                follow_redirects=False,
                trust_env=False,  # never route loopback traffic through an env proxy
            )
            self._client_loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the shared HTTP client; a later request opens a new one."""
        client, self._client, self._client_loop = self._client, None, None
        if client is not None:
            await client.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        try:
            base = self.resolve_upstream()
        except Exception as exc:  # e.g. the upstream state file is not written yet
            logger.warning("no Streamlit upstream: %s", exc)
            base = ""
        if not base:
            text = "Streamlit's address is not known yet; is the sidecar running?"
            if kind == "http":
                await send_plain(send, 502, text)
            elif kind == "websocket":
                await receive()  # websocket.connect
                await deny_websocket(scope, send, 502, text)
        elif kind == "http":
            await self._http(base, scope, receive, send)
        elif kind == "websocket":
            await forward_websocket(base, scope, receive, send, self.options)

    async def _http(self, base: str, scope: Scope, receive: Receive, send: Send) -> None:
        slots = self._slots
        if slots is not None:
            try:
                async with asyncio.timeout(self.options.connect_timeout):
                    await slots.acquire()
            except TimeoutError:
                await send_plain(
                    send,
                    503,
                    "Too many concurrent requests to Streamlit; raise "
                    "FLUXLIT_MAX_CONCURRENT_UPSTREAM_HTTP (0 means no cap).",
                )
                return
        try:
            await forward_http(
                self.client(),
                base,
                scope,
                receive,
                send,
                limit=self.options.max_proxy_body_bytes,
                allow=self._allow,
            )
        finally:
            if slots is not None:
                slots.release()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """Take part in the server lifespan only to close the HTTP client at shutdown."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return
