"""`fluxlit dev` reloads (both scopes), `fluxlit shutdown` and `fluxlit workbench`, for real."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.cli import FLUXLIT, run_fluxlit
from tests.helpers.net import wait_for_200, wait_until

pytestmark = pytest.mark.slow
APP = """\
import uuid

from fastapi import Request

from fluxlit import FluxLit

app = FluxLit(title="Serve", import_target="serveapp:app")
BOOT = uuid.uuid4().hex


@app.page("/")
def home(st, client):
    st.write("home")


@app.api.get("/ping")
def ping() -> str:
    return "pong"


@app.api.get("/boot")
def boot() -> str:
    return BOOT


@app.api.get("/where")
def where(request: Request) -> str:
    return app.urls.api_base(request)
"""


@pytest.fixture
def project(clean_fluxlit_env: Path) -> Path:
    (clean_fluxlit_env / "serveapp.py").write_text(APP)
    return clean_fluxlit_env


@contextmanager
def serving(
    args: list[str], cwd: Path, port: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``fluxlit ARGS --port PORT`` until /api/readyz answers; stop it afterwards."""
    process = subprocess.Popen(
        [FLUXLIT, *args, "--port", str(port)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        ready = f"http://127.0.0.1:{port}{(env or {}).get('FLUXLIT_ROOT_PATH', '')}/api/readyz"
        wait_for_200(ready, process=process)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)


def get(port: int, path: str, **kwargs: object) -> str:
    response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5, **kwargs)  # type: ignore[arg-type]
    response.raise_for_status()
    return str(response.json())


def test_dev_reloads_python_changes_and_full_scope_also_other_files(
    project: Path, unused_port: int
) -> None:
    env = {"FLUXLIT_NO_PIDFILE": "1"}
    with serving(["dev", "serveapp:app"], project, unused_port, env):
        assert get(unused_port, "/api/ping") == "pong"
        (project / "serveapp.py").write_text(APP.replace('return "pong"', 'return "pong 2"'))
        wait_until(lambda: get(unused_port, "/api/ping") == "pong 2", "the code change")
        boot = get(unused_port, "/api/boot")
        (project / "notes.md").write_text("not Python\n")
        time.sleep(3)
        assert get(unused_port, "/api/boot") == boot, "the gateway scope ignores .md files"
    with serving(["dev", "serveapp:app", "--reload-scope", "full"], project, unused_port, env):
        boot = get(unused_port, "/api/boot")
        (project / "notes.md").write_text("changed\n")
        wait_until(lambda: get(unused_port, "/api/boot") != boot, "a restart after the .md change")
        assert get(unused_port, "/api/ping") == "pong 2"


def test_shutdown_stops_the_server_named_by_its_pid_file(project: Path, unused_port: int) -> None:
    pidfile = project / "run.pid"
    with serving(
        ["run", "serveapp:app", "--pidfile", str(pidfile)], project, unused_port
    ) as process:
        assert pidfile.read_text().strip() == str(process.pid)
        result = run_fluxlit(project, "shutdown", "--pidfile", str(pidfile))
        assert result.returncode == 0 and "stopped" in result.stdout
        assert process.wait(timeout=30) == 0
        assert not pidfile.exists()
    again = run_fluxlit(project, "shutdown", "--pidfile", str(pidfile))
    assert again.returncode == 2 and "no PID file" in again.stderr


def test_workbench_trusts_forwarded_headers_and_run_does_not(
    project: Path, unused_port: int
) -> None:
    env = {"FLUXLIT_NO_PIDFILE": "1", "FLUXLIT_ROOT_PATH": "/apps/demo"}
    forwarded = {"X-Forwarded-Proto": "https"}
    with serving(["workbench", "serveapp:app"], project, unused_port, env):
        where = get(unused_port, "/apps/demo/api/where", headers=forwarded)
        assert where == f"https://127.0.0.1:{unused_port}/apps/demo/api"
        assert get(unused_port, "/api/where") == where.replace("https", "http"), "either style"
    with serving(["run", "serveapp:app"], project, unused_port, env):
        where = get(unused_port, "/apps/demo/api/where", headers=forwarded)
        assert where == f"http://127.0.0.1:{unused_port}/apps/demo/api", "no proxy headers"
