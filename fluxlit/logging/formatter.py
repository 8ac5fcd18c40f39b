"""JSON log lines with request ids, trace ids and structured ``extra`` fields."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from fluxlit.logging.context import get_request_id
from fluxlit.tracing import current_traceparent

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "color_message"}  # Uvicorn's copy with terminal colours
)


def current_trace_id() -> str | None:
    """The trace id of the span open here (from its ``traceparent``), if any."""
    traceparent = current_traceparent()
    if traceparent is None:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 else None


def json_line(*, created: float, level: str, logger: str, message: str, **fields: Any) -> str:
    """One log line in FluxLit's JSON shape.

    Every line has ``ts``, ``level``, ``logger``, ``message``, ``request_id`` and
    ``trace_id`` (``null`` when there is none), then any other ``fields``.
    """
    payload: dict[str, Any] = {
        "ts": datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "logger": logger,
        "message": message,
        "request_id": get_request_id(),
        "trace_id": current_trace_id(),
    }
    for key, value in fields.items():
        if value is not None or key not in payload:
            payload[key] = value
    return json.dumps(payload, default=str, ensure_ascii=False)


class JsonLogFormatter(logging.Formatter):
    """Emit one JSON object per log record, including merged ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRS and not key.startswith("_")
        }
        if record.exc_info:
            fields["exc_info"] = self.formatException(record.exc_info)
        return json_line(
            created=record.created,
            level=record.levelname,
            logger=record.name,
            message=record.getMessage().rstrip("\n"),
            **fields,
        )


def configure_logging(level: str, *, json_logs: bool) -> None:
    """Set the root logger's level and, with ``json_logs``, JSON output on stderr."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    if json_logs:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLogFormatter())
        root.handlers = [handler]
    elif not root.handlers:
        logging.basicConfig(level=level.upper())
