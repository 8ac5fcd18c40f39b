"""Tracing hooks, the router helper, security headers and deep links."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse

from fluxlit.api import router
from fluxlit.config import FluxlitSettings
from fluxlit.deep_links import match_nav_page, page_slug, query_params
from fluxlit.security import SecurityHeadersMiddleware, apply_http_hardening
from fluxlit.tracing import reset_trace_hook, set_trace_hook, trace_span
from tests.helpers.fake_streamlit import FakeSt


def test_trace_span_without_hook_is_noop() -> None:
    with trace_span("x", {"a": 1}) as span:
        assert span is None


def test_trace_hook_receives_spans_and_errors_bubble() -> None:
    spans: list[tuple[str, dict[str, Any]]] = []

    @contextlib.contextmanager
    def hook(name: str, attributes: Any) -> Iterator[str]:
        spans.append((name, dict(attributes)))
        yield "span"

    token = set_trace_hook(hook)
    try:
        with trace_span("gateway.proxy", {"path": "/"}) as span:
            assert span == "span"
    finally:
        reset_trace_hook(token)
    assert spans == [("gateway.proxy", {"path": "/"})]

    def broken(name: str, attributes: Any) -> Any:
        raise RuntimeError("bad hook")

    token = set_trace_hook(broken)
    try:
        with pytest.raises(RuntimeError, match="bad hook"):
            trace_span("x", {})
    finally:
        reset_trace_hook(token)


def test_router_helper() -> None:
    r = router(prefix="/v1", tags=["things"])

    @r.get("/t")
    def t() -> int:
        return 1

    api = FastAPI()
    api.include_router(r)
    schema = TestClient(api).get("/openapi.json").json()
    assert schema["paths"]["/v1/t"]["get"]["tags"] == ["things"]


def test_security_headers_do_not_overwrite() -> None:
    api = FastAPI()
    api.add_middleware(SecurityHeadersMiddleware)

    @api.get("/framed")
    def framed() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"X-Frame-Options": "DENY"})

    response = TestClient(api).get("/framed")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_hardening_from_settings() -> None:
    api = FastAPI()
    apply_http_hardening(
        api, FluxlitSettings(security_headers=True, cors_allow_origins=["https://a.test"])
    )

    @api.get("/x")
    def x() -> int:
        return 1

    response = TestClient(api).get("/x", headers={"Origin": "https://a.test"})
    assert response.headers["access-control-allow-origin"] == "https://a.test"
    assert response.headers["x-content-type-options"] == "nosniff"
    bare = FastAPI()
    apply_http_hardening(bare, FluxlitSettings())
    assert bare.user_middleware == []


def test_query_params_normalises_lists() -> None:
    query = {"a": ["1", "2"], "b": "x", "c": []}
    plain_mapping = SimpleNamespace(query_params=query)  # no get_all: items() are read
    assert query_params(plain_mapping) == {"a": "1", "b": "x"}
    assert query_params(FakeSt(query)) == {"a": "1", "b": "x"}
    assert query_params(object()) == {}


def test_query_params_takes_the_first_of_repeated_keys_from_streamlit() -> None:
    """Streamlit's own ``QueryParams`` keeps the last value in ``to_dict()``; we want the first."""
    from streamlit.runtime.state.query_params import QueryParams

    real = QueryParams()
    real.populate_from_query_string("a=1&a=2&b=x&empty=")
    assert real.to_dict()["a"] == "2", "precondition: Streamlit's mapping keeps the last"
    st = type("St", (), {"query_params": real})()
    assert query_params(st) == {"a": "1", "b": "x", "empty": ""}


def test_page_slug_and_match() -> None:
    pages = [("/", "Home", None), ("/reports/daily", "Daily", None), ("/x", "Home", None)]
    assert page_slug("/") == "home" and page_slug("/reports/daily/") == "reports-daily"
    assert match_nav_page({"page": "home"}, pages) == ("/", "Home")
    assert match_nav_page({"page": "Home"}, pages) == ("/", "Home")
    assert match_nav_page({"page": " reports-daily "}, pages) == ("/reports/daily", "Daily")
    assert match_nav_page({"page": "/reports/daily"}, pages) == ("/reports/daily", "Daily")
    assert match_nav_page({"p": "x"}, pages, page_key="p") == ("/x", "Home")
    assert match_nav_page({"page": ""}, pages) is None
    assert match_nav_page({}, pages) is None
    assert match_nav_page({"page": "nope"}, pages) is None
