"""The dispatcher (gateway/dispatch.py): API prefix, root mount, redirects, routing, raw paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from fluxlit.logging.context import get_request_id
from tests.helpers.gateway import RecordingUI, make_api


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
