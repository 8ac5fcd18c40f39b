"""Which client headers the reverse proxy passes to Streamlit, and what it adds."""

from __future__ import annotations

from starlette.types import Scope

Headers = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Added by the ASGI server in front of the gateway; upstream copies would duplicate them.
SERVER_OWNED = frozenset({b"date", b"server"})
# Set by the gateway from the connection it sees; client copies are replaced.
FORWARDED = frozenset({b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host"})
# The WebSocket client library writes these itself (the Host goes into the URI).
WS_HANDSHAKE = frozenset(
    {
        b"host",
        b"content-length",
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
        b"sec-websocket-accept",
    }
)
# Kept even when FLUXLIT_FORWARD_CLIENT_HEADERS_HTTP narrows HTTP forwarding: Streamlit
# needs them to route, authenticate, negotiate and cache.
ALWAYS_FORWARDED_HTTP = frozenset(
    {
        b"host",
        b"cookie",
        b"origin",
        b"content-type",
        b"content-length",
        b"content-encoding",
        b"accept",
        b"accept-encoding",
        b"accept-language",
        b"if-none-match",
        b"if-modified-since",
        b"range",
        b"x-request-id",
    }
)


def _hop_by_hop(headers: Headers) -> frozenset[bytes]:
    """Hop-by-hop names: the fixed set plus any listed in ``Connection``."""
    listed = [
        token.strip().lower()
        for name, value in headers
        if name == b"connection"
        for token in value.split(b",")
    ]
    return HOP_BY_HOP.union(listed) if listed else HOP_BY_HOP


def upstream_headers(
    scope: Scope, *, drop: frozenset[bytes] = frozenset(), allow: frozenset[bytes] = frozenset()
) -> Headers:
    """Client headers for the upstream hop, plus ``X-Forwarded-For/Proto/Host``.

    Hop-by-hop headers and ``drop`` are removed. A non-empty ``allow`` keeps only the
    listed names and ``ALWAYS_FORWARDED_HTTP``. ``Host`` is passed unchanged so
    Streamlit sees the public host its WebSocket origin check expects. A client that
    sent no ``Accept-Encoding`` gets ``identity`` upstream, so the HTTP client's own
    default (gzip) never reaches a client that did not ask for it.
    """
    headers: Headers = scope["headers"]
    skip = _hop_by_hop(headers) | FORWARDED | drop
    out: Headers = []
    prior_for = b""
    host = b""
    encoding = False
    for name, value in headers:
        if name == b"host":
            host = value
        elif name == b"x-forwarded-for":
            prior_for = value
        elif name == b"accept-encoding":
            encoding = True
        if name in skip or (allow and name not in allow and name not in ALWAYS_FORWARDED_HTTP):
            continue
        out.append((name, value))
    client = scope.get("client")
    if client:
        ip = str(client[0]).encode()
        out.append((b"x-forwarded-for", prior_for + b", " + ip if prior_for else ip))
    scheme = str(scope.get("scheme", "http"))
    secure = scheme in ("https", "wss")
    out.append((b"x-forwarded-proto", b"https" if secure else b"http"))
    if host:
        out.append((b"x-forwarded-host", host))
    if not encoding:
        out.append((b"accept-encoding", b"identity"))
    return out


def response_headers(headers: Headers) -> Headers:
    """Upstream response headers (names lowercased) without the hop-by-hop ones.

    ``Date`` and ``Server`` are dropped too: the gateway's own server adds them.
    """
    lowered = [(name.lower(), value) for name, value in headers]
    skip = _hop_by_hop(lowered) | SERVER_OWNED
    return [(name, value) for name, value in lowered if name not in skip]
