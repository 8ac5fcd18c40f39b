"""Servers for tests: an ASGI app in a uvicorn thread, ``streamlit run`` and ``redis-server``
children, and stopping a child."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import uvicorn

from tests.helpers.ci import require_module, require_program
from tests.helpers.net import free_port, wait_for_200, wait_until


class ThreadServer:
    """uvicorn serving an ASGI app on loopback from a background thread."""

    def __init__(self, app: Callable[..., object], port: int | None = None) -> None:
        port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> ThreadServer:
        self.thread.start()
        wait_until(lambda: self.server.started, f"uvicorn on {self.url}", timeout=10, interval=0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def serve_app(app: Callable[..., object]) -> Iterator[ThreadServer]:
    """Serve ``app`` on a free loopback port for the ``with`` block."""
    server = ThreadServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def stop_process(process: subprocess.Popen[Any], timeout: float = 20) -> int:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; return the exit code."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def marked_processes(marker: str) -> list[psutil.Process]:
    """Every live process carrying ``FLUXLIT_TEST_MARKER=marker`` in its environment."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("FLUXLIT_TEST_MARKER") == marker and proc.status() != "zombie":
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@contextmanager
def streamlit_run(script: Path, *, timeout: float = 60) -> Iterator[str]:
    """A real ``streamlit run SCRIPT`` child on a free port; yield its base URL once healthy.

    Its output goes to ``streamlit.log`` next to the script, quoted when it does not start.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
    ]
    log = script.with_name("streamlit.log")
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=script.parent, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_200(url + "/_stcore/health", process=process, timeout=timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{log.read_text(errors='replace')[-4000:]}") from None
        yield url
    finally:
        stop_process(process, timeout=10)


@contextmanager
def redis_server(workdir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private ``redis-server`` (no persistence) on a free port: yield its URL and process.

    Skipped locally, failed in CI, when Redis or the ``redis`` package is missing.
    """
    binary = require_program("redis-server")
    redis = require_module("redis", extra="redis")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_until(
            lambda: redis.Redis.from_url(url).ping(),
            "redis-server",
            timeout=10,
            interval=0.05,
            process=process,
            errors=(redis.ConnectionError,),
        )
        yield url, process
    finally:
        stop_process(process, timeout=10)
