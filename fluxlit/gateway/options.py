"""Upstream HTTP/WebSocket tuning for the sidecar reverse proxy."""

from __future__ import annotations

from dataclasses import dataclass

from fluxlit.config.settings import FluxlitSettings


@dataclass(frozen=True)
class GatewayProxyOptions:
    """Timeouts, limits and WebSocket options of ``build_gateway``; mirrors the settings.

    Zero means "no limit" for the byte, concurrency and pool-size fields.
    """

    connect_timeout: float = 30.0
    read_timeout: float = 120.0
    max_proxy_body_bytes: int = 0
    max_concurrent_upstream_http: int = 0
    httpx_max_connections: int = 0
    httpx_max_keepalive_connections: int = 0
    ws_open_timeout_s: float = 30.0
    ws_ping_interval_s: float | None = None
    ws_ping_timeout_s: float | None = None
    ws_close_timeout_s: float | None = None
    ws_max_message_bytes: int | None = None
    forward_client_headers_http: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: FluxlitSettings | None) -> GatewayProxyOptions:
        """Build options from ``FLUXLIT_*`` settings (defaults when ``None``)."""
        if settings is None:
            return cls()
        return cls(
            connect_timeout=settings.proxy_connect_timeout,
            read_timeout=settings.proxy_read_timeout,
            max_proxy_body_bytes=settings.max_proxy_body_bytes,
            max_concurrent_upstream_http=settings.max_concurrent_upstream_http,
            httpx_max_connections=settings.httpx_max_connections,
            httpx_max_keepalive_connections=settings.httpx_max_keepalive_connections,
            ws_open_timeout_s=settings.ws_open_timeout_s,
            ws_ping_interval_s=settings.ws_ping_interval_s,
            ws_ping_timeout_s=settings.ws_ping_timeout_s,
            ws_close_timeout_s=settings.ws_close_timeout_s,
            ws_max_message_bytes=settings.ws_max_message_bytes,
            forward_client_headers_http=frozenset(
                h.lower() for h in settings.forward_client_headers_http
            ),
        )
