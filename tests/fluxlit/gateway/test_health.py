"""The Streamlit readiness probe: configuration sources, candidate URLs, failure detail."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from fluxlit.config import FluxlitSettings
from fluxlit.health import _streamlit_readiness_urls, probe_streamlit_ready


@pytest.fixture
def no_upstream_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("FLUXLIT_STREAMLIT_UPSTREAM", raising=False)
    monkeypatch.delenv("FLUXLIT_STREAMLIT_UPSTREAM_FILE", raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("upstream", "root_path", "expected"),
    [
        ("http://h:1", "", ["http://h:1/_stcore/health"]),
        ("http://h:1/", "/app/", ["http://h:1/app/_stcore/health", "http://h:1/_stcore/health"]),
        ("http://h:1/app", "/app", ["http://h:1/app/_stcore/health", "http://h:1/_stcore/health"]),
    ],
)
def test_readiness_urls(upstream: str, root_path: str, expected: list[str]) -> None:
    assert _streamlit_readiness_urls(upstream, FluxlitSettings(root_path=root_path)) == expected


def test_not_configured(no_upstream_env: pytest.MonkeyPatch) -> None:
    assert asyncio.run(probe_streamlit_ready()) == (True, "not_configured")


def _health_app(codes: dict[str, int]) -> Starlette:
    async def answer(request: Request) -> PlainTextResponse:
        return PlainTextResponse("x", status_code=codes.get(request.url.path, 404))

    return Starlette(routes=[Route("/{path:path}", answer)])


@pytest.mark.slow
def test_probe_against_a_real_server(
    serve: Any, no_upstream_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    codes = {"/app/_stcore/health": 503, "/_stcore/health": 503}
    server = serve(_health_app(codes))
    settings = FluxlitSettings(root_path="/app")
    ok, detail = asyncio.run(probe_streamlit_ready(upstream=server.url, settings=settings))
    assert not ok
    assert detail == "upstream_http_failed /app/_stcore/health:503;/_stcore/health:503"
    codes["/_stcore/health"] = 200
    assert asyncio.run(probe_streamlit_ready(upstream=server.url, settings=settings)) == (
        True,
        "ok",
    )
    state = tmp_path / "upstream.txt"
    state.write_text(server.url + "\n", encoding="utf-8")
    no_upstream_env.setenv("FLUXLIT_STREAMLIT_UPSTREAM", "http://127.0.0.1:9")
    no_upstream_env.setenv("FLUXLIT_STREAMLIT_UPSTREAM_FILE", str(state))
    assert asyncio.run(probe_streamlit_ready(settings=settings))[0], "the file wins"


@pytest.mark.slow
def test_unreachable_upstream_names_the_error(
    no_upstream_env: pytest.MonkeyPatch, unused_port: int
) -> None:
    no_upstream_env.setenv("FLUXLIT_STREAMLIT_UPSTREAM", f"http://127.0.0.1:{unused_port}")
    ok, detail = asyncio.run(probe_streamlit_ready(settings=FluxlitSettings()))
    assert not ok and detail == "upstream_http_failed /_stcore/health:ConnectError"
