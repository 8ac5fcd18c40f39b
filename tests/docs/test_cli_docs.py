"""Every command docs/cli.md, docs/running.md and docs/gateway.md show, run for real.

Inline commands (`fluxlit ...`, `uvicorn ...`) run with their placeholders filled in,
optional parts included; ```bash blocks run as scripts. Serving commands run until
the API answers on a free port, then stop.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.net import free_port

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ("cli.md", "running.md", "gateway.md")
BIN = Path(sys.executable).parent
PLACEHOLDERS = {
    "module:attr": "app:app",
    "NAME:TAG": "demo:1.0",
    "NAME": "demo",
    "N": "2",
    "--profile P": "--profile minimal",
    "DIR": "out",
    "PATH": "/legacy",
    "COMMAND": "doctor",
}
SERVING = re.compile(r"^(fluxlit (run|dev|workbench)\b|uvicorn\b)|&& fluxlit run")


def inline_commands() -> list[str]:
    found: list[str] = []
    for page in PAGES:
        for command in re.findall(r"`((?:fluxlit|uvicorn) [^`]*)`", (DOCS / page).read_text()):
            if command not in found:
                found.append(command)
    return found


def bash_blocks() -> list[str]:
    text = "\n".join((DOCS / page).read_text() for page in PAGES)
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def concrete(command: str) -> str:
    """The documented form with optional parts kept and placeholders filled in."""
    command = command.replace("[", "").replace("]", "")
    for placeholder, value in PLACEHOLDERS.items():
        command = re.sub(rf"(?<![\w:-]){re.escape(placeholder)}(?![\w:])", value, command)
    return command


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("docs")
    made = {}
    for profile in ("minimal", "manifest"):
        subprocess.run(
            [BIN / "fluxlit", "new", profile, "--profile", profile], cwd=base, check=True
        )
        made[profile] = base / profile
    return made


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    return {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}


def fresh(projects: dict[str, Path], profile: str, tmp_path: Path) -> Path:
    copy = tmp_path / profile
    shutil.copytree(projects[profile], copy)
    return copy


def wait_until_serving(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered")


def serve(command: str, cwd: Path, extra_env: dict[str, str] | None = None) -> None:
    port = free_port()
    if command.startswith("uvicorn"):
        command += f" --port {port}"
    elif "--port" in command:
        command = re.sub(r"--port \d+", f"--port {port}", command)
    else:
        command += f" --port {port}"
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env={**environment(), "FLUXLIT_NO_PIDFILE": "1", **(extra_env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}/api/healthz")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_the_docs_show_commands() -> None:
    commands = inline_commands()
    assert "fluxlit run --port 9000" in commands and len(commands) > 15
    assert bash_blocks(), "the cli page has bash examples"


@pytest.mark.parametrize("command", inline_commands())
def test_inline_command(command: str, projects: dict[str, Path], tmp_path: Path) -> None:
    run = concrete(command)
    gateway = "gateway:app" in run
    project = fresh(projects, "manifest" if gateway else "minimal", tmp_path)
    if gateway:
        subprocess.run([BIN / "fluxlit", "compile"], cwd=project, check=True, env=environment())
    if run.startswith("fluxlit shutdown"):
        port = free_port()
        server = subprocess.Popen(
            [BIN / "fluxlit", "run", "--port", str(port)], cwd=project, env=environment()
        )
        wait_until_serving(server, f"http://127.0.0.1:{port}/api/healthz")
        done = subprocess.run(["bash", "-c", run], cwd=project, env=environment(), timeout=60)
        assert done.returncode == 0 and server.wait(timeout=60) == 0
        return
    if "create_gateway_app" in run:  # the gateway alone, Streamlit started elsewhere
        upstream = {"FLUXLIT_APP": "app:app", "FLUXLIT_STREAMLIT_UPSTREAM": "http://127.0.0.1:9"}
        serve(f"cd {project} && {run}", project, upstream)
        return
    if SERVING.search(run):
        serve(run, project)
        return
    done = subprocess.run(
        ["bash", "-c", run], cwd=project, env=environment(), capture_output=True, timeout=300
    )
    allowed = {0, 1} if "--check" in run else {0}  # --check: stale output exits 1
    assert done.returncode in allowed, (run, done.stderr.decode())
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("script", bash_blocks())
def test_bash_block(script: str, projects: dict[str, Path], tmp_path: Path) -> None:
    project = fresh(projects, "minimal", tmp_path)
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=project, env=environment(), capture_output=True
    )
    assert done.returncode == 0, (script, done.stderr.decode())
