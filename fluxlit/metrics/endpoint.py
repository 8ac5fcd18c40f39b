"""The scrape endpoint: ASGI on the public port, or a small server on a port of its own."""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from starlette.types import Receive, Scope, Send

from fluxlit.metrics.registry import FluxlitMetrics

SCRAPE_PATH = "/__fluxlit/metrics"
logger = logging.getLogger("fluxlit.metrics")


def token_accepted(authorization: str | None, token: str | None) -> bool:
    """Whether ``Authorization`` carries ``Bearer <token>`` (always, without a token)."""
    if not token:
        return True
    scheme, _, value = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def scrape_response(
    metrics: FluxlitMetrics, authorization: str | None, token: str | None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of one scrape."""
    if not token_accepted(authorization, token):
        body = b"Bearer token required (FLUXLIT_METRICS_TOKEN)\n"
        headers = [("content-type", "text/plain; charset=utf-8"), ("www-authenticate", "Bearer")]
        return 401, headers, body
    body, content_type = metrics.exposition()
    return 200, [("content-type", content_type)], body


class ScrapeEndpoint:
    """ASGI app answering a scrape (any path; the gateway decides which path leads here)."""

    def __init__(self, metrics: FluxlitMetrics, token: str | None) -> None:
        self.metrics = metrics
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"), None
        )
        status, headers, body = scrape_response(self.metrics, authorization, self.token)
        raw = [(k.encode(), v.encode()) for k, v in headers]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class MetricsPortServer:
    """Serves scrapes on ``host:port`` (any path) in a thread until ``stop``."""

    def __init__(self, metrics: FluxlitMetrics, token: str | None, host: str, port: int) -> None:
        def app(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
            status, headers, body = scrape_response(
                metrics, environ.get("HTTP_AUTHORIZATION"), token
            )
            start(f"{status} {'OK' if status == 200 else 'Unauthorized'}", headers)
            return [body]

        self.server = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="fluxlit-metrics", daemon=True
        )

    def start(self) -> None:
        """Start answering in the background."""
        self.thread.start()
        logger.info("metrics on http://%s:%s/", *self.server.server_address[:2])

    def stop(self) -> None:
        """Stop answering and release the port."""
        self.server.shutdown()
        self.server.server_close()
