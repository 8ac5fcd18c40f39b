"""Several gateway workers share one metrics folder: any scrape sums them all."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers.net import free_port, wait_for_200
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


@contextmanager
def serving(command: list[str], cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """Run ``command`` (a server on ``--port``) until the block ends; yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(base + "/api/readyz", process=process)
        yield base
    finally:
        stop_process(process)


def load_then_scrape(base: str) -> list[float]:
    """Send ``REQUESTS`` API calls, then scrape six times; the templated route's totals."""
    # Concurrent new connections, so the kernel hands them to both workers.
    with ThreadPoolExecutor(8) as pool:
        codes = list(
            pool.map(lambda i: httpx.get(f"{base}/api/items/{i}").status_code, range(REQUESTS))
        )
    assert codes == [200] * REQUESTS
    return [_items_total(httpx.get(base + "/__fluxlit/metrics").text) for _ in range(6)]


def test_two_workers_one_folder_every_scrape_counts_both(tmp_path: Path) -> None:
    folder = tmp_path / "prom"
    folder.mkdir()
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
        *("--workers", "2", "--log-level", "warning"),
    ]
    with serving(command, tmp_path, env) as base:
        totals = load_then_scrape(base)
        pids = {p.name.rsplit("_", 1)[1] for p in folder.glob("counter_*.db")}
    assert len(pids) >= 2, "both workers recorded requests"
    assert totals == [REQUESTS] * 6


def test_fluxlit_run_workers_share_a_folder_without_being_told(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_METRICS_ENABLED": "true",
        "FLUXLIT_NO_PIDFILE": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [
        *(sys.executable, "-m", "fluxlit.cli", "run", "observed:app"),
        *("--workers", "2", "--mode", "sidecar"),
    ]
    with serving(command, tmp_path, env) as base:
        assert load_then_scrape(base) == [REQUESTS] * 6
