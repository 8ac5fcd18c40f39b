"""FluxLit's Prometheus metrics, shared by every process of one server.

prometheus-client's multiprocess mode is always used: each process (the gateway, each
Uvicorn worker, the sidecar's Streamlit child) writes its values to files in one
folder, and a scrape merges them. The folder is ``PROMETHEUS_MULTIPROC_DIR`` when set
(required with several Uvicorn workers: point it at one empty folder for all of them),
otherwise a fresh temporary folder that the sidecar child inherits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_lock = threading.Lock()
_active: list[FluxlitMetrics] = []


@dataclass(frozen=True)
class FluxlitMetrics:
    """The metric objects FluxLit records into (see docs/observability.md)."""

    multiproc_dir: Path
    http_requests: Any
    http_duration: Any
    websocket_open: Any
    script_runs: Any
    script_duration: Any
    script_exceptions: Any
    sidecar_restarts: Any
    session_store_errors: Any
    gateway_refusals: Any

    def exposition(self) -> tuple[bytes, str]:
        """The current values of every process, in Prometheus text format."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.multiproc_dir))
        return generate_latest(registry), CONTENT_TYPE_LATEST


def _multiproc_dir() -> Path:
    """The shared folder: the environment's, else a new one removed at exit."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    path = Path(tempfile.mkdtemp(prefix="fluxlit-metrics-"))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # not in forked children
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)
    # The sidecar child and any process this one starts inherit the folder.
    os.environ[MULTIPROC_ENV] = str(path)
    return path


def _create(folder: Path) -> FluxlitMetrics:
    imported_before = "prometheus_client" in sys.modules
    try:
        from prometheus_client import Counter, Gauge, Histogram, values
    except ImportError as exc:
        from fluxlit.errors import UserError

        raise UserError(
            'FLUXLIT_METRICS_ENABLED needs prometheus-client: pip install "fluxlit[metrics]"'
        ) from exc
    if imported_before:
        # prometheus-client picks its value store at import; it was imported before
        # the folder was known, so pick again now that it is.
        values.ValueClass = values.get_value_class()
    page = ["page"]
    return FluxlitMetrics(
        multiproc_dir=folder,
        http_requests=Counter(
            "fluxlit_http_requests",
            "HTTP requests served by the gateway.",
            ["side", "method", "route", "status"],
            registry=None,
        ),
        http_duration=Histogram(
            "fluxlit_http_request_duration_seconds",
            "Time from request to the end of the response, at the gateway.",
            ["side", "method", "route"],
            registry=None,
        ),
        websocket_open=Gauge(
            "fluxlit_websocket_sessions_open",
            "WebSocket connections open through the gateway.",
            ["side"],
            registry=None,
            multiprocess_mode="livesum",
        ),
        script_runs=Counter("fluxlit_script_runs", "Streamlit page runs.", page, registry=None),
        script_duration=Histogram(
            "fluxlit_script_run_duration_seconds",
            "Duration of Streamlit page runs.",
            page,
            registry=None,
        ),
        script_exceptions=Counter(
            "fluxlit_script_exceptions",
            "Streamlit page runs that ended in an uncaught exception.",
            page,
            registry=None,
        ),
        sidecar_restarts=Counter(
            "fluxlit_sidecar_restarts", "Restarts of the Streamlit sidecar.", registry=None
        ),
        session_store_errors=Counter(
            "fluxlit_session_store_errors",
            "Session store operations that failed.",
            ["operation"],
            registry=None,
        ),
        gateway_refusals=Counter(
            "fluxlit_gateway_refusals",
            "Requests the gateway refused before any app saw them.",
            ["reason"],
            registry=None,
        ),
    )


def enable_metrics() -> FluxlitMetrics:
    """Turn metrics on in this process (idempotent) and return them."""
    with _lock:
        if not _active:
            _active.append(_create(_multiproc_dir()))
        return _active[0]


def active_metrics() -> FluxlitMetrics | None:
    """This process's metrics when enabled, else ``None`` (recording is then skipped)."""
    return _active[0] if _active else None


def record_sidecar_restart() -> None:
    """Count one restart of the Streamlit sidecar (when metrics are on)."""
    metrics = active_metrics()
    if metrics is not None:
        metrics.sidecar_restarts.inc()


def record_session_store_error(operation: str) -> None:
    """Count one failed session-store ``operation`` (``get``, ``set``, ``delete``)."""
    metrics = active_metrics()
    if metrics is not None:
        metrics.session_store_errors.labels(operation).inc()
