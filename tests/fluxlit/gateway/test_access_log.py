"""The access log (gateway/access_log.py): fields, redacted secrets, crashes, off by default."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway import build_dispatcher
from tests.helpers.gateway import RecordingUI, make_api


def test_access_log_redacts(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(build_dispatcher(make_api(), RecordingUI(), access_log=True))
    with caplog.at_level(logging.INFO, logger="fluxlit.gateway.access"):
        client.get("/api/echo?token=s3cret&a=1", headers={"Authorization": "Bearer s3cret"})
    (record,) = [r for r in caplog.records if r.name == "fluxlit.gateway.access"]
    assert record.__dict__["status"] == 200 and record.__dict__["path"] == "/api/echo"
    assert "s3cret" not in str(record.__dict__)


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
