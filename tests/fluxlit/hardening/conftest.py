"""`fluxlit run` servers of the hardening app, one per runtime mode, with their logs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

APPS = Path(__file__).with_name("apps")
MODES = ["inprocess", "sidecar"]
# What the shared server runs with (each test can start its own with other settings).
HARDENED = {
    "FLUXLIT_SECURITY_HEADERS": "true",
    "FLUXLIT_ALLOWED_HOSTS": '["127.0.0.1", "localhost"]',
    "FLUXLIT_MAX_REQUEST_BODY_BYTES": "100000",
}


class Blackhole:
    """A loopback TCP listener that accepts connections, counts them and never answers.

    Given to the server as its HTTP(S) proxy, it stands for "the outside world": any
    outbound request the server makes lands here (and hangs until it times out).
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def proxy_env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.port}"
        return {
            "HTTP_PROXY": url,
            "HTTPS_PROXY": url,
            "http_proxy": url,
            "https_proxy": url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture(scope="session")
def blackhole() -> Iterator[Blackhole]:
    hole = Blackhole()
    yield hole
    hole.close()


@dataclass
class Server:
    """A running `fluxlit run` process, its base URL and the file its output goes to."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        return stop_process(self.process, timeout=30)


def start_server(
    workdir: Path, mode: str, env: dict[str, str] | None = None, *, ready: str = "/api/readyz"
) -> Server:
    """Start `fluxlit run hardapp:app` in ``mode`` and wait until ``ready`` answers 200."""
    port = free_port()
    log = workdir / f"server-{mode}-{port}.log"
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(APPS), os.environ.get("PYTHONPATH")])),
        "FLUXLIT_RUNTIME_MODE": mode,
        "FLUXLIT_NO_PIDFILE": "1",
        **(env or {}),
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "fluxlit.cli", "run", "hardapp:app", "--port", str(port)],
            cwd=workdir,
            env=full_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        wait_for_200(server.base + ready, process=process)
    except AssertionError as exc:
        server.stop()
        raise RuntimeError(f"{exc}:\n{server.output()}") from None
    return server


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``launch(mode, env)`` starts a server for this test and stops it afterwards."""
    started: list[Server] = []

    def _launch(mode: str, env: dict[str, str] | None = None) -> Server:
        server = start_server(tmp_path, mode, env)
        started.append(server)
        return server

    yield _launch
    for server in started:
        server.stop()


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, blackhole: Blackhole
) -> Iterator[Server]:
    """One hardened server per mode, shared by the tests of a module; its outbound
    HTTP goes to ``blackhole``."""
    env = {**HARDENED, **blackhole.proxy_env()}
    running = start_server(tmp_path_factory.mktemp("hard"), request.param, env)
    yield running
    running.stop()


@pytest.fixture
def page_text() -> Callable[..., str]:
    """``page_text(browser, url, wait_for, element=None)``: a page's text in Chromium."""
    return _page_text


def _page_text(browser, url: str, wait_for: str, *, element: str | None = None) -> str:
    """Open ``url`` in a fresh context, wait for the text ``wait_for`` (and the
    ``element`` selector, if given), return the page's text."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.get_by_text(wait_for).first.wait_for(timeout=60_000)
        if element:
            page.locator(element).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # let the rest of the script's output arrive
        return page.inner_text("body")
    finally:
        context.close()
