"""The UI's WebSocket origin check, done in the gateway without any network lookup.

Streamlit's own check falls back to asking an outside service for the machine's
public IP (a blocking request on the event loop) for every foreign ``Origin``. The
gateway applies the same rules first, from configuration only, and refuses a foreign
origin with 403 before Streamlit sees it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.gateway.ws_proxy import deny_websocket

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})


def origin_allowed(origin: str | None, host: str | None, allowed: frozenset[str]) -> bool:
    """No ``Origin``, the request's own host, a loopback name, or a host in ``allowed``.

    ``allowed`` holds lowercase host names (``*`` allows every origin).
    """
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if host is not None and parts.netloc == host:
        return True
    name = (parts.hostname or "").lower()
    return "*" in allowed or name in LOOPBACK_NAMES or name in allowed


def _header(scope: Scope, key: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == key:
            return str(value.decode("latin-1"))
    return None


class WebSocketOriginGuard:
    """ASGI wrapper for the UI app: foreign-origin WebSocket handshakes get 403.

    An allowed cross-origin handshake (an ``allowed`` host, not the request's own)
    reaches the UI app without its ``Origin`` header, so the UI app accepts it without
    a lookup of its own.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        host = _header(scope, b"host")
        if not origin_allowed(origin, host, self.allowed):
            await receive()  # websocket.connect
            await deny_websocket(scope, send, 403, "WebSocket origin not allowed.")
            return
        if origin is not None and urlsplit(origin).netloc != host:
            scope = dict(scope)
            scope["headers"] = [pair for pair in scope["headers"] if pair[0] != b"origin"]
        await self.app(scope, receive, send)
