"""Uvicorn's own log lines, made safe: no secrets from query strings, no duplicate summary."""

from __future__ import annotations

import logging

from fluxlit.logging.redact import redact_query_string

# Replaced by FluxLit's own shutdown summary (fluxlit.runtime.shutdown).
_DROPPED_PREFIXES = ("Cancel %s running task(s)",)


def redact_target(value: str) -> str:
    """``path?query`` with the sensitive query values redacted (other text unchanged)."""
    path, sep, query = value.partition("?")
    return path + sep + redact_query_string(query) if sep else value


class UvicornLogFilter(logging.Filter):
    """Redacts query values in Uvicorn's arguments (e.g. ``"WebSocket /x?token=..."``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(_DROPPED_PREFIXES):
            return False
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_target(arg) if isinstance(arg, str) and "?" in arg else arg
                for arg in record.args
            )
        return True


def install_uvicorn_log_filter() -> None:
    """Attach ``UvicornLogFilter`` to ``uvicorn.error`` once per process."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, UvicornLogFilter) for f in logger.filters):
        logger.addFilter(UvicornLogFilter())
