"""The dispatcher: ``{api_prefix}/*`` to the API app, everything else to the UI app.

One thin raw-ASGI layer serves both runtime modes: the UI app is Streamlit's own ASGI
app (in-process) or the reverse proxy to a Streamlit sidecar. An API request costs a
path check, a request id and a response-header append; nothing is timed or formatted
unless the access log is on.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.gateway.access_log import call_with_access_log
from fluxlit.gateway.api_gate import ApiConcurrencyGate
from fluxlit.gateway.body_limit import call_with_body_limit
from fluxlit.gateway.guard import RequestGuard
from fluxlit.gateway.lifespan import run_lifespans
from fluxlit.gateway.observe import GatewayObservability
from fluxlit.gateway.paths import normalize_api_mount_path, normalize_root_mount
from fluxlit.gateway.policy import GatewayPolicy
from fluxlit.gateway.request_id import Headers, inbound_request_id, send_with_request_id
from fluxlit.gateway.ws_origin import WebSocketOriginGuard
from fluxlit.logging.context import reset_request_id, set_request_id

DOC_PATHS = frozenset({"/docs", "/redoc", "/openapi.json"})
BODY_LIMIT_SETTING = "FLUXLIT_MAX_REQUEST_BODY_BYTES"


class Dispatcher:
    """ASGI app routing between an API app and a UI app; see ``build_dispatcher``."""

    def __init__(
        self,
        api_app: ASGIApp,
        ui_app: ASGIApp,
        *,
        api_prefix: str,
        root_mount: str,
        access_log: bool,
        max_request_body_bytes: int,
        lifespan_apps: Sequence[ASGIApp],
    ) -> None:
        self.api_app = api_app
        self.ui_app = ui_app
        self.api_prefix = normalize_api_mount_path(api_prefix)
        self.root_mount = normalize_root_mount(root_mount)
        self.access_log = access_log
        self.max_request_body_bytes = max_request_body_bytes
        self.lifespan_apps = tuple(lifespan_apps)
        # Precomputed once: every request only compares and slices strings.
        self._strip = "" if self.api_prefix == "/" else self.api_prefix
        self._strip_raw = self._strip.encode()
        self._api_slash = self._strip + "/"
        self._mount = self.root_mount
        self._mount_slash = self._mount + "/"
        self._mount_raw = self._mount.encode()
        self._api_root_path = self._mount + self._strip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            if kind == "lifespan":
                await run_lifespans(self.lifespan_apps, scope, receive, send)
            else:
                await self.ui_app(scope, receive, send)
            return
        request_id, headers = inbound_request_id(scope["headers"])
        token = set_request_id(request_id)
        try:
            if kind == "websocket":
                await self._route(scope, receive, send, headers)
                return
            send = send_with_request_id(send, request_id)
            if self.access_log or self.max_request_body_bytes:
                await self._guarded(scope, receive, send, request_id, headers)
            else:
                await self._route(scope, receive, send, headers)
        finally:
            reset_request_id(token)

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, headers: Headers | None
    ) -> None:
        """Route an HTTP request under the body limit and/or the access log."""

        async def routed(scope: Scope, receive: Receive, send: Send) -> None:
            await self._route(scope, receive, send, headers)

        app: ASGIApp = routed
        limit = self.max_request_body_bytes
        if limit:

            async def limited(scope: Scope, receive: Receive, send: Send) -> None:
                await call_with_body_limit(routed, scope, receive, send, limit, BODY_LIMIT_SETTING)

            app = limited
        if self.access_log:
            await call_with_access_log(app, scope, receive, send, request_id)
        else:
            await app(scope, receive, send)

    async def _route(
        self, scope: Scope, receive: Receive, send: Send, headers: Headers | None
    ) -> None:
        """Send the request to the API or the UI app (or answer a docs redirect).

        ``headers`` replaces the request headers when the request id needed fixing.
        """
        path: str = scope["path"]
        raw_path: bytes | None = scope.get("raw_path")
        has_mount = False
        if self._mount and (path == self._mount or path.startswith(self._mount_slash)):
            # The proxy in front forwarded the full public path: strip the mount here.
            has_mount = True
            path = path[len(self._mount) :] or "/"
            if raw_path is not None and raw_path.startswith(self._mount_raw):
                raw_path = raw_path[len(self._mount_raw) :] or b"/"
        child = dict(scope)
        if headers is not None:
            child["headers"] = headers
        if self._mount and not has_mount:
            # Both apps see the full public path, mount included.
            child["path"] = self._mount + path
            child["raw_path"] = self._mount_raw + (raw_path or path.encode())
        if path == self._strip or path.startswith(self._api_slash) or not self._strip:
            # As in Starlette's own Mount: ``root_path`` holds the prefix, so the API
            # routes on the prefix-free rest, its sub-mounts work and its redirects and
            # docs URLs keep the prefix.
            child["root_path"] = self._api_root_path
            await self.api_app(child, receive, send)
        elif path in DOC_PATHS and scope["type"] == "http":
            await self._redirect_to_api_docs(scope, send, path)
        else:
            child["root_path"] = ""  # Streamlit serves under its own base path
            await self.ui_app(child, receive, send)

    async def _redirect_to_api_docs(self, scope: Scope, send: Send, path: str) -> None:
        location = self._api_root_path + path
        query: bytes = scope.get("query_string", b"")
        if query:
            location += "?" + query.decode("latin-1")
        await send(
            {
                "type": "http.response.start",
                "status": 307,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def build_dispatcher(
    api_app: ASGIApp,
    ui_app: ASGIApp,
    *,
    api_prefix: str = "/api",
    root_mount: str = "",
    access_log: bool = False,
    max_request_body_bytes: int = 0,
    lifespan_apps: Sequence[ASGIApp] | None = None,
    observability: GatewayObservability | None = None,
    policy: GatewayPolicy | None = None,
) -> ASGIApp:
    """Build the ASGI app that serves both runtime modes.

    HTTP and WebSocket paths equal to ``api_prefix`` or below it go to ``api_app``
    with the prefix stripped for routing: ``root_path`` is set to the public mount
    plus the prefix and ``path``/``raw_path`` are the full public path, as Starlette
    (0.33+) expects, so the API matches prefix-free routes, its own mounts work, and
    its redirects and docs URLs keep the prefix. Top-level ``/docs``,
    ``/redoc`` and ``/openapi.json`` answer 307 to the same path under the prefix.
    Everything else goes to ``ui_app`` with ``root_mount`` kept in the path.

    Each request gets an id (the client's sane ``X-Request-ID`` or a new one), bound
    with ``set_request_id``, sent to the inner app as the only ``X-Request-ID`` and
    returned on the response. ``max_request_body_bytes`` > 0 answers 413 for larger
    bodies; ``access_log`` logs one line per HTTP request. Lifespan events go to every
    app of ``lifespan_apps`` (default: ``api_app`` only). ``observability`` adds
    metrics and the scrape endpoint; trace spans are opened whenever a hook is installed.
    ``policy`` (defaults when ``None``) is applied to every request first, see
    ``fluxlit.gateway.guard``; with ``policy.ws_origins`` set, the UI's WebSockets pass
    ``WebSocketOriginGuard``, and with ``policy.api_concurrency`` set, API requests pass
    ``ApiConcurrencyGate``.
    """
    observe = observability or GatewayObservability()
    mount = normalize_root_mount(root_mount)
    policy = policy or GatewayPolicy()
    if policy.api_concurrency:
        api_app = ApiConcurrencyGate(api_app, policy.api_concurrency)
    if policy.ws_origins is not None:
        ui_app = WebSocketOriginGuard(ui_app, policy.ws_origins)
    dispatcher = Dispatcher(
        observe.tag(api_app, "api", mount),
        observe.tag(ui_app, "ui", mount),
        api_prefix=api_prefix,
        root_mount=root_mount,
        access_log=access_log,
        max_request_body_bytes=max_request_body_bytes,
        lifespan_apps=(api_app,) if lifespan_apps is None else lifespan_apps,
    )
    return observe.wrap(RequestGuard(dispatcher, policy), mount)
