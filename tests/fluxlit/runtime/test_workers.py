"""`fluxlit run --workers N`: several gateway processes over one Streamlit child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from tests.helpers.cli import run_fluxlit
from tests.helpers.net import statuses_until_exit, wait_for_200, wait_until
from tests.helpers.servers import marked_processes, stop_process

APPS = Path(__file__).with_name("apps")
FLUXLIT_RUN = [sys.executable, "-m", "fluxlit.cli", "run", "slowapp:app"]


def _env(marker: str = "", **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(APPS), "FLUXLIT_TEST_MARKER": marker, **extra}
    env.pop("FLUXLIT_RUNTIME_MODE", None)  # auto: several workers pick the sidecar
    return env


@pytest.mark.parametrize(
    ("flags", "env"),
    [(["--mode", "inprocess"], {}), ([], {"FLUXLIT_RUNTIME_MODE": "inprocess"})],
)
def test_inprocess_refuses_several_workers(
    tmp_path: Path, flags: list[str], env: dict[str, str]
) -> None:
    result = run_fluxlit(
        tmp_path, "run", "slowapp:app", "--workers", "2", *flags, env={**_env(), **env}
    )
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--mode sidecar" in line and "separate Streamlit runtime" in line, line
    assert "uploads and media" in line, line


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    result = run_fluxlit(tmp_path, "run", "slowapp:app", "--workers", "0", env=_env())
    assert result.returncode == 2 and "--workers must be 1 or more" in result.stderr


def _start(tmp_path: Path, port: int, marker: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [*FLUXLIT_RUN, "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=_env(marker),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for_200(f"http://127.0.0.1:{port}/api/readyz", process=process, timeout=90)
    return process


def _roles(marker: str) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(Streamlit children, gateway workers) among the processes of this test."""
    procs = marked_processes(marker)
    lines = {proc.pid: " ".join(proc.cmdline()) for proc in procs}
    # ``streamlit run``, started through the log-format launcher
    streamlit = [p for p in procs if "fluxlit.logging.streamlit_child" in lines[p.pid]]
    workers = [p for p in procs if "multiprocessing.spawn" in lines[p.pid]]
    return streamlit, workers


@pytest.mark.slow
def test_two_workers_share_one_streamlit_and_stop_together(
    tmp_path: Path, unused_port: int
) -> None:
    marker = uuid.uuid4().hex
    process = _start(tmp_path, unused_port, marker)
    base = f"http://127.0.0.1:{unused_port}"
    try:
        streamlit, workers = _roles(marker)
        assert len(streamlit) == 1 and len(workers) == 2, (streamlit, workers)
        assert all(w.ppid() == process.pid for w in [*streamlit, *workers])
        assert httpx.get(base + "/api/slow?seconds=0").json() == {"slept": 0.0}
        page = httpx.get(base + "/")
        assert page.status_code == 200 and 'id="root"' in page.text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        stop_process(process)
    output = process.stdout.read() if process.stdout else ""
    assert "FluxLit (sidecar)" in output, output
    wait_until(lambda: not marked_processes(marker), "no orphan process", timeout=10, interval=0.1)
    assert not (tmp_path / ".fluxlit.pid").exists()


@pytest.mark.slow
def test_dead_streamlit_child_makes_workers_not_ready_and_exit(
    tmp_path: Path, unused_port: int
) -> None:
    marker = uuid.uuid4().hex
    process = _start(tmp_path, unused_port, marker)
    try:
        (child,), _ = _roles(marker)
        child.kill()
        statuses = statuses_until_exit(f"http://127.0.0.1:{unused_port}/api/readyz", process)
        assert process.wait(timeout=20) == 3, "a dead child ends every worker with exit code 3"
        assert 503 in statuses, statuses
    finally:
        stop_process(process)
    wait_until(lambda: not marked_processes(marker), "no orphan process", timeout=10, interval=0.1)
