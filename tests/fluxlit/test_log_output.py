"""JSON output: plain lines become records, records pass through, known formats parse."""

from __future__ import annotations

import io
import json
import logging

from fluxlit.logging.formatter import JsonLogFormatter
from fluxlit.logging.output import JsonLines, parse_text_line
from fluxlit.tracing import reset_trace_hook, set_trace_hook, trace_span

SHAPE = {"ts", "level", "logger", "message", "request_id", "trace_id"}
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_plain_lines_become_records_and_records_pass_through() -> None:
    target = io.StringIO()
    lines = JsonLines(target, "stderr")
    lines.write('{"level": "INFO", "message": "already json"}\nhalf a ')
    lines.write("line\n2026-12-05 08:36:47.897 ERROR streamlit.x: broken\n\n")
    lines.write("no newline yet")
    lines.close()
    records = [json.loads(line) for line in target.getvalue().splitlines()]
    assert records[0] == {"level": "INFO", "message": "already json"}
    assert [(r["level"], r["logger"], r["message"]) for r in records[1:]] == [
        ("WARNING", "stderr", "half a line"),
        ("ERROR", "streamlit.x", "broken"),
        ("WARNING", "stderr", "no newline yet"),
    ]
    assert all(set(r) >= SHAPE for r in records[1:])


def test_known_text_formats_keep_level_and_logger() -> None:
    assert parse_text_line("INFO:     Started server process", "stderr") == (
        "INFO",
        "uvicorn",
        "Started server process",
    )
    assert parse_text_line("WARNING:app.db:slow query", "stderr") == (
        "WARNING",
        "app.db",
        "slow query",
    )
    assert parse_text_line("hello", "stdout") == ("INFO", "stdout", "hello")


def test_records_carry_the_trace_id_of_the_open_span() -> None:
    import contextlib

    @contextlib.contextmanager
    def hook(name, attributes):  # type: ignore[no-untyped-def]
        class Span:
            traceparent = f"00-{TRACE}-00f067aa0ba902b7-01"

        yield Span()

    record = logging.LogRecord("app", logging.INFO, __file__, 1, "inside", (), None)
    formatter = JsonLogFormatter()
    token = set_trace_hook(hook)
    try:
        with trace_span("fluxlit.page.run", {}):
            inside = json.loads(formatter.format(record))
    finally:
        reset_trace_hook(token)
    outside = json.loads(formatter.format(record))
    assert (inside["trace_id"], outside["trace_id"]) == (TRACE, None)
    assert set(outside) >= SHAPE


SCRIPT = """
import logging, sys, warnings
early = logging.getLogger("early")
early.addHandler(logging.StreamHandler())  # made before the switch, like Streamlit's
early.propagate = False
from fluxlit.logging.output import use_json_output
use_json_output("info")
print("printed")
early.error("from an early handler")
logging.getLogger("late").info("from a late logger")
warnings.warn("careful")
raise SystemExit(sys.stderr.write("no newline at the end") and 3)
"""


def test_a_process_in_json_mode_writes_nothing_else() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert done.returncode == 3
    lines = (done.stdout + done.stderr).splitlines()
    records = [json.loads(line) for line in lines]
    assert all(set(r) >= SHAPE for r in records)
    seen = [(r["level"], r["logger"], r["message"]) for r in records]
    assert ("INFO", "stdout", "printed") in seen
    assert ("ERROR", "early", "from an early handler") in seen
    assert ("INFO", "late", "from a late logger") in seen
    assert any(logger == "py.warnings" and "careful" in m for _, logger, m in seen)
    assert ("WARNING", "stderr", "no newline at the end") in seen
