"""The ASGI gateway: ``api_prefix`` to FastAPI, everything else (WebSockets too) to Streamlit.

``build_gateway`` serves a Streamlit sidecar through a reverse proxy; the in-process
runtime puts Streamlit's own ASGI app behind the same dispatcher (``build_dispatcher``).
The client's ``Host`` reaches Streamlit unchanged, so its WebSocket origin check
matches the browser's ``Origin``. Request ids come from a sane ``X-Request-ID`` or are
generated, are bound in ``fluxlit.logging`` for the request, and are sent upstream as
the only ``X-Request-ID``. Top-level ``/docs``, ``/redoc`` and ``/openapi.json``
redirect under ``api_prefix`` so Swagger is never proxied to Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp

from fluxlit.config.settings import FluxlitSettings
from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.observe import GatewayObservability
from fluxlit.gateway.options import GatewayProxyOptions
from fluxlit.gateway.paths import (
    normalize_api_mount_path,
    normalize_root_mount,
    split_gateway_paths,
)
from fluxlit.gateway.policy import GatewayPolicy
from fluxlit.gateway.proxy import StreamlitProxy


def build_gateway(
    api_app: ASGIApp,
    upstream_base: str,
    *,
    upstream_resolver: Callable[[], str] | None = None,
    access_log: bool = False,
    api_prefix: str = "/api",
    root_mount: str = "",
    proxy_settings: FluxlitSettings | None = None,
    policy: GatewayPolicy | None = None,
) -> ASGIApp:
    """Build the ASGI app Uvicorn serves in sidecar mode.

    Paths equal to ``api_prefix`` or below it go to ``api_app``, which routes on them
    with the prefix stripped: the prefix is moved into ``root_path``, the way
    Starlette's own ``Mount`` does it (see ``build_dispatcher``). All other HTTP and
    WebSocket traffic is proxied to ``upstream_base``, or to ``upstream_resolver()``
    (asked per request) when given. ``root_mount`` is the browser-visible subpath (it
    must match ``root_path`` and Streamlit's ``server.baseUrlPath``); both apps get it
    in their paths whether or not the proxy in front already removed it. Lifespan
    events go to ``api_app`` only. ``proxy_settings`` supplies timeouts, body limits,
    concurrency and WebSocket tuning (defaults when ``None``); ``policy`` the checks
    every request passes (from ``proxy_settings`` when ``None``).
    """
    options = GatewayProxyOptions.from_settings(proxy_settings)
    resolve = upstream_resolver if upstream_resolver is not None else lambda: upstream_base
    proxy = StreamlitProxy(resolve, options)
    return build_dispatcher(
        api_app,
        proxy,
        api_prefix=api_prefix,
        root_mount=root_mount,
        access_log=access_log,
        max_request_body_bytes=proxy_settings.max_request_body_bytes if proxy_settings else 0,
        # The proxy only listens for shutdown, to close its HTTP client.
        lifespan_apps=(api_app, proxy),
        observability=GatewayObservability.from_settings(proxy_settings, api_app)
        if proxy_settings
        else None,
        policy=policy or GatewayPolicy.from_settings(proxy_settings),
    )


__all__ = [
    "GatewayPolicy",
    "GatewayProxyOptions",
    "build_dispatcher",
    "build_gateway",
    "normalize_api_mount_path",
    "normalize_root_mount",
    "split_gateway_paths",
]
