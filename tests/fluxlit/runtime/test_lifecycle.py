"""`fluxlit run` end to end: SIGTERM under load leaves no process and no PID file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from tests.helpers.cli import FLUXLIT
from tests.helpers.net import statuses_until_exit, wait_for_200, wait_until
from tests.helpers.servers import marked_processes, stop_process

pytestmark = pytest.mark.slow
APPS = Path(__file__).with_name("apps")


def start(tmp_path: Path, port: int, mode: str, marker: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(APPS),
        "FLUXLIT_RUNTIME_MODE": mode,
        "FLUXLIT_TEST_MARKER": marker,
        "FLUXLIT_SHUTDOWN_GRACE_S": "10",
    }
    env.pop("FLUXLIT_NO_PIDFILE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "fluxlit.cli", "run", "slowapp:app", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_200(f"http://127.0.0.1:{port}/api/readyz", process=process)
    except AssertionError:
        process.kill()
        raise
    return process


@pytest.mark.parametrize("mode", ["inprocess", "sidecar"])
def test_sigterm_under_load_drains_and_leaves_nothing(
    tmp_path: Path, unused_port: int, mode: str
) -> None:
    marker = uuid.uuid4().hex
    process = start(tmp_path, unused_port, mode, marker)
    pidfile = tmp_path / ".fluxlit.pid"
    assert pidfile.read_text().strip() == str(process.pid)
    expected = 2 if mode == "sidecar" else 1
    assert len(marked_processes(marker)) >= expected

    results: list[int] = []

    def call() -> None:
        url = f"http://127.0.0.1:{unused_port}/api/slow?seconds=1.5"
        results.append(httpx.get(url, timeout=30).status_code)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=30)
    assert process.wait(timeout=30) == 0
    assert results == [200, 200, 200, 200], "in-flight requests finish before exit"
    wait_until(lambda: not marked_processes(marker), "no orphan process", timeout=10, interval=0.1)
    assert not pidfile.exists()


def test_dead_sidecar_makes_gateway_not_ready_and_exit(tmp_path: Path, unused_port: int) -> None:
    marker = uuid.uuid4().hex
    process = start(tmp_path, unused_port, "sidecar", marker)
    (child,) = [
        p for p in psutil.Process(process.pid).children() if "streamlit" in " ".join(p.cmdline())
    ]
    child.kill()
    statuses = statuses_until_exit(f"http://127.0.0.1:{unused_port}/api/readyz", process)
    assert process.wait(timeout=20) == 3, "a dead sidecar ends the gateway with exit code 3"
    assert 503 in statuses, statuses
    assert marked_processes(marker) == []
    assert not (tmp_path / ".fluxlit.pid").exists()


def test_app_is_imported_from_the_working_directory(tmp_path: Path, unused_port: int) -> None:
    (tmp_path / "here.py").write_text(
        "from fluxlit import FluxLit\napp = FluxLit(import_target='here:app')\n"
        "@app.api.get('/where')\ndef where():\n    return 'here'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["FLUXLIT_NO_PIDFILE"] = "1"
    process = subprocess.Popen(
        [FLUXLIT, "run", "here:app", "--port", str(unused_port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = wait_for_200(f"http://127.0.0.1:{unused_port}/api/where", process=process)
        assert response.json() == "here"
    finally:
        stop_process(process, timeout=30)
