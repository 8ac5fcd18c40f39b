"""One span and the script-run metrics around every page run."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fluxlit.metrics.registry import active_metrics, enable_metrics
from fluxlit.tracing import current_trace_hook, trace_span

if TYPE_CHECKING:
    from fluxlit.config.settings import FluxlitSettings

SPAN_NAME = "fluxlit.page.run"


def enable_for_pages(settings: FluxlitSettings) -> None:
    """Turn on metrics and tracing in the process running pages, per ``settings``.

    Idempotent; in-process the gateway has done it already, the sidecar's Streamlit
    child does it on its first page run.
    """
    if settings.metrics_enabled:
        enable_metrics()
    if settings.tracing_enabled:
        from fluxlit.otel import enable_tracing

        enable_tracing()


def _session_id() -> str:
    """The Streamlit session running this script ("" outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


def counted_store(store: Any) -> Any:
    """``store`` with failures counted when metrics are on (itself otherwise, or ``None``)."""
    metrics = active_metrics()
    if store is None or metrics is None:
        return store
    from fluxlit.metrics.store import CountingSessionStore

    return CountingSessionStore(store, metrics)


@contextlib.contextmanager
def observed_page_run(page: str) -> Iterator[None]:
    """Run a page under a ``fluxlit.page.run`` span and count it (when enabled).

    ``page`` is the declared page path, a bounded label. Streamlit's own control flow
    (``st.rerun``, ``st.stop``) is not an exception here; anything else that escapes
    the page counts in ``fluxlit_script_exceptions_total`` and marks the span.
    """
    metrics = active_metrics()
    if metrics is None and current_trace_hook() is None:
        yield
        return
    attributes: dict[str, Any] = {"fluxlit.page": page, "session.id": _session_id()}
    start = time.perf_counter()
    with trace_span(SPAN_NAME, attributes):
        try:
            yield
        except Exception as exc:
            attributes["error.type"] = type(exc).__name__
            if metrics is not None:
                metrics.script_exceptions.labels(page).inc()
            raise
        finally:
            if metrics is not None:
                metrics.script_runs.labels(page).inc()
                metrics.script_duration.labels(page).observe(time.perf_counter() - start)
