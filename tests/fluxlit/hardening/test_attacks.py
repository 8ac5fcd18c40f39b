"""Hostile requests against `fluxlit run`, in both runtime modes, over real sockets.

One hardened server per mode (see conftest.py) takes oversized and numerous headers,
odd Host headers, foreign-origin and oversized WebSockets, slow sync API calls, 500
sessions and a failing page, and checks that keep holding (body limit, bad
Content-Length, traversal, WebSocket to the API).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import os
import re
import socket
import struct
import time
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

pytestmark = pytest.mark.slow

WS_PATH = "/_stcore/stream"


def raw_exchange(port: int, data: bytes, *, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes or pauses."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and not _expects_more(b"".join(chunks)):
                break
        return b"".join(chunks)


def _expects_more(response: bytes) -> bool:
    head, _, body = response.partition(b"\r\n\r\n")
    match = re.search(rb"content-length: *(\d+)", head, re.I)
    return bool(match) and len(body) < int(match.group(1))


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def ws_handshake(path: str, host: str, origin: str | None = None) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# Finding 1: header limits -------------------------------------------------------


def test_oversized_headers_are_refused_early(server) -> None:
    big = b"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    assert status_of(raw_exchange(server.port, big)) == 431
    # A 20 MB header is refused after the first 64 KiB: the server closes the
    # connection long before the client could send the rest.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
        sent = 0
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            for _ in range(20 * 16):  # 20 MB in 64 KiB pieces
                sock.sendall(b"a" * 65536)
                sent += 65536
        assert sent < 5 * 1024 * 1024


def test_too_many_headers_are_refused(server) -> None:
    fields = "".join(f"X-H{i}: 1\r\n" for i in range(150))
    request = f"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}\r\n".encode()
    assert status_of(raw_exchange(server.port, request)) == 431
    fine = "".join(f"X-H{i}: 1\r\n" for i in range(20))
    ok = f"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{fine}\r\n"
    assert status_of(raw_exchange(server.port, ok.encode())) == 200


# Finding 6: one header policy for API and UI ------------------------------------


def test_security_headers_reach_every_response(server) -> None:
    index = httpx.get(server.base + "/")
    bundle = re.search(r'src="\./(static/js/index\.[\w-]+\.js)"', index.text)
    assert bundle
    for response in (
        index,
        httpx.get(f"{server.base}/{bundle.group(1)}"),
        httpx.get(server.base + "/api/ping"),
        httpx.get(server.base + "/_stcore/health"),
    ):
        assert response.status_code == 200
        headers = response.headers
        assert headers["x-frame-options"] == "SAMEORIGIN", response.url
        assert headers["content-security-policy"] == "frame-ancestors 'self'"
        assert headers["x-content-type-options"] == "nosniff"
        assert "server" not in headers, f"{response.url} announces {headers.get('server')}"


# Finding 10: Host header ---------------------------------------------------------


def test_host_header_rules(server) -> None:
    twice = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    answer = raw_exchange(server.port, twice)
    assert status_of(answer) == 400
    assert b"127.0.0.1:" not in answer, "no internal address in the answer"
    for path in ("/", "/api/ping"):
        foreign = httpx.get(server.base + path, headers={"Host": "evil.example"})
        assert foreign.status_code == 400
        assert "FLUXLIT_ALLOWED_HOSTS" in foreign.text
    assert httpx.get(server.base + "/", headers={"Host": f"localhost:{server.port}"}).is_success
    refused = raw_exchange(server.port, ws_handshake(WS_PATH, "rebind.example"))
    assert status_of(refused) == 400, "DNS rebinding never reaches Streamlit's origin check"


# Finding 4: foreign Origin -------------------------------------------------------


def test_foreign_origin_websockets_are_refused_without_outbound_traffic(server, blackhole) -> None:
    host = f"127.0.0.1:{server.port}"
    before = len(blackhole.accepted)

    def handshake(_: int) -> int:
        return status_of(
            raw_exchange(server.port, ws_handshake(WS_PATH, host, "https://evil.example"))
        )

    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        pending = [pool.submit(handshake, i) for i in range(5)]
        ping = httpx.get(server.base + "/api/ping", timeout=10)
        statuses = [f.result() for f in pending]
    assert statuses == [403] * 5
    assert ping.status_code == 200
    time.sleep(0.5)  # give a late outbound connection the chance to show up
    assert len(blackhole.accepted) == before, "the server contacted an outside host"
    # Same-origin and loopback origins still open the UI's WebSocket.
    same = raw_exchange(server.port, ws_handshake(WS_PATH, host, f"http://{host}"), timeout=3)
    assert status_of(same) == 101


# Finding 2: WebSocket message size -----------------------------------------------


def test_oversized_websocket_message_is_closed_from_its_header(server) -> None:
    host = f"127.0.0.1:{server.port}"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(ws_handshake(WS_PATH, host, f"http://{host}"))
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        assert status_of(head) == 101
        # A binary frame announcing 30 MB (over Streamlit's 25 MB), of which only
        # 64 KiB follow: the server must close at once, not wait for the rest.
        mask = os.urandom(4)
        sock.sendall(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 30_000_000) + mask)
        sock.sendall(b"\0" * 65536)
        data = head.partition(b"\r\n\r\n")[2]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
            if b"\x88" in data:
                break
        close = data[data.index(b"\x88") :] if b"\x88" in data else b""
        assert close, "no close frame: the server is waiting for the whole 30 MB"
        assert struct.unpack("!H", close[2:4])[0] == 1009


# Finding 11: no token in Uvicorn's WebSocket log line -----------------------------


def test_websocket_log_line_hides_tokens(server) -> None:
    host = f"127.0.0.1:{server.port}"
    path = f"{WS_PATH}?token=tok-secret-123&page=1"
    answer = raw_exchange(server.port, ws_handshake(path, host, f"http://{host}"), timeout=3)
    assert status_of(answer) == 101
    time.sleep(0.5)
    log = server.output()
    assert "WebSocket" in log and "page=1" in log, "the access line is still logged"
    assert "tok-secret-123" not in log


# Finding 12: what already held keeps holding --------------------------------------


def test_what_held_still_holds(server) -> None:
    big = httpx.post(server.base + "/api/ping", content=b"x" * 200_000)
    assert big.status_code == 413
    bad_length = b"POST /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1x\r\n\r\n"
    assert status_of(raw_exchange(server.port, bad_length)) == 400
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd"):
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        answer = raw_exchange(server.port, request.encode())
        assert b"root:x:0:0" not in answer
        # Refused, or Streamlit's index page (its fallback for unknown paths).
        assert status_of(answer) in {400, 404} or b"content-type: text/html" in answer
    api_ws = raw_exchange(server.port, ws_handshake("/api/ping", f"127.0.0.1:{server.port}"))
    assert status_of(api_ws) in {403, 404}


# Finding 3: slow sync API routes and the UI ---------------------------------------------


def test_ui_is_served_while_sync_routes_hold_threads(server) -> None:
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


# Finding 12: many sessions held --------------------------------------------------------


def test_five_hundred_sessions_are_held(server) -> None:
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

    # In a thread of its own: a browser test of this module may hold the main loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, hold()).result() == 500


# Finding 7: no traceback in the browser ---------------------------------------------------


@pytest.mark.e2e
def test_a_failing_page_shows_no_traceback(browser, server, page_text) -> None:
    text = page_text(
        browser, server.base + "/boom", "Boom page", element='[data-testid="stException"]'
    )
    assert "encountered an error" in text, "the user is told something went wrong"
    for secret in ("kaboom-secret-detail", "Traceback", "hardapp.py", "RuntimeError", "/"):
        if secret == "/":
            assert "site-packages" not in text and str(Path.home()) not in text
        else:
            assert secret not in text, f"{secret!r} reached the browser"
    time.sleep(0.5)
    log = re.sub(r"\x1b\[[0-9;]*m", "", server.output())  # Streamlit colours tracebacks
    assert log.count("RuntimeError: kaboom-secret-detail") == 1, "the log keeps it, once"
