"""Request ids (gateway/request_id.py): kept when sane, generated otherwise, one per hop."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from fluxlit.gateway.request_id import new_request_id
from fluxlit.logging.context import get_request_id
from tests.helpers.gateway import RecordingUI, make_api


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


def test_generated_ids_are_uuid4() -> None:
    ids = {new_request_id() for _ in range(200)}
    assert len(ids) == 200
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and str(parsed) == value
        assert parsed.variant == uuid.RFC_4122
