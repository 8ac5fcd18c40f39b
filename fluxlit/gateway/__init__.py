"""ASGI gateway: ``/api`` to FastAPI, everything else (WebSockets too) to Streamlit.

``build_gateway`` serves a Streamlit sidecar through a reverse proxy; the in-process
runtime uses the same dispatcher with Streamlit's own ASGI app. Request ids are taken
from ``X-Request-ID`` (when sane) or generated, bound for the request, returned to
the client and re-sent upstream as authoritative. ``/docs``, ``/redoc`` and
``/openapi.json`` redirect under the API prefix so Swagger is never proxied to
Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.config.settings import FluxlitSettings
from fluxlit.gateway.dispatch import Dispatcher, build_dispatcher
from fluxlit.gateway.options import GatewayProxyOptions
from fluxlit.gateway.paths import (
    normalize_api_mount_path,
    normalize_root_mount,
    split_gateway_paths,
)
from fluxlit.gateway.proxy import StreamlitProxy


class _ClosingProxy:
    """Lifespan-aware wrapper closing the proxy's HTTP client on shutdown."""

    def __init__(self, api_app: ASGIApp, proxy: StreamlitProxy) -> None:
        self.api_app = api_app
        self.proxy = proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped_send(message: dict[str, object]) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await self.proxy.aclose()
            await send(message)

        await self.api_app(scope, receive, wrapped_send)


def build_gateway(
    api_app: ASGIApp,
    upstream_base: str,
    *,
    upstream_resolver: Callable[[], str] | None = None,
    access_log: bool = False,
    api_prefix: str = "/api",
    root_mount: str = "",
    proxy_settings: FluxlitSettings | None = None,
) -> Dispatcher:
    """Build the ASGI app Uvicorn serves in sidecar mode.

    Paths equal to ``api_prefix`` or below it go to ``api_app`` with the prefix
    stripped from ``path`` and ``raw_path``; all other HTTP and WebSocket traffic is
    proxied to ``upstream_base`` (or to ``upstream_resolver()``, asked per request,
    e.g. after Streamlit restarts on a new port). Lifespan goes to ``api_app`` only.
    ``proxy_settings`` supplies timeouts, body limits, concurrency and WebSocket
    options.
    """
    options = GatewayProxyOptions.from_settings(proxy_settings)
    resolve = upstream_resolver or (lambda: upstream_base)
    proxy = StreamlitProxy(resolve, options)
    max_body = proxy_settings.max_request_body_bytes if proxy_settings else 0
    return build_dispatcher(
        api_app,
        proxy,
        api_prefix=api_prefix,
        root_mount=root_mount,
        access_log=access_log,
        max_request_body_bytes=max_body,
        lifespan_apps=[_ClosingProxy(api_app, proxy)],
    )


__all__ = [
    "Dispatcher",
    "GatewayProxyOptions",
    "build_dispatcher",
    "build_gateway",
    "normalize_api_mount_path",
    "normalize_root_mount",
    "split_gateway_paths",
]
