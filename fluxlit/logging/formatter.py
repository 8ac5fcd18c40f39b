"""JSON log lines with request ids and structured ``extra`` fields."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from fluxlit.logging.context import get_request_id

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


class JsonLogFormatter(logging.Formatter):
    """Emit one JSON object per log line, including merged ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = get_request_id()
        if request_id:
            payload["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


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
