"""Gateway instrumentation: a trace span and metrics per request, and the scrape endpoint.

``GatewayObservability.wrap`` goes around the dispatcher and ``tag`` around the API and
UI apps inside it: the outer layer opens the span and times the request, the inner
ones note which side served it and its route template, through a small record the
dispatcher's scope copy shares. With no trace hook installed and metrics off, a request
pays one context-variable read and one dictionary lookup per layer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.logging.context import get_request_id
from fluxlit.logging.output import apply_log_format
from fluxlit.metrics.registry import FluxlitMetrics, enable_metrics, record_gateway_refusal
from fluxlit.tracing import current_trace_hook, trace_span

if TYPE_CHECKING:
    from fluxlit.config.settings import FluxlitSettings

RECORD = "fluxlit.observe"
SPAN_NAME = "fluxlit.gateway.request"
REFUSALS = {400: "host", 413: "body_limit", 431: "header_limit"}
STATIC_PREFIXES = ("/static/", "/app/static/", "/media/", "/component/", "/favicon")
STCORE_ROUTES = frozenset(
    {"health", "host-config", "stream", "upload_file", "message", "script-health-check"}
)
logger = logging.getLogger("fluxlit.gateway")


def ui_route(path: str) -> tuple[str, str]:
    """``(side, route)`` for a path Streamlit serves (mount removed): a bounded label."""
    if path.startswith(STATIC_PREFIXES):
        head = path.split("/", 2)[1]
        return "static", "/favicon" if head.startswith("favicon") else f"/{head}/{{path}}"
    if path.startswith("/_stcore/"):
        name = path.split("/", 3)[2]
        return "ui", f"/_stcore/{name if name in STCORE_ROUTES else '{name}'}"
    return "ui", "/" if path in ("", "/") else "/{page}"


@dataclass
class _Record:
    """What the layers learn about one request."""

    side: str = "gateway"
    route: str = ""
    status: int = 0
    app_answered: bool = False
    request_id: str = ""


class _HttpSeries:
    """The request counter and duration histogram, labelled children cached by labels."""

    def __init__(self, metrics: FluxlitMetrics) -> None:
        self.metrics = metrics
        self.counters: dict[tuple[str, str, str, int], Any] = {}
        self.histograms: dict[tuple[str, str, str], Any] = {}

    def observe(self, record: _Record, method: str, elapsed: float) -> None:
        """Count one finished HTTP request and its duration."""
        key = (record.side, method, record.route, record.status)
        counter = self.counters.get(key)
        if counter is None:
            labels = (record.side, method, record.route, str(record.status))
            counter = self.counters[key] = self.metrics.http_requests.labels(*labels)
        counter.inc()
        histogram = self.histograms.get(key[:3])
        if histogram is None:
            histogram = self.histograms[key[:3]] = self.metrics.http_duration.labels(*key[:3])
        histogram.observe(elapsed)
        if not record.app_answered and record.status in REFUSALS:
            record_gateway_refusal(REFUSALS[record.status])


def _with_traceparent(send: Send, value: bytes) -> Send:
    """Wrap ``send`` so the response start carries ``traceparent: value``."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", ()), (b"traceparent", value)]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


class _SideTag:
    """Inner layer: notes the side and route template of the requests it serves."""

    def __init__(self, app: ASGIApp, side: str, mount: str) -> None:
        self.app = app
        self.side = side
        self.mount = mount

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        record: _Record | None = scope.get(RECORD)
        if record is None:
            await self.app(scope, receive, send)
            return
        base_root = scope.get("root_path", "")
        record.request_id = get_request_id() or ""

        async def noting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.app_answered = True
            await send(message)

        if self.side == "api":
            record.side = "api"
            try:
                await self.app(scope, receive, noting_send)
            finally:
                record.route = _api_route(scope, base_root)
            return
        path: str = scope["path"]
        if self.mount and path.startswith(self.mount):
            path = path[len(self.mount) :]
        record.side, record.route = ui_route(path)
        await self.app(scope, receive, noting_send)


def _api_route(scope: Scope, base_root: str) -> str:
    """The matched route's template (with any sub-mount prefix), or ``<unmatched>``."""
    template = getattr(scope.get("route"), "path", None)
    if not isinstance(template, str):
        return "<unmatched>"
    root: str = scope.get("root_path", "")
    return (root[len(base_root) :] if root.startswith(base_root) else "") + template


class _Observed:
    """Outer layer: span, metrics and the scrape endpoint around the dispatcher."""

    def __init__(self, app: ASGIApp, owner: GatewayObservability, mount: str) -> None:
        self.app = app
        self.owner = owner
        self.scrape: ASGIApp | None = None
        self.scrape_paths: frozenset[str] = frozenset()
        self.port_server: Any = None
        metrics = owner.metrics
        self.series = _HttpSeries(metrics) if metrics is not None else None
        if metrics is not None and not owner.metrics_port:
            from fluxlit.metrics.endpoint import SCRAPE_PATH, ScrapeEndpoint

            self.scrape = ScrapeEndpoint(metrics, owner.metrics_token)
            self.scrape_paths = frozenset({SCRAPE_PATH, mount + SCRAPE_PATH})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" or kind == "websocket":
            if self.scrape is not None and scope["path"] in self.scrape_paths:
                await self.scrape(scope, receive, send)
            elif self.owner.metrics is None and current_trace_hook() is None:
                await self.app(scope, receive, send)
            else:
                await self._observed(scope, receive, send)
        elif kind == "lifespan" and self.owner.metrics_port:
            self._start_port_server()
            try:
                await self.app(scope, receive, send)
            finally:
                self._stop_port_server()
        else:
            await self.app(scope, receive, send)

    async def _observed(self, scope: Scope, receive: Receive, send: Send) -> None:
        record = _Record()
        scope[RECORD] = record
        if current_trace_hook() is None:
            await self._measured(scope, receive, send, record)
            return
        method = scope.get("method", "WEBSOCKET")
        attributes: dict[str, Any] = {"http.method": method, "http.target": scope["path"]}
        parent = _header(scope, b"traceparent")
        if parent:
            attributes["traceparent"] = parent
        with trace_span(SPAN_NAME, attributes) as span:
            traceparent = getattr(span, "traceparent", None)
            if isinstance(traceparent, str):
                send = _with_traceparent(send, traceparent.encode("latin-1"))
            try:
                await self._measured(scope, receive, send, record)
            finally:
                # The gateway binds the request id inside this layer; the apps saw it.
                attributes["fluxlit.request_id"] = record.request_id or _header(
                    scope, b"x-request-id"
                )
                attributes["fluxlit.side"] = record.side
                attributes["http.route"] = record.route
                attributes["http.status_code"] = record.status

    async def _measured(self, scope: Scope, receive: Receive, send: Send, record: _Record) -> None:
        """Run the request, noting its status; record metrics when they are on."""
        metrics, series = self.owner.metrics, self.series
        websocket = scope["type"] == "websocket"
        start = time.perf_counter()

        async def noting_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                record.status = message["status"]
            elif kind == "websocket.accept":
                record.status = 101
                if metrics is not None:
                    metrics.websocket_open.labels(record.side).inc()
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        except BaseException:
            record.status = record.status or 500
            raise
        finally:
            if series is not None and not websocket:
                series.observe(record, scope["method"], time.perf_counter() - start)
            elif metrics is not None and record.status == 101:
                metrics.websocket_open.labels(record.side).dec()

    def _start_port_server(self) -> None:
        from fluxlit.metrics.endpoint import MetricsPortServer

        owner = self.owner
        if owner.metrics is None:
            return
        try:
            self.port_server = MetricsPortServer(
                owner.metrics, owner.metrics_token, owner.metrics_host, owner.metrics_port
            )
        except OSError as exc:  # with several workers, the first one serves them all
            logger.warning("metrics port %s not opened here: %s", owner.metrics_port, exc)
            return
        self.port_server.start()

    def _stop_port_server(self) -> None:
        if self.port_server is not None:
            self.port_server.stop()
            self.port_server = None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


@dataclass(frozen=True)
class GatewayObservability:
    """What the gateway records: spans (whenever a trace hook is installed) and metrics."""

    metrics: FluxlitMetrics | None = None
    metrics_token: str | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0

    @classmethod
    def from_settings(cls, settings: FluxlitSettings, api: Any = None) -> GatewayObservability:
        """Metrics per ``metrics_enabled`` (and its host, port and token).

        Also applies ``log_format`` to this process and, with ``tracing_enabled``,
        installs OpenTelemetry as the trace hook and instruments the FastAPI ``api``.
        """
        apply_log_format(settings)
        if settings.tracing_enabled:
            from fluxlit.otel import enable_tracing

            enable_tracing(api)
        if not settings.metrics_enabled:
            return cls()
        return cls(
            metrics=enable_metrics(),
            metrics_token=settings.metrics_token or None,
            metrics_host=settings.metrics_host,
            metrics_port=settings.metrics_port,
        )

    def tag(self, app: ASGIApp, side: str, mount: str) -> ASGIApp:
        """Wrap the API (``side='api'``) or UI app so requests record side and route."""
        return _SideTag(app, side, mount)

    def wrap(self, dispatcher: ASGIApp, mount: str) -> ASGIApp:
        """Wrap the dispatcher: spans, metrics, and the scrape endpoint under ``mount``."""
        return _Observed(dispatcher, self, mount)
