"""``log_format = "json"``: every line of a real run parses, in one shape, in both modes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.ci import require_module
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

APPS = Path(__file__).with_name("apps")
SHAPE = {"ts", "level", "logger", "message", "request_id", "trace_id"}
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
APP_ERROR = "This app has encountered an error"  # `fluxlit run` hides the details


def _records(raw: bytes, where: str) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(raw.decode().splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise AssertionError(f"{where} line {number} is not JSON: {line!r}") from None
        assert isinstance(record, dict) and set(record) >= SHAPE, f"{where}:{number} {line}"
        records.append(record)
    return records


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize(("mode", "workers"), [("inprocess", 1), ("sidecar", 1), ("sidecar", 2)])
def test_every_line_of_a_run_is_one_json_record(
    tmp_path: Path, mode: str, workers: int, browser: Any
) -> None:
    require_module("opentelemetry.sdk", extra="otel")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_RUNTIME_MODE": mode,
        "FLUXLIT_TRACING_ENABLED": "true",
        "FLUXLIT_ENABLE_GATEWAY_ACCESS_LOG": "true",
        "FLUXLIT_ENABLE_REQUEST_LOGGING": "true",
        "FLUXLIT_NO_PIDFILE": "1",
    }
    command = [sys.executable, "-m", "fluxlit.cli", "run", "observed:app", "--port", str(port)]
    command += ["--workers", str(workers)]
    if mode == "inprocess":
        command += ["--log-format", "json"]  # the flag here, the setting in the sidecar case
    else:
        env["FLUXLIT_LOG_FORMAT"] = "json"
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=err)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_200(base + "/api/readyz", process=process)
            headers = {"x-request-id": "rid-json", "traceparent": f"00-{TRACE}-00f067aa0ba902b7-01"}
            assert httpx.get(base + "/api/items/1", headers=headers).status_code == 200
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/", wait_until="domcontentloaded")
            page.get_by_text("item 7").wait_for(timeout=60_000)
            page.goto(base + "/boom", wait_until="domcontentloaded")
            page.get_by_text(APP_ERROR).first.wait_for(timeout=60_000)
            context.close()
        finally:
            stop_process(process)
    records = _records(stdout.read_bytes(), "stdout") + _records(stderr.read_bytes(), "stderr")
    messages = {(r["logger"], r["message"]) for r in records}
    assert any(m.startswith(f"FluxLit ({mode})") for _, m in messages), "the banner"
    once = [r["message"] for r in records if r["message"].startswith("Started server process")]
    assert len(once) == workers == len(set(once)), "each worker's start, once"
    assert any(lg == "uvicorn.error" and "Uvicorn running" in m for lg, m in messages)
    assert ("stdout", "home page ran") in messages, "a page's print"
    assert ("observed", "a warning from the page") in messages, "a page's log record"
    assert any(lg == "py.warnings" and "Python warning" in m for lg, m in messages)
    failure = [r for r in records if "boom on purpose" in r["message"] + r.get("exc_info", "")]
    assert failure, "the page's exception, redacted in the browser, is in the log"
    tagged = [r for r in records if r["request_id"] == "rid-json"]
    assert {r["logger"] for r in tagged} >= {"fluxlit.gateway.access", "fluxlit.api.access"}
    assert all(r["trace_id"] == TRACE for r in tagged), "the client's trace continues"
    if mode == "sidecar":
        child = [m for lg, m in messages if lg.startswith("streamlit.") and "server started" in m]
        assert child, "the Streamlit child's own start line, level and logger kept"


def test_a_bad_log_format_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fluxlit.cli", "run", "observed:app", "--log-format", "xml"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(APPS)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith("--log-format: expected text or json, got 'xml'")
    )
