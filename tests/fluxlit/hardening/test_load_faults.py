"""Faults against `fluxlit run` that need a server of their own, both modes: slow
senders (a small connection cap and head timeout) and shutdown past the grace period.
"""

from __future__ import annotations

import concurrent.futures
import signal
import socket
import time

import httpx
import psutil
import pytest

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
