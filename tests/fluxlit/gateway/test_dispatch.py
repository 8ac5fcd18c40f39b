"""The dispatcher: API prefix stripping, redirects, request ids, body limits, lifespans."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway import build_dispatcher


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

    def chunks():
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
    assert record.status == 200 and record.path == "/api/echo"
    assert "s3cret" not in str(record.__dict__)
