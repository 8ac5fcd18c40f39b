"""A session-store wrapper counting failed operations in ``fluxlit_session_store_errors_total``."""

from __future__ import annotations

from typing import Any

from fluxlit.metrics.registry import FluxlitMetrics


class CountingSessionStore:
    """Wraps a ``SessionStore``: same behaviour, failures counted and re-raised."""

    def __init__(self, store: Any, metrics: FluxlitMetrics) -> None:
        self.store = store
        self.errors = metrics.session_store_errors

    def get(self, session_id: str) -> dict[str, Any] | None:
        """The wrapped store's ``get``."""
        try:
            result: dict[str, Any] | None = self.store.get(session_id)
        except Exception:
            self.errors.labels("get").inc()
            raise
        return result

    def set(
        self, session_id: str, data: dict[str, Any], *, ttl_seconds: float | None = None
    ) -> None:
        """The wrapped store's ``set``."""
        try:
            self.store.set(session_id, data, ttl_seconds=ttl_seconds)
        except Exception:
            self.errors.labels("set").inc()
            raise

    def delete(self, session_id: str) -> None:
        """The wrapped store's ``delete``."""
        try:
            self.store.delete(session_id)
        except Exception:
            self.errors.labels("delete").inc()
            raise
