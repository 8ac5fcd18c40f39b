"""Every `fluxlit new` profile: a .gitignore, a private dev secret for auth, and it runs."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from fluxlit_codegen.scaffold import PROFILES, scaffold
from tests.helpers.cli import FLUXLIT, run_fluxlit
from tests.helpers.net import free_port, wait_until

#: A route each profile's app answers, under the default /api prefix.
API_ROUTE = {
    "minimal": "/api/hello",
    "manifest": "/api/hello",
    "multipage": "/api/sales",
    "auth": "/api/public",
    "deploy": "/api/hello",
}


def test_the_route_table_covers_every_profile() -> None:
    assert set(API_ROUTE) == set(PROFILES)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_ignores_build_output_pid_file_secrets_and_caches(
    tmp_path: Path, profile: str
) -> None:
    ignored = (scaffold(tmp_path / "app", profile) / ".gitignore").read_text().splitlines()
    for entry in (".fluxlit/", ".fluxlit.pid", ".env", "__pycache__/", ".pytest_cache/"):
        assert entry in ignored


def test_the_auth_profile_gets_its_own_random_dev_secret(tmp_path: Path) -> None:
    secrets = []
    for name in ("one", "two"):
        env = scaffold(tmp_path / name, "auth") / ".env"
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        (line,) = [x for x in env.read_text().splitlines() if not x.startswith("#")]
        key, _, value = line.partition("=")
        assert key == "FLUXLIT_JWT_HS256_SECRET" and len(value) >= 32
        secrets.append(value)
    assert secrets[0] != secrets[1], "no two projects share a secret"
    assert not (scaffold(tmp_path / "plain", "minimal") / ".env").exists()


@pytest.mark.slow
@pytest.mark.parametrize("profile", PROFILES)
def test_new_then_run_serves_api_and_ui_with_no_extra_step(tmp_path: Path, profile: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    created = run_fluxlit(tmp_path, "new", "shop", "--profile", profile, env=env, timeout=60)
    assert created.returncode == 0, created.stderr
    port = free_port()
    server = subprocess.Popen(
        [FLUXLIT, "run", "--port", str(port)],
        cwd=tmp_path / "shop",
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        api = wait_until(
            lambda: httpx.get(base + API_ROUTE[profile], timeout=5),
            "the server to answer",
            timeout=90,
            interval=0.3,
            process=server,
        )
        assert api.status_code == 200, api.text
        ui = httpx.get(base + "/", timeout=30)
        assert ui.status_code == 200 and "<html" in ui.text.lower()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
