"""A real Prometheus scrapes a real ``fluxlit run`` after known traffic, in both modes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.ci import require_program
from tests.helpers.net import free_port, wait_for_200, wait_until
from tests.helpers.servers import stop_process

pytestmark = [pytest.mark.live, pytest.mark.slow, pytest.mark.e2e]
APP_ERROR = "This app has encountered an error"  # `fluxlit run` hides the details
APPS = Path(__file__).parent.parent / "apps"
TOKEN = "scrape-token"
PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: fluxlit
    metrics_path: /__fluxlit/metrics
    authorization:
      credentials: {token}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


def _start(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """``fluxlit run observed:app`` with metrics on, in the mode of the test's parameter."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_RUNTIME_MODE": request.param,
        "FLUXLIT_METRICS_ENABLED": "true",
        "FLUXLIT_METRICS_TOKEN": TOKEN,
        "FLUXLIT_MAX_REQUEST_BODY_BYTES": "64",
        "FLUXLIT_MAX_REQUEST_HEADER_BYTES": "4096",
        "FLUXLIT_NO_PIDFILE": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # never share this test process's folder
    command = [sys.executable, "-m", "fluxlit.cli", "run", "observed:app", "--port", str(port)]
    process = _start(command, tmp_path, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/api/readyz", process=process)
        yield base
    finally:
        stop_process(process)


def _query(prometheus: str, expression: str) -> float | None:
    """The single value of an instant query, or ``None`` while there is none."""
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=2)
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


@pytest.mark.parametrize("server", ["inprocess", "sidecar"], indirect=True)
def test_prometheus_sees_the_series_and_values_of_known_traffic(
    server: str, tmp_path: Path, browser: Any
) -> None:
    binary = require_program("prometheus", "/usr/bin/prometheus")
    for item_id in range(5):
        assert httpx.get(f"{server}/api/items/{item_id}").status_code == 200
    assert httpx.post(f"{server}/api/echo", json={"a": 1}).status_code == 200
    assert httpx.post(f"{server}/api/echo", json={"a": "x" * 100}).status_code == 413
    big_head = httpx.get(f"{server}/api/items/1", headers={"x-big": "a" * 8000})
    assert big_head.status_code == 431, "refused by Uvicorn's protocol, before any app"
    many = {f"x-h{n}": "1" for n in range(150)}
    assert httpx.get(f"{server}/api/items/1", headers=many).status_code == 431, "by the gateway"
    denied = httpx.get(f"{server}/__fluxlit/metrics")
    assert denied.status_code == 401, "the token is required"

    context = browser.new_context()
    home, boom = context.new_page(), context.new_page()
    home.goto(server + "/", wait_until="domcontentloaded")
    home.get_by_text("item 7").wait_for(timeout=60_000)
    boom.goto(server + "/boom", wait_until="domcontentloaded")
    boom.get_by_text(APP_ERROR).first.wait_for(timeout=60_000)

    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(PROMETHEUS_CONFIG.format(token=TOKEN, port=server.rsplit(":", 1)[1]))
    prometheus = _start(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        tmp_path,
        dict(os.environ),
    )
    api = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(api + "/-/ready", process=prometheus)
        wait_until(lambda: _query(api, 'up{job="fluxlit"}') == 1, "a successful scrape")

        def settled(expression: str, expected: float) -> bool:
            return _query(api, expression) == expected

        home_runs = wait_until(
            lambda: _query(api, 'sum(fluxlit_script_runs_total{page="/"})'), "home page runs"
        )
        items = 'sum(fluxlit_http_requests_total{side="api",route="/items/{item_id}",status="200"})'
        wait_until(lambda: settled(items, 5 + home_runs), "5 calls + one per home page run")
        boom_runs = wait_until(
            lambda: _query(api, 'sum(fluxlit_script_runs_total{page="/boom"})'), "boom runs"
        )
        failures = 'sum(fluxlit_script_exceptions_total{page="/boom"})'
        wait_until(lambda: settled(failures, boom_runs), "every boom run failed")
        assert _query(api, 'sum(fluxlit_script_exceptions_total{page="/"})') in (None, 0)
        echo = 'sum(fluxlit_http_requests_total{side="api",route="/echo",status="200"})'
        wait_until(lambda: settled(echo, 1), "one accepted echo")
        refusals = 'sum(fluxlit_gateway_refusals_total{reason="body_limit"})'
        wait_until(lambda: settled(refusals, 1), "one body-limit refusal")
        headers = 'sum(fluxlit_gateway_refusals_total{reason="header_limit"})'
        wait_until(lambda: settled(headers, 2), "two header-limit refusals")
        open_sessions = 'sum(fluxlit_websocket_sessions_open{side="ui"})'
        wait_until(lambda: settled(open_sessions, 2), "both pages' sessions open")
        duration = (
            'sum(fluxlit_http_request_duration_seconds_count{side="api",route="/items/{item_id}"})'
        )
        assert _query(api, duration) == 5 + home_runs
        raw = _query(api, 'count(fluxlit_http_requests_total{route="/items/3"})')
        assert raw is None, "raw paths never become a label"
    finally:
        context.close()
        stop_process(prometheus)
