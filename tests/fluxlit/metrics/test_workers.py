"""Several gateway workers share one metrics folder: any scrape sums them all."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.net import free_port, wait_for_200, wait_until
from tests.helpers.servers import stop_process

pytestmark = pytest.mark.slow
APPS = Path(__file__).parent.parent / "apps"
REQUESTS = 40


def _items_total(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "fluxlit_http_requests_total"
        and sample.labels.get("route") == "/items/{item_id}"
    )


def test_two_workers_one_folder_every_scrape_counts_both(tmp_path: Path) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_APP": "observed:app",
        "FLUXLIT_RUNTIME_MODE": "inprocess",
        "FLUXLIT_METRICS_ENABLED": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "fluxlit.runtime.serve:create_unified_app"),
        *("--workers", "2", "--port", str(port), "--log-level", "warning"),
    ]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/api/readyz", process=process)
        # Concurrent new connections, so the kernel hands them to both workers.
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(lambda i: httpx.get(f"{base}/api/items/{i}").status_code, range(REQUESTS))
            )
        assert codes == [200] * REQUESTS
        writers = wait_until(
            lambda: (
                len({p.name.rsplit("_", 1)[1] for p in folder.glob("counter_*.db")}) >= 2 or None
            ),
            "both workers to record requests",
            timeout=10,
        )
        assert writers
        scrapes = [httpx.get(base + "/__fluxlit/metrics").text for _ in range(6)]
        assert [_items_total(text) for text in scrapes] == [REQUESTS] * 6
    finally:
        stop_process(process)


def test_fluxlit_run_workers_share_a_folder_without_being_told(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_METRICS_ENABLED": "true",
        "FLUXLIT_NO_PIDFILE": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [
        *(sys.executable, "-m", "fluxlit.cli", "run", "observed:app"),
        *("--workers", "2", "--mode", "sidecar", "--port", str(port)),
    ]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/api/readyz", process=process)
        with ThreadPoolExecutor(8) as pool:
            codes = list(
                pool.map(lambda i: httpx.get(f"{base}/api/items/{i}").status_code, range(REQUESTS))
            )
        assert codes == [200] * REQUESTS
        scrapes = [httpx.get(base + "/__fluxlit/metrics").text for _ in range(6)]
        assert [_items_total(text) for text in scrapes] == [REQUESTS] * 6
    finally:
        stop_process(process)
