"""``log_format = "json"``: every line a process writes becomes one JSON log line.

Log records get ``JsonLogFormatter`` (on the root logger, and on handlers other
libraries set up: Streamlit gives each of its loggers one). Whatever else is written
to ``sys.stdout`` or ``sys.stderr`` (``print``, Uvicorn's own formatter, a warning, a
traceback) goes through ``JsonLines``, which turns each line into a JSON record and
lets lines that already are JSON records through. So no line escapes the shape.
"""

from __future__ import annotations

import atexit
import copy
import io
import json
import logging
import re
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, TextIO

from fluxlit.logging.formatter import JsonLogFormatter, json_line

if TYPE_CHECKING:
    from fluxlit.config.settings import FluxlitSettings

LEVELS = "DEBUG|INFO|WARNING|ERROR|CRITICAL"
STREAMLIT_LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
"""Streamlit's ``logger.messageFormat`` in JSON mode: its lines parse with level and logger."""
# "2026-12-05 08:36:47.897 WARNING streamlit.x: text" (that format; Streamlit's own
# default has neither level nor logger)
_STREAMLIT_LINE = re.compile(
    rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? +(?:({LEVELS}) +([\w.]+): ?)?(.*)"
)
QUIET_LOGGERS = ("httpx", "httpcore")
"""Libraries logging every request at INFO; the gateway's access log says it once."""
# "INFO:     text" (Uvicorn's default format) and "WARNING:name:text" (basicConfig's)
_LEVEL_LINE = re.compile(rf"({LEVELS}):(?:([\w.]+):| +)(.*)")


def parse_text_line(line: str, stream: str) -> tuple[str, str, str]:
    """``(level, logger, message)`` of a plain text line written to ``stream``.

    Lines in Streamlit's, Uvicorn's or ``logging.basicConfig``'s default format keep
    their level and logger; any other line is INFO on stdout, WARNING on stderr, with
    the stream's name as its logger.
    """
    match = _STREAMLIT_LINE.fullmatch(line)
    if match:
        return match.group(1) or "INFO", match.group(2) or "streamlit", match.group(3)
    match = _LEVEL_LINE.fullmatch(line)
    if match:
        return match.group(1), match.group(2) or "uvicorn", match.group(3).strip()
    return ("INFO" if stream == "stdout" else "WARNING"), stream, line


def _is_json_record(line: str) -> bool:
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


class JsonLines(io.TextIOBase):
    """A text stream writing each line it receives to ``target`` as one JSON record."""

    def __init__(self, target: TextIO, name: str) -> None:
        self.target = target
        self.name = name
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            lines = (self._pending + text).split("\n")
            self._pending = lines.pop()
            for line in lines:
                self._emit(line.rstrip("\r"))
        return len(text)

    def _emit(self, line: str) -> None:
        if not line.strip():
            return
        if _is_json_record(line):
            self.target.write(line + "\n")
            return
        level, logger, message = parse_text_line(line, self.name)
        record = json_line(created=time.time(), level=level, logger=logger, message=message)
        self.target.write(record + "\n")

    def flush(self) -> None:
        self.target.flush()

    def close(self) -> None:
        """Write a last unterminated line, if any; the target stays open."""
        with self._lock:
            if self._pending:
                self._emit(self._pending)
                self._pending = ""
        self.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", "utf-8")


_installed: list[JsonLines] = []


def use_json_output(level: str = "info") -> None:
    """Switch this process to JSON lines (idempotent): records, streams and handlers."""
    if not _installed:
        _installed.extend([JsonLines(sys.stdout, "stdout"), JsonLines(sys.stderr, "stderr")])
        sys.stdout, sys.stderr = _installed
        for stream in _installed:  # a last line without a newline still comes out
            atexit.register(stream.close)
        logging.captureWarnings(True)
    out, err = _installed
    root = logging.getLogger()
    handler = logging.StreamHandler(err)
    handler.setFormatter(JsonLogFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())
    if root.level > logging.DEBUG:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    _adopt_handlers(out, err)


def _adopt_handlers(out: JsonLines, err: JsonLines) -> None:
    """Point stream handlers made before the switch (Streamlit's own) at the JSON lines.

    A logger left with two handlers writing there (Uvicorn's and the one Streamlit adds
    to Uvicorn's loggers) keeps the first, so each record comes out once.
    """
    raw = {id(out.target): out, id(err.target): err, id(sys.__stdout__): out}
    raw[id(sys.__stderr__)] = err
    loggers: list[Any] = [logging.getLogger()]
    loggers += [item for item in logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        ours = []
        for handler in list(getattr(logger, "handlers", ())):
            if not isinstance(handler, logging.StreamHandler):
                continue
            replacement = raw.get(id(handler.stream))
            if replacement is not None:
                handler.setStream(replacement)
            if handler.stream in (out, err):
                handler.setFormatter(JsonLogFormatter())
                ours.append(handler)
        for extra in ours[1:]:
            logger.removeHandler(extra)


def effective_log_format(settings: FluxlitSettings) -> str:
    """``json`` when ``log_format`` says so or the older ``json_logs`` is on, else ``text``."""
    return "json" if settings.json_logs else settings.log_format


def apply_log_format(settings: FluxlitSettings) -> None:
    """Apply ``settings``' log format to this process (text leaves logging alone)."""
    if effective_log_format(settings) == "json":
        use_json_output(settings.log_level)


def uvicorn_log_options(settings: FluxlitSettings) -> dict[str, Any]:
    """Uvicorn's ``log_config`` for ``settings``' log format.

    Text: Uvicorn's own config, except that ``uvicorn.error`` propagates to Uvicorn's
    handler even when Streamlit, configured first, turned propagation off. JSON:
    Uvicorn's loggers write ``JsonLogFormatter`` records. In every worker too (the
    config travels with Uvicorn's).
    """
    if effective_log_format(settings) != "json":
        from uvicorn.config import LOGGING_CONFIG

        text = copy.deepcopy(LOGGING_CONFIG)
        text["loggers"]["uvicorn.error"]["propagate"] = True
        return {"log_config": text}
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    # Each logger its own handler, none propagating: Streamlit may have set propagate
    # off on these loggers already, and a record must come out once.
    own = {"handlers": ["json"], "level": "INFO", "propagate": False}
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
    return {
        "log_config": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "fluxlit.logging.formatter.JsonLogFormatter"}},
            "handlers": {"json": handler},
            "loggers": {name: dict(own) for name in names},
        }
    }
