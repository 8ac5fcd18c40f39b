"""The Dockerfile's steps, run here as the image would run them, on a read-only root.

No container engine runs on the test machines, so the test plays the image: it runs
the Dockerfile's `fluxlit compile` step in the project (the build), then its CMD in a
mount namespace whose root filesystem is read-only, with a tmpfs where the Dockerfile
points HOME and TMPDIR (the emptyDir / tmpfs of Kubernetes and compose). Only the
addresses change: 127.0.0.1 and a free port for 0.0.0.0:8000, the tmpfs for /tmp.
The project is copied as `COPY .` would (without what .dockerignore names, such as
.env), the build steps run with no secret, and the page must render, through the API,
in both runtime modes, with nothing in the project changed (start-up compiles nothing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require, require_program
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
BIN = Path(sys.executable).parent
# A private mount namespace: the root read-only, a tmpfs at $0; then the command.
READ_ONLY_ROOT = 'mount -o remount,bind,ro / && mount -t tmpfs -o size=64m tmpfs "$0" && exec "$@"'


def fluxlit(cwd: Path, *args: str) -> str:
    """A `fluxlit` command with no FLUXLIT_* variable set (an image build has none)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    result = subprocess.run(
        [str(BIN / "fluxlit"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def dockerfile_steps(text: str) -> tuple[dict[str, str], list[list[str]], list[str], str]:
    """ENV values, the build's `fluxlit ...` steps, the CMD and the health-check URL."""
    env_block = re.search(r"^ENV (.*?)(?<!\\)\n", text, flags=re.M | re.S)
    assert env_block, text
    env = dict(re.findall(r"(\w+)=(\S+)", env_block.group(1)))
    steps = re.findall(r"^\s+&& (fluxlit [^\\\n]*?) *\\$", text, flags=re.M)
    command = re.search(r"^CMD (\[.*\])$", text, flags=re.M)
    health = re.search(r"urlopen\('(http://[^']+)'", text)
    assert command and health, text
    return env, [step.split() for step in steps], json.loads(command.group(1)), health.group(1)


def copy_into_image(project: Path, image: Path) -> None:
    """``COPY . /app``: the project without what .dockerignore names (.env among them)."""
    patterns = [
        line.strip().rstrip("/")
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ".env" in patterns and ".fluxlit" in patterns
    shutil.copytree(project, image, ignore=shutil.ignore_patterns(*patterns))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(root.rglob("*"))
    }


def local(command: list[str], port: int) -> list[str]:
    """The CMD with its listen address swapped for a loopback one (nothing else)."""
    swapped = {"0.0.0.0": "127.0.0.1", "8000": str(port)}
    return [swapped.get(part, part) for part in command]


@pytest.fixture
def read_only_root() -> Iterator[list[str]]:
    """The prefix that runs a command on a read-only root (needs root, as CI has)."""
    require(os.geteuid() == 0, "a read-only mount namespace needs root (CI runs as root)")
    unshare = require_program("unshare", "/usr/bin/unshare")
    yield [unshare, "--mount", "sh", "-c", READ_ONLY_ROOT]


SHOWS = {"minimal": "Hello, world!", "manifest": "Hello, world!", "auth": "Signed out"}
CASES = [("minimal", "inprocess"), ("minimal", "sidecar"), ("manifest", "inprocess")]
CASES += [("manifest", "sidecar"), ("auth", "inprocess")]


@pytest.mark.parametrize(("profile", "mode"), CASES)
def test_the_image_command_serves_on_a_read_only_root(
    tmp_path: Path, read_only_root: list[str], browser, profile: str, mode: str
) -> None:
    fluxlit(tmp_path, "new", "shop", "--profile", profile)
    fluxlit(tmp_path / "shop", "build")
    project = tmp_path / "app"  # the image's /app
    copy_into_image(tmp_path / "shop", project)
    env, steps, command, health_url = dockerfile_steps((project / "Dockerfile").read_text())
    assert command[:2] == ["fluxlit", "run"]
    for step in steps:  # RUN pip install ... && fluxlit compile: the image build, no secrets
        fluxlit(project, *step[1:])
    before = snapshot(project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    writable = {key: str(scratch) for key, value in env.items() if value == "/tmp"}
    assert set(writable) == {"HOME", "TMPDIR"}, env
    secrets = {"FLUXLIT_JWT_HS256_SECRET": "run-time-" + "x" * 32}  # the Secret of a pod
    port = free_port()
    server = subprocess.Popen(
        [*read_only_root, str(scratch), str(BIN / "fluxlit"), *local(command, port)[1:]],
        cwd=project,
        env={**os.environ, **env, **writable, **secrets, "FLUXLIT_RUNTIME_MODE": mode},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_200(health_url.replace(":8000/", f":{port}/"), process=server, timeout=90)
        page = browser.new_page()
        try:
            page.goto(f"http://127.0.0.1:{port}/")
            page.get_by_text(SHOWS[profile]).wait_for(timeout=30_000)
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            page.close()
    finally:
        code = stop_process(server)
        output = server.stdout.read().decode() if server.stdout else ""
    assert code == 0, output
    assert "Read-only file system" not in output, output
    assert snapshot(project) == before, "start-up wrote nothing in the image's /app"
