"""The request body limit (gateway/body_limit.py): declared and streamed bodies, API and UI."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from tests.helpers.gateway import RecordingUI, call_asgi, make_api


def test_body_limit() -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), max_request_body_bytes=10))
    assert client.post("/api/echo", content=b"x" * 10).json()["len"] == 10
    big = client.post("/api/echo", content=b"x" * 11)
    assert big.status_code == 413 and "FLUXLIT_MAX_REQUEST_BODY_BYTES" in big.text

    def chunks() -> Iterator[bytes]:
        yield b"x" * 6
        yield b"x" * 6

    streamed = client.post("/api/echo", content=chunks())
    assert streamed.status_code == 413


def test_body_limit_covers_ui_and_does_not_buffer() -> None:
    received: list[int] = []

    async def ui_app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            received.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = build_dispatcher(make_api(), ui_app, max_request_body_bytes=8)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "headers": [(b"transfer-encoding", b"chunked")],
    }
    chunk = {"type": "http.request", "body": b"x" * 5, "more_body": True}
    sent = call_asgi(app, scope, [chunk] * 3)
    assert received == [5], "the app saw the first chunk, streamed, and nothing after"
    assert sent[0]["status"] == 413 and len(sent) == 2, "the app's own answer was dropped"
    assert sent[1]["body"].startswith(b"Request body is larger than 8 bytes")
    client = TestClient(build_dispatcher(make_api(), ui_app, max_request_body_bytes=8))
    assert client.post("/upload", content=b"12345678").text == "ok"
    declared = client.post("/upload", content=b"123456789")
    assert declared.status_code == 413 and "FLUXLIT_MAX_REQUEST_BODY_BYTES" in declared.text
