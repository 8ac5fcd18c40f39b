"""`fluxlit run|dev` serve the resolved app, for real: settings in code, the access log,
the sidecar child's options and context, and dev recompiling a manifest app."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from tests.helpers.net import free_port, wait_for_200, wait_until

pytestmark = pytest.mark.slow
FLUXLIT = str(Path(sys.executable).with_name("fluxlit"))

CODE_APP = """\
from fluxlit import FluxLit, FluxlitSettings

app = FluxLit(
    settings=FluxlitSettings(gateway_port={port}, runtime_mode="sidecar", title="Coded"),
    import_target="codeapp:app",
)


@app.page("/")
def home(st, client):
    st.write(client.get("/ping").json())


@app.api.get("/ping")
def ping() -> str:
    return "pong"
"""

MANIFEST = """\
title = "Shop"

[[routes]]
path = "/one"
handler = "shop:one"
"""


@contextmanager
def started(args: list[str], cwd: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [FLUXLIT, *args],
        cwd=cwd,
        env={**os.environ, "FLUXLIT_NO_PIDFILE": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_run_binds_the_port_and_mode_given_in_code_and_the_child_gets_fluxlit_options(
    clean_fluxlit_env: Path,
) -> None:
    port = free_port()
    (clean_fluxlit_env / "codeapp.py").write_text(CODE_APP.format(port=port))
    with started(["run", "codeapp:app"], clean_fluxlit_env) as server:
        wait_for_200(f"http://127.0.0.1:{port}/api/readyz", process=server, timeout=90)
        children = psutil.Process(server.pid).children(recursive=True)
        child = next(c for c in children if "streamlit" in " ".join(c.cmdline()))
        line = child.cmdline()
        pairs = dict(itertools.pairwise(line))
        assert pairs["--server.headless"] == "true"
        assert pairs["--browser.gatherUsageStats"] == "false"
        assert pairs["--server.fileWatcherType"] == "none"
        assert pairs["--client.showErrorDetails"] == "none"
        assert pairs["--server.address"] == "127.0.0.1"
        context_file = Path(pairs["--fluxlit-context"])
        assert f'"internal_api_base":"http://127.0.0.1:{port}/api"' in context_file.read_text()
        own = {k: v for k, v in psutil.Process(server.pid).environ().items() if "FLUXLIT" in k}
        assert {k: v for k, v in child.environ().items() if "FLUXLIT" in k} == own
        assert httpx.get(f"http://127.0.0.1:{port}/api/ping").json() == "pong"
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert f"FluxLit (sidecar): UI http://127.0.0.1:{port}/" in output
    assert "You can now view" not in output and "URL:" not in output
    assert not context_file.exists(), "the context file goes with the child"


def test_the_gateway_access_log_is_printed(clean_fluxlit_env: Path) -> None:
    port = free_port()
    (clean_fluxlit_env / "codeapp.py").write_text(CODE_APP.format(port=port))
    with started(
        ["run", "codeapp:app", "--mode", "inprocess"],
        clean_fluxlit_env,
        FLUXLIT_ENABLE_GATEWAY_ACCESS_LOG="true",
    ) as server:
        wait_for_200(f"http://127.0.0.1:{port}/api/ping", process=server, timeout=90)
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert "GET /api/ping 200" in output, output


def test_dev_recompiles_a_manifest_app_and_keeps_the_last_good_build(
    clean_fluxlit_env: Path,
) -> None:
    project = clean_fluxlit_env
    (project / "shop.py").write_text("def one():\n    return 1\n\n\ndef two():\n    return 2\n")
    (project / "fluxlit.toml").write_text(MANIFEST)
    port = free_port()
    base = f"http://127.0.0.1:{port}/api"
    with started(["dev", "--port", str(port)], project) as server:
        wait_for_200(base + "/one", process=server, timeout=90)
        (project / "fluxlit.toml").write_text(
            MANIFEST + '\n[[routes]]\npath = "/two"\nhandler = "shop:two"\n'
        )
        wait_for_200(base + "/two", process=server, timeout=90)
        (project / "fluxlit.toml").write_text(MANIFEST + '\n[[routes]]\npath = "/three"\n')
        time.sleep(5)
        wait_until(lambda: httpx.get(base + "/two", timeout=2).json() == 2, "the last good build")
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert "fluxlit.toml:7:1: routes[1].handler: required key is missing" in output, output
    assert "serving the last good build" in output
