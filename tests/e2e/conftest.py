"""Start `fluxlit run` for the browser tests and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

APP_DIR = Path(__file__).with_name("app")


@dataclass
class RunningApp:
    """A `fluxlit run` process and the public URL of its UI."""

    process: subprocess.Popen[bytes]
    base_url: str


def start_fluxlit(port: int, *, mode: str, root_path: str = "") -> RunningApp:
    """Run the e2e app with `fluxlit run` and wait until /api/readyz answers 200."""
    env = {
        **os.environ,
        "FLUXLIT_RUNTIME_MODE": mode,
        "FLUXLIT_ROOT_PATH": root_path,
        "FLUXLIT_NO_PIDFILE": "1",
        "PYTHONPATH": str(APP_DIR),
    }
    command = [sys.executable, "-m", "fluxlit.cli", "run", "app:app", "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=APP_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}{root_path}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"fluxlit run exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/api/readyz", timeout=1).status_code == 200:
                return RunningApp(process, base)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("fluxlit run did not become ready within 60 s")


def stop_fluxlit(app: RunningApp) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    app.process.terminate()
    try:
        app.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        app.process.kill()
        app.process.wait()


@pytest.fixture
def launch_fluxlit(unused_port: int) -> Iterator[object]:
    """Factory fixture: ``launch_fluxlit(mode, root_path)`` starts the app; stopped after."""
    started: list[RunningApp] = []

    def launch(mode: str, root_path: str = "") -> RunningApp:
        app = start_fluxlit(unused_port, mode=mode, root_path=root_path)
        started.append(app)
        return app

    yield launch
    for app in started:
        stop_fluxlit(app)
