"""A manifest app turns metrics on in ``[settings]``, on a port of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

pytestmark = pytest.mark.slow
MANIFEST = """\
title = "Metered"

[settings]
metrics_enabled = true
metrics_port = {metrics_port}

[[routes]]
path = "/hello/{{name}}"
handler = "handlers:hello"

[[pages]]
path = "/"
title = "Home"
handler = "handlers:home"
"""
HANDLERS = """\
def hello(name: str) -> dict[str, str]:
    return {"hello": name}


def home(st, client) -> None:
    st.write("home")
"""


def test_manifest_settings_enable_metrics_on_their_own_port(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    (tmp_path / "fluxlit.toml").write_text(MANIFEST.format(metrics_port=metrics_port))
    (tmp_path / "handlers.py").write_text(HANDLERS)
    env = {**os.environ, "FLUXLIT_NO_PIDFILE": "1", "FLUXLIT_RUNTIME_MODE": "inprocess"}
    for name in [k for k in env if k.startswith("FLUXLIT_METRICS") or k.startswith("PROMETHEUS")]:
        del env[name]
    process = subprocess.Popen(
        [sys.executable, "-m", "fluxlit.cli", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/api/readyz", process=process)
        for name in ("ada", "bob", "cy"):
            assert httpx.get(f"{base}/api/hello/{name}").json() == {"hello": name}
        scrape = wait_for_200(f"http://127.0.0.1:{metrics_port}/metrics", process=process).text
        counted = {
            (s.labels["route"], s.labels["status"]): s.value
            for family in text_string_to_metric_families(scrape)
            for s in family.samples
            if s.name == "fluxlit_http_requests_total" and s.labels["side"] == "api"
        }
        assert counted[("/hello/{name}", "200")] == 3
        public = httpx.get(base + "/__fluxlit/metrics").text
        assert "fluxlit_http_requests_total" not in public, "only on the metrics port"
    finally:
        stop_process(process)
