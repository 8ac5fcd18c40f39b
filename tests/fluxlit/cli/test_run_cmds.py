"""`fluxlit doctor|config|dev` and `uvicorn app:app` on a FluxLit object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from tests.helpers.cli import FLUXLIT
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

APP = (
    "from fluxlit import FluxLit\n"
    "app = FluxLit(title='Doc', import_target='docapp:app')\n"
    "@app.page('/')\n"
    "def home(st, client):\n    st.write('home')\n"
    "@app.page('/bad')\n"
    "def bad(st):\n    pass\n"
    "@app.api.get('/ping')\n"
    "def ping():\n    return 'pong'\n"
)


@pytest.fixture
def project(clean_fluxlit_env: Path) -> Path:
    (clean_fluxlit_env / "docapp.py").write_text(APP)
    sys.modules.pop("docapp", None)
    return clean_fluxlit_env


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_doctor_checks_and_json(project: Path) -> None:
    code, out = run("doctor", "docapp:app")
    assert code == 0, out
    assert "PASS  st.App" in out and "PASS  runtime mode: inprocess" in out
    assert "PASS  app: docapp:app\n" in out
    verbose = run("doctor", "docapp:app", "--verbose")[1]
    assert "PASS  app: docapp:app: 2 page(s), 1 route(s)" in verbose
    code, out = run("doctor", "docapp:app", "--json")
    names = {check["name"]: check["status"] for check in json.loads(out)}
    assert names["python"] == "PASS" and names["app"] == "PASS"


def test_doctor_fails_on_bad_pages_and_missing_target(project: Path) -> None:
    code, out = run("doctor", "docapp:app", "--check-pages")
    assert code == 1 and "FAIL  page /bad: " in out and "must accept (st, client)" in out
    assert run("doctor", "docapp:app", "--check-pages", "--warnings-only")[0] == 0
    code, out = run("doctor", "nothere:app")
    assert code == 1 and "FAIL  app: cannot load the app 'nothere:app'" in out


def test_doctor_strict_turns_warnings_into_failures(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_RUNTIME_MOD", "sidecar")
    code, out = run("doctor", "docapp:app")
    assert code == 0 and "FLUXLIT_RUNTIME_MOD is not a FluxLit setting" in out
    assert "did you mean FLUXLIT_RUNTIME_MODE?" in out
    assert run("doctor", "docapp:app", "--strict")[0] == 1


def test_config_redacts_and_resolves(project: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_JWT_HS256_SECRET", "super-secret-value-that-is-long-enough")
    monkeypatch.setenv("FLUXLIT_RUNTIME_MODE", "sidecar")
    (project / "fluxlit.toml").write_text('target = "docapp:app"\ngateway_port = 9123\n')
    code, out = run("config", "--json")
    data = json.loads(out)
    assert code == 0 and data["target"] == "docapp:app" and data["port"] == 9123
    assert data["runtime_mode"] == "sidecar"
    assert data["internal_api_base"] == "http://127.0.0.1:9123/api"
    assert data["settings"]["jwt_hs256_secret"] == "<redacted>"
    assert "super-secret" not in out
    code, out = run("config")
    assert "runtime_mode: sidecar" in out and "super-secret" not in out
    monkeypatch.setenv("FLUXLIT_JWT_ISSUER", "only-issuer")
    sys.modules.pop("docapp")  # a new command imports the app again, as a new process would
    assert run("config", "--strict")[0] == 1


def _serve_and_get(command: list[str], cwd: Path, path: str) -> httpx.Response:
    env = {**os.environ, "FLUXLIT_NO_PIDFILE": "1"}
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        return wait_for_200(path, process=process)
    finally:
        stop_process(process, timeout=30)


@pytest.mark.slow
def test_plain_uvicorn_serves_a_fluxlit_object(project: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "docapp:app", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    assert _serve_and_get(command, project, base + "/api/ping").json() == "pong"
    page = _serve_and_get(command, project, base + "/")
    assert '<div id="root">' in page.text


@pytest.mark.slow
def test_dev_serves_with_reload(project: Path) -> None:
    port = free_port()
    response = _serve_and_get(
        [FLUXLIT, "dev", "docapp:app", "--port", str(port)],
        project,
        f"http://127.0.0.1:{port}/api/readyz",
    )
    assert response.json()["status"] == "ready"


def test_shutdown_without_a_pid_file_exits_2(project: Path) -> None:
    result = CliRunner().invoke(cli, ["shutdown", "--pidfile", str(project / "none.pid")])
    assert result.exit_code == 2
    assert "no PID file" in result.output and "Traceback" not in result.output
    assert run("shutdown")[0] == 2, "the default PID file in this folder is missing too"


def test_python_dash_m_fluxlit_runs_the_cli(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fluxlit", "pages", "manifest", "--target", "docapp:app"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"] == "Doc"
    usage = subprocess.run(
        [sys.executable, "-m", "fluxlit", "--help"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 0 and "shutdown" in usage.stdout
