"""Lifespans (gateway/lifespan.py): every app starts and stops in order; failures reported."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from tests.helpers.gateway import RecordingUI, call_asgi, make_api

LIFESPAN: Scope = {"type": "lifespan", "asgi": {"version": "3.0"}}


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
    with pytest.raises(RuntimeError, match="api startup broke"):
        call_asgi(app, LIFESPAN, [{"type": "lifespan.startup"}], sent)
    assert sent[-1]["type"] == "lifespan.startup.failed"
    assert "api startup broke" in sent[-1]["message"]


def test_lifespan_shutdown_failure_is_reported() -> None:
    async def bad_stop(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.failed", "message": "disk full"})

    app = build_dispatcher(make_api(), RecordingUI(), lifespan_apps=[bad_stop])
    sent = call_asgi(app, LIFESPAN, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.failed"]
    assert sent[-1]["message"] == "disk full"
