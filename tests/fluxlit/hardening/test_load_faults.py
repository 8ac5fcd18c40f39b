"""Faults under load against `fluxlit run`, both modes: slow senders, busy API threads,
shutdown past the grace period, and many open sessions.

Each test starts its own server with small limits, so counts and waits stay low.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import signal
import socket
import time

import httpx
import psutil
import pytest
from websockets.asyncio.client import connect

pytestmark = pytest.mark.slow
MODES = ["inprocess", "sidecar"]


# Finding 5: slow header senders -----------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_slow_header_senders_are_timed_out_and_capped(launch, mode: str) -> None:
    server = launch(
        mode, {"FLUXLIT_MAX_CONNECTIONS": "20", "FLUXLIT_REQUEST_HEADER_TIMEOUT_S": "1"}
    )
    soft, hard = psutil.Process(server.process.pid).rlimit(psutil.RLIMIT_NOFILE)
    assert soft == hard, "the open-file limit is raised to the hard limit at start"
    slow = []
    for _ in range(25):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(b"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # head never ends
        slow.append(sock)
    try:
        crowded = httpx.get(server.base + "/api/ping", timeout=5)
        assert crowded.status_code == 503, "over the connection cap: a clear 503, not a hang"
        answers = []
        for sock in slow:  # each is closed by the server once its head is late
            data = b""
            while chunk := sock.recv(4096):
                data += chunk
            answers.append(data.split(b"\r\n", 1)[0])
        assert set(answers) == {b"HTTP/1.1 408 Request Timeout"}
        assert httpx.get(server.base + "/api/ping", timeout=5).status_code == 200
    finally:
        for sock in slow:
            sock.close()


# Finding 3: slow sync API routes and the UI ---------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_ui_is_served_while_sync_routes_hold_threads(launch, mode: str) -> None:
    server = launch(mode)
    index = httpx.get(server.base + "/").text
    bundle = re.search(r'src="\./(static/js/index\.[\w-]+\.js)"', index)
    assert bundle
    with concurrent.futures.ThreadPoolExecutor(45) as pool:
        sleepers = [
            pool.submit(httpx.get, server.base + "/api/sleep?seconds=8", timeout=30)
            for _ in range(45)
        ]
        time.sleep(1.5)  # every sleeper holds a worker thread now
        assert not any(f.done() for f in sleepers)
        # With 45 sync handlers running, the UI still gets threads for its files.
        assert httpx.get(server.base + "/", timeout=5).status_code == 200
        assert httpx.get(f"{server.base}/{bundle.group(1)}", timeout=5).status_code == 200
        assert not all(f.done() for f in sleepers), "answered while the API was busy"
        assert [f.result().status_code for f in sleepers] == [200] * 45


# Finding 8: shutdown with requests longer than the grace period ---------------------------


@pytest.mark.parametrize("mode", MODES)
def test_shutdown_ends_at_the_grace_period(launch, mode: str) -> None:
    server = launch(mode, {"FLUXLIT_SHUTDOWN_GRACE_S": "2"})
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        calls = [
            pool.submit(httpx.get, server.base + "/api/sleep?seconds=60", timeout=60)
            for _ in range(3)
        ]
        time.sleep(1.0)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=30)
        took = time.monotonic() - started
        responses = [f.result() for f in calls]
    assert code == 0
    assert took < 15, f"exited {took:.1f} s after SIGTERM, not at the 2 s grace period"
    assert [r.status_code for r in responses] == [503] * 3
    assert all(r.headers["connection"] == "close" for r in responses)
    log = server.output()
    assert "Traceback" not in log and "CancelledError" not in log
    assert log.count("grace period") == 1, log


# Finding 12: many sessions held --------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_five_hundred_sessions_are_held(launch, mode: str) -> None:
    server = launch(mode)
    host = f"127.0.0.1:{server.port}"

    async def hold() -> int:
        sockets = []
        try:
            for batch in range(10):
                sockets += await asyncio.gather(
                    *(
                        connect(
                            f"ws://{host}/_stcore/stream",
                            origin=f"http://{host}",  # type: ignore[arg-type]
                            open_timeout=30,
                        )
                        for _ in range(50)
                    )
                )
                assert len(sockets) == 50 * (batch + 1)
            async with httpx.AsyncClient() as client:
                assert (await client.get(server.base + "/api/ping")).status_code == 200
            return sum(1 for ws in sockets if ws.close_code is None)
        finally:
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    assert asyncio.run(hold()) == 500
