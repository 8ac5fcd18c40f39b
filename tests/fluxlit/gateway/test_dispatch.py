"""The dispatcher: API prefix and sub-mounts, redirects, request ids, body limits, lifespans."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from fluxlit.gateway.request_id import new_request_id
from fluxlit.logging.context import get_request_id


def make_api(events: list[str] | None = None, *, fail: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        if events is not None:
            events.append("api-start")
        if fail:
            raise RuntimeError("api startup broke")
        yield
        if events is not None:
            events.append("api-stop")

    api = FastAPI(lifespan=lifespan)

    @api.get("/")
    def root() -> dict[str, str]:
        return {"where": "api-root"}

    @api.api_route("/echo", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.body()
        return {
            "path": request.url.path,
            "root_path": request.scope["root_path"],
            "rid": request.headers.get("x-request-id"),
            "len": len(body),
        }

    return api


class RecordingUI:
    """Stand-in for Streamlit: records the scope it received."""

    def __init__(self, events: list[str] | None = None) -> None:
        self.scopes: list[Scope] = []
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if self.events is not None:
                        self.events.append("ui-start")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    if self.events is not None:
                        self.events.append("ui-stop")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.scopes.append(scope)
        headers = dict(scope["headers"])
        body = f"ui {scope['path']} rid={headers.get(b'x-request-id', b'').decode()}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def test_api_prefix_is_stripped_and_root_path_set() -> None:
    ui = RecordingUI()
    client = TestClient(build_dispatcher(make_api(), ui))
    assert client.get("/api").json() == {"where": "api-root"}
    assert client.get("/api/").json() == {"where": "api-root"}
    data = client.get("/api/echo").json()
    assert data["root_path"] == "/api"
    assert client.get("/apix").text.startswith("ui /apix")
    assert client.get("/reports?x=1").text.startswith("ui /reports")
    assert client.get("/api/healthz").status_code == 404, "health lives on FluxLit, not here"


def test_custom_prefix_and_root_mount_both_proxy_styles() -> None:
    ui = RecordingUI()
    client = TestClient(
        build_dispatcher(make_api(), ui, api_prefix="backend/", root_mount="/apps/demo/")
    )
    full = client.get("/apps/demo/backend/echo").json()
    stripped = client.get("/backend/echo").json()
    assert full["root_path"] == stripped["root_path"] == "/apps/demo/backend"
    assert client.get("/apps/demo/x").text.startswith("ui /apps/demo/x")
    assert client.get("/x").text.startswith("ui /apps/demo/x"), "UI always sees the mount"
    assert ui.scopes[-1]["root_path"] == ""


def test_docs_redirect_under_prefix() -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), root_mount="/m"))
    for path in ("/docs", "/redoc", "/openapi.json"):
        response = client.get(path + "?a=1", follow_redirects=False)
        assert response.status_code == 307
        assert response.headers["location"] == f"/m/api{path}?a=1"
    assert client.get("/docs").status_code == 200


def test_request_ids() -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI()))
    given = client.get("/api/echo", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123" and given.json()["rid"] == "abc-123"
    generated = client.get("/api/echo")
    assert len(generated.headers["x-request-id"]) == 36
    assert generated.json()["rid"] == generated.headers["x-request-id"]
    hostile = client.get("/page", headers={"X-Request-ID": "x" * 300})
    rid = hostile.headers["x-request-id"]
    assert rid != "x" * 300 and hostile.text.endswith(f"rid={rid}")


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


def test_lifespans_of_every_app_run() -> None:
    events: list[str] = []
    api, ui = make_api(events), RecordingUI(events)
    with TestClient(build_dispatcher(api, ui, lifespan_apps=[api, ui])) as client:
        assert client.get("/api/").status_code == 200
    assert events == ["api-start", "ui-start", "ui-stop", "api-stop"]


def test_lifespan_startup_failure_is_reported() -> None:
    events: list[str] = []
    api = make_api(events, fail=True)
    ui = RecordingUI(events)
    with (
        pytest.raises(RuntimeError),
        TestClient(build_dispatcher(api, ui, lifespan_apps=[ui, api])),
    ):
        pass
    assert events == ["ui-start", "api-start", "ui-stop"]


def test_access_log_redacts(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), access_log=True))
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        client.get("/api/echo?token=s3cret&a=1", headers={"Authorization": "Bearer s3cret"})
    (record,) = [r for r in caplog.records if r.name == "fluxlit.gateway.access"]
    assert record.__dict__["status"] == 200 and record.__dict__["path"] == "/api/echo"
    assert "s3cret" not in str(record.__dict__)


def test_raw_path_keeps_percent_encoding_on_both_sides() -> None:
    ui = RecordingUI()
    api = RecordingUI()
    client = TestClient(build_dispatcher(api, ui, root_mount="/m"))
    client.get("/m/api/a%2Fb")
    assert api.scopes[-1]["path"] == "/m/api/a/b" and api.scopes[-1]["raw_path"] == b"/m/api/a%2Fb"
    assert api.scopes[-1]["root_path"] == "/m/api"
    scope = api.scopes[-1]
    assert scope["path"][len(scope["root_path"]) :] == "/a/b", "routes on the prefix-free rest"
    client.get("/api/a%2Fb")  # a proxy that strips the mount: the same scope reaches the API
    assert api.scopes[-1]["path"] == "/m/api/a/b" and api.scopes[-1]["raw_path"] == b"/m/api/a%2Fb"
    client.get("/x%20y")
    assert ui.scopes[-1]["path"] == "/m/x y" and ui.scopes[-1]["raw_path"] == b"/m/x%20y"


def test_websockets_follow_the_same_routes() -> None:
    api = FastAPI()

    @api.websocket("/ws")
    async def api_ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(f"api {websocket.scope['path']} {get_request_id()}")
        await websocket.close()

    async def ui_app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        rid = dict(scope["headers"]).get(b"x-request-id", b"").decode()
        await send({"type": "websocket.send", "text": f"ui {scope['path']} {rid}"})
        await send({"type": "websocket.close", "code": 1000})

    client = TestClient(build_dispatcher(api, ui_app, root_mount="/m"))
    with client.websocket_connect("/m/api/ws", headers={"X-Request-ID": "w-1"}) as ws:
        assert ws.receive_text() == "api /m/api/ws w-1", "full path; routed on /ws"
    with client.websocket_connect("/_stcore/stream", headers={"X-Request-ID": "bad id!"}) as ws:
        where, path, rid = ws.receive_text().split(" ")
    assert (where, path) == ("ui", "/m/_stcore/stream") and rid not in ("", "bad id!")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ([("X-Request-ID", "abc.DEF_1:2-3")], True),
        ([("X-Request-ID", "a" * 128)], True),
        ([("X-Request-ID", "a" * 129)], False),
        ([("X-Request-ID", "has space")], False),
        ([("X-Request-ID", "semi;colon")], False),
        ([("X-Request-ID", "")], False),
    ],
)
def test_request_id_rules(sent: list[tuple[str, str]], kept: bool) -> None:
    ui = RecordingUI()
    client = TestClient(build_dispatcher(make_api(), ui))
    response = client.get("/page", headers=sent)
    rid = response.headers["x-request-id"]
    assert (rid == sent[0][1]) is kept
    upstream = [v for n, v in ui.scopes[-1]["headers"] if n == b"x-request-id"]
    assert upstream == [rid.encode()], "the UI hop carries exactly the gateway's id"


def test_duplicate_client_ids_are_collapsed_to_one() -> None:
    ui = RecordingUI()
    client = TestClient(build_dispatcher(make_api(), ui))
    client.get("/page", headers=[("X-Request-ID", "first"), ("X-Request-ID", "second")])
    upstream = [v for n, v in ui.scopes[-1]["headers"] if n == b"x-request-id"]
    assert upstream == [b"first"]


def test_request_id_is_bound_and_reset() -> None:
    seen: list[str | None] = []

    async def ui_app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(get_request_id())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(build_dispatcher(make_api(), ui_app))
    client.get("/", headers={"X-Request-ID": "ctx-1"})
    assert seen == ["ctx-1"]
    assert get_request_id() is None


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
    sent: list[Message] = []

    async def run() -> None:
        chunks = iter([b"x" * 5, b"x" * 5, b"x" * 5])

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": next(chunks), "more_body": True}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/upload",
            "raw_path": b"/upload",
            "query_string": b"",
            "headers": [(b"transfer-encoding", b"chunked")],
        }
        await app(scope, receive, send)

    asyncio.run(run())
    assert received == [5], "the app saw the first chunk, streamed, and nothing after"
    assert sent[0]["status"] == 413 and len(sent) == 2, "the app's own answer was dropped"
    assert sent[1]["body"].startswith(b"Request body is larger than 8 bytes")
    client = TestClient(build_dispatcher(make_api(), ui_app, max_request_body_bytes=8))
    assert client.post("/upload", content=b"12345678").text == "ok"
    declared = client.post("/upload", content=b"123456789")
    assert declared.status_code == 413 and "FLUXLIT_MAX_REQUEST_BODY_BYTES" in declared.text


def test_lifespan_skips_apps_without_lifespan_support() -> None:
    events: list[str] = []

    async def http_only(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return

    async def raises(scope: Scope, receive: Receive, send: Send) -> None:
        raise ValueError("no lifespan here")

    api = make_api(events)
    with TestClient(build_dispatcher(api, http_only, lifespan_apps=[http_only, raises, api])):
        assert events == ["api-start"]
    assert events == ["api-start", "api-stop"]


def test_lifespan_failure_message_reaches_the_server() -> None:
    api = make_api(fail=True)
    app = build_dispatcher(api, RecordingUI())
    sent: list[Message] = []

    async def run() -> None:
        inbox = iter([{"type": "lifespan.startup"}])

        async def receive() -> dict[str, Any]:
            return next(inbox)

        async def send(message: Message) -> None:
            sent.append(message)

        with pytest.raises(RuntimeError, match="api startup broke"):
            await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    asyncio.run(run())
    assert sent[-1]["type"] == "lifespan.startup.failed"
    assert "api startup broke" in sent[-1]["message"]


def test_lifespan_shutdown_failure_is_reported() -> None:
    async def bad_stop(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.failed", "message": "disk full"})

    app = build_dispatcher(make_api(), RecordingUI(), lifespan_apps=[bad_stop])
    sent: list[Message] = []

    async def run() -> None:
        inbox = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

        async def receive() -> dict[str, Any]:
            return next(inbox)

        async def send(message: Message) -> None:
            sent.append(message)

        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    asyncio.run(run())
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.failed"]
    assert sent[-1]["message"] == "disk full"


def test_access_log_fields_and_secrets(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), access_log=True))
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        client.get(
            "/page?code=abc123&page=2",
            headers={
                "Authorization": "Bearer tok-9",
                "Cookie": "sid=cookie-7",
                "X-Request-ID": "L1",
            },
        )
    (record,) = [r for r in caplog.records if r.name == "fluxlit.gateway.access"]
    assert (record.__dict__["method"], record.__dict__["path"], record.__dict__["status"]) == (
        "GET",
        "/page",
        200,
    )
    assert record.__dict__["request_id"] == "L1" and isinstance(
        record.__dict__["duration_ms"], float
    )
    assert "page=2" in record.__dict__["query"] and "abc123" not in record.__dict__["query"]
    text = str(record.__dict__) + record.getMessage()
    assert "tok-9" not in text and "cookie-7" not in text and "abc123" not in text


@pytest.mark.parametrize(
    "query",
    ["token=SECRET1&flag", "token=SECRET1&&a=1", "auth_code=SECRET1&", "access_token=SECRET1&x"],
)
def test_access_log_never_logs_a_secret_next_to_a_malformed_segment(
    caplog: pytest.LogCaptureFixture, query: str
) -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), access_log=True))
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        client.get(f"/api/echo?{query}")
        client.get(f"/page?{query}")
    records = [r for r in caplog.records if r.name == "fluxlit.gateway.access"]
    assert len(records) == 2
    for record in records:
        assert "<redacted>" in record.__dict__["query"]
        assert "SECRET1" not in str(record.__dict__) + record.getMessage()


def test_access_log_records_crashes_as_500(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    client = TestClient(
        build_dispatcher(make_api(), broken, access_log=True), raise_server_exceptions=False
    )
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        assert client.get("/x").status_code == 500
    (record,) = [r for r in caplog.records if r.name == "fluxlit.gateway.access"]
    assert record.__dict__["status"] == 500


def test_no_access_log_when_disabled(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI()))
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        client.get("/page")
    assert not [r for r in caplog.records if r.name == "fluxlit.gateway.access"]


def test_generated_ids_are_uuid4() -> None:
    ids = {new_request_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and str(parsed) == value
        assert parsed.variant == uuid.RFC_4122


@pytest.mark.parametrize(
    ("mount", "request_path", "location"),
    [
        ("", "/api/items/", "http://testserver/api/items"),
        ("", "/api/folder", "http://testserver/api/folder/"),
        ("/m", "/m/api/items/?q=1", "http://testserver/m/api/items?q=1"),
        ("/m", "/api/items/", "http://testserver/m/api/items"),
    ],
)
def test_trailing_slash_redirects_keep_the_prefix(
    mount: str, request_path: str, location: str
) -> None:
    api = FastAPI()

    @api.get("/items")
    def items() -> list[int]:
        return []

    @api.get("/folder/")
    def folder() -> list[int]:
        return []

    @api.get("/elsewhere")
    def elsewhere() -> RedirectResponse:
        return RedirectResponse("/items/")

    client = TestClient(build_dispatcher(api, RecordingUI(), root_mount=mount))
    response = client.get(request_path, follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == location
    other = client.get(mount + "/api/elsewhere", follow_redirects=False)
    assert other.headers["location"] == "/items/", "the API's own redirects are untouched"


@pytest.mark.parametrize(("mount", "request_prefix"), [("", ""), ("/m", "/m"), ("/m", "")])
def test_sub_apps_mounted_in_the_api_are_reachable(
    tmp_path: Path, mount: str, request_prefix: str
) -> None:
    (tmp_path / "a.txt").write_text("static file")
    legacy = FastAPI()

    @legacy.get("/ping")
    def ping(request: Request) -> dict[str, str]:
        return {"pong": request.url.path}

    api = make_api()
    api.mount("/legacy", legacy)
    api.mount("/files", StaticFiles(directory=tmp_path))
    client = TestClient(build_dispatcher(api, RecordingUI(), root_mount=mount))
    response = client.get(request_prefix + "/api/legacy/ping")
    assert response.json() == {"pong": f"{mount}/api/legacy/ping"}
    assert client.get(request_prefix + "/api/files/a.txt").text == "static file"
    assert client.get(request_prefix + "/api/files/missing.txt").status_code == 404
    assert client.get(request_prefix + "/api/echo").json()["root_path"] == f"{mount}/api"
