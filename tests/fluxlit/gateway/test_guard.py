"""The gateway policy in process: framing choices, host patterns, origins, the API gate."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.config.settings import FluxlitSettings
from fluxlit.gateway import GatewayPolicy, build_dispatcher
from fluxlit.gateway.api_gate import ApiConcurrencyGate
from fluxlit.gateway.hosts import host_problem
from fluxlit.gateway.security_headers import framing_headers
from fluxlit.gateway.ws_origin import WebSocketOriginGuard, origin_allowed
from fluxlit.redis_store import RedisSessionStore


async def ui(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ui"})


def client(**settings: object) -> TestClient:
    policy = GatewayPolicy.from_settings(FluxlitSettings(security_headers=True, **settings))
    return TestClient(build_dispatcher(FastAPI(), ui, policy=policy))


@pytest.mark.parametrize(
    ("ancestors", "csp", "xfo"),
    [
        (["'self'"], "frame-ancestors 'self'", "SAMEORIGIN"),
        (
            ["'self'", "https://portal.example"],
            "frame-ancestors 'self' https://portal.example",
            None,
        ),
        (["*"], None, None),
    ],
)
def test_framing_is_configurable(ancestors: list[str], csp: str | None, xfo: str | None) -> None:
    response = client(frame_ancestors=ancestors).get("/")
    assert response.text == "ui"
    assert response.headers.get("content-security-policy") == csp
    assert response.headers.get("x-frame-options") == xfo
    assert response.headers["x-content-type-options"] == "nosniff"
    assert framing_headers([]) == {}


def test_host_patterns() -> None:
    allowed = ("app.example.com", "*.example.org")
    assert host_problem([(b"host", b"app.example.com:8443")], allowed) is None
    assert host_problem([(b"host", b"a.b.example.org")], allowed) is None
    assert host_problem([(b"host", b"example.org")], allowed)
    assert host_problem([(b"host", b"app.example.com@evil")], allowed)
    assert host_problem([], allowed), "no Host at all is refused once hosts are listed"
    assert host_problem([], ()) is None
    assert host_problem([(b"host", b"a"), (b"host", b"a")], ())
    assert client(allowed_hosts=["testserver"]).get("/").status_code == 200
    assert client(allowed_hosts=["other"]).get("/api/x").status_code == 400


def test_too_many_headers() -> None:
    headers = {f"x-h{i}": "1" for i in range(10)}
    assert client(max_request_headers=5).get("/", headers=headers).status_code == 431
    assert client(max_request_headers=50).get("/", headers=headers).status_code == 200


def test_origin_rules_and_the_stripped_origin() -> None:
    assert origin_allowed(None, "h:1", frozenset())
    assert origin_allowed("http://h:1", "h:1", frozenset())
    assert origin_allowed("http://localhost:3000", "h:1", frozenset())
    assert origin_allowed("https://embed.example", "h:1", frozenset({"embed.example"}))
    assert not origin_allowed("https://evil.example", "h:1", frozenset({"embed.example"}))
    assert origin_allowed("https://evil.example", "h:1", frozenset({"*"}))
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    guard = WebSocketOriginGuard(app, frozenset({"embed.example"}))
    scope = {
        "type": "websocket",
        "headers": [(b"host", b"h:1"), (b"origin", b"https://embed.example")],
    }
    asyncio.run(guard(scope, None, None))  # type: ignore[arg-type]
    assert seen and all(name != b"origin" for name, _ in seen[0]["headers"]), (
        "an allowed foreign origin reaches Streamlit without Origin, so it does no lookup"
    )


def test_api_gate_lets_n_requests_run_at_once() -> None:
    running = peak = 0

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    gate = ApiConcurrencyGate(slow, 3)

    async def main() -> None:
        await asyncio.gather(*(gate({"type": "http"}, None, None) for _ in range(10)))  # type: ignore[arg-type]

    asyncio.run(main())
    assert peak == 3


class DownRedis:
    calls = 0

    def get(self, key: str) -> None:
        DownRedis.calls += 1
        raise OSError("connection refused")

    set = delete = get


def test_redis_store_warns_once_and_pauses(caplog: pytest.LogCaptureFixture) -> None:
    store = RedisSessionStore(client=DownRedis(), retry_after_s=60)
    with caplog.at_level(logging.WARNING, logger="fluxlit.redis_store"):
        assert store.get("a" * 20) is None
        store.set("a" * 20, {"x": 1})
        store.delete("a" * 20)
    assert DownRedis.calls == 1, "no network call during the pause"
    assert [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()] != []
    assert len(caplog.records) == 1
