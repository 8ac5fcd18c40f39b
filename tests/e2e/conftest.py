"""Start `fluxlit run` for the browser tests and drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.net import wait_for_200
from tests.helpers.servers import stop_process

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
    try:
        wait_for_200(f"{base}/api/readyz", process=process)
    except AssertionError:
        stop_process(process)
        raise
    return RunningApp(process, base)


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
        stop_process(app.process)
