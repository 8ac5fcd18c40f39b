"""FluxLit's Prometheus metrics, shared by every process of one server.

A server's own metrics live in its memory (cheap to record), and a scrape adds those of
its helper processes, which prometheus-client's multiprocess mode keeps in files in one
folder: the sidecar's Streamlit child counts its script runs there. FluxLit makes that
folder and names it to the processes it starts (``PROMETHEUS_MULTIPROC_DIR``).

With several workers every process writes to files in one folder and any worker's
scrape sums them all: ``fluxlit run --workers`` sets that up (``share_metrics_folder``);
under a plain ``uvicorn --workers``, set ``PROMETHEUS_MULTIPROC_DIR`` yourself.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_lock = threading.Lock()
_active: list[FluxlitMetrics] = []


@dataclass(frozen=True)
class FluxlitMetrics:
    """The metric objects FluxLit records into (see docs/observability.md).

    ``shared``: every process, this one included, writes to ``multiproc_dir`` (the
    folder was given); otherwise this process keeps its values in memory and the
    folder only holds those of the processes it started.
    """

    multiproc_dir: Path
    shared: bool
    http_requests: Any
    http_duration: Any
    websocket_open: Any
    script_runs: Any
    script_duration: Any
    script_exceptions: Any
    sidecar_restarts: Any
    session_store_errors: Any
    gateway_refusals: Any

    def _own(self) -> tuple[Any, ...]:
        return (
            self.http_requests,
            self.http_duration,
            self.websocket_open,
            self.script_runs,
            self.script_duration,
            self.script_exceptions,
            self.sidecar_restarts,
            self.session_store_errors,
            self.gateway_refusals,
        )

    def exposition(self) -> tuple[bytes, str]:
        """The current values of every process, in Prometheus text format."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        files = MultiProcessCollector(None, path=str(self.multiproc_dir)).collect()
        families = files if self.shared else [*_collected(self._own()), *files]
        registry = CollectorRegistry()
        registry.register(_Fixed(list(merge_families(families))))
        return generate_latest(registry), CONTENT_TYPE_LATEST


class _Fixed:
    """A collector answering with families collected beforehand."""

    def __init__(self, families: list[Any]) -> None:
        self.families = families

    def collect(self) -> list[Any]:
        return self.families


def _collected(metrics: Iterable[Any]) -> Iterator[Any]:
    for metric in metrics:
        yield from metric.collect()


def merge_families(families: Iterable[Any]) -> Iterator[Any]:
    """Families with one name merged into one, the values of equal samples summed."""
    from prometheus_client import Metric

    merged: dict[str, tuple[Any, dict[tuple[str, tuple[tuple[str, str], ...]], Any]]] = {}
    for family in families:
        first, samples = merged.setdefault(family.name, (family, {}))
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            seen = samples.get(key)
            samples[key] = (
                sample if seen is None else seen._replace(value=seen.value + sample.value)
            )
    for first, samples in merged.values():
        family = Metric(first.name, first.documentation, first.type)
        family.samples = list(samples.values())
        yield family


def _new_folder() -> Path:
    """A fresh temporary folder, removed when this process exits."""
    path = Path(tempfile.mkdtemp(prefix="fluxlit-metrics-"))
    owner = os.getpid()

    def remove() -> None:
        if os.getpid() == owner:  # not in forked children
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)
    return path


def _multiproc_dir() -> tuple[Path, bool]:
    """The folder, and whether it was given (shared by every process) or made here."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path, True
    return _new_folder(), False


def share_metrics_folder() -> None:
    """Before starting several server processes (``fluxlit run --workers``): give them
    one folder, so each writes its values there and any scrape sums them all.

    Does nothing when ``PROMETHEUS_MULTIPROC_DIR`` is set already.
    """
    if not os.environ.get(MULTIPROC_ENV):
        os.environ[MULTIPROC_ENV] = str(_new_folder())


def _create() -> FluxlitMetrics:
    try:
        # Imported before the folder is named: this process keeps its values in memory
        # unless the folder was given (then prometheus-client writes files).
        from prometheus_client import Counter, Gauge, Histogram
    except ImportError as exc:
        from fluxlit.errors import UserError

        raise UserError(
            'FLUXLIT_METRICS_ENABLED needs prometheus-client: pip install "fluxlit[metrics]"'
        ) from exc
    folder, shared = _multiproc_dir()
    # The processes this one starts (the sidecar child) write their values there.
    os.environ[MULTIPROC_ENV] = str(folder)
    page = ["page"]
    return FluxlitMetrics(
        multiproc_dir=folder,
        shared=shared,
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
            _active.append(_create())
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


def record_gateway_refusal(reason: str) -> None:
    """Count one request refused before any app saw it (``reason`` a fixed word)."""
    metrics = active_metrics()
    if metrics is not None:
        metrics.gateway_refusals.labels(reason).inc()
