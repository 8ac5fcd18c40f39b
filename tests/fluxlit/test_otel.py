"""OpenTelemetry as the trace hook: parent/child across a page, the gateway and the API."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fluxlit import FluxLitTestClient
from fluxlit.tracing import install_trace_hook
from tests.helpers.ci import require_module

require_module("opentelemetry.sdk", extra="otel")  # skipped locally without it, fails in CI
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from fluxlit.otel import enable_tracing  # noqa: E402

APPS = Path(__file__).with_name("apps")
TARGET = "observed:app"
CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{CLIENT_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def telemetry() -> tuple[TracerProvider, InMemorySpanExporter]:
    """One provider for the module: FastAPI's instrumentation binds to the first one."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


@pytest.fixture
def traced(
    monkeypatch: pytest.MonkeyPatch, telemetry: tuple[TracerProvider, InMemorySpanExporter]
) -> Iterator[tuple[FluxLitTestClient, InMemorySpanExporter]]:
    monkeypatch.syspath_prepend(str(APPS))
    # A fresh app: FastAPI's instrumentation must be added before the app first starts,
    # and other tests may have started the cached one.
    monkeypatch.delitem(sys.modules, "observed", raising=False)
    from observed import app  # type: ignore[import-not-found]

    provider, exporter = telemetry
    exporter.clear()
    enable_tracing(app.api, tracer_provider=provider)
    try:
        with FluxLitTestClient(app) as client:
            yield client, exporter
    finally:
        install_trace_hook(None)


def _parent(span: ReadableSpan, spans: list[ReadableSpan]) -> ReadableSpan | None:
    parent_id = span.parent.span_id if span.parent else None
    return next((s for s in spans if s.context.span_id == parent_id), None)


def test_client_traceparent_continues_and_fastapi_spans_nest_under_the_gateway(
    traced: tuple[FluxLitTestClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    response = client.api_get(
        "/items/5", headers={"traceparent": TRACEPARENT, "x-request-id": "r-9"}
    )
    assert response.status_code == 200
    spans = list(exporter.get_finished_spans())
    gateway = next(s for s in spans if s.name == "fluxlit.gateway.request")
    assert format(gateway.context.trace_id, "032x") == CLIENT_TRACE
    assert (
        gateway.parent is not None and format(gateway.parent.span_id, "016x") == "00f067aa0ba902b7"
    )
    assert gateway.attributes is not None
    assert gateway.attributes["fluxlit.request_id"] == "r-9"
    assert gateway.attributes["fluxlit.side"] == "api"
    assert gateway.attributes["http.route"] == "/items/{item_id}"
    assert gateway.attributes["http.status_code"] == 200
    fastapi = [s for s in spans if s is not gateway]
    assert fastapi, "FastAPI's instrumentation recorded spans"
    assert all(s.context.trace_id == gateway.context.trace_id for s in fastapi)
    server = next(s for s in fastapi if _parent(s, spans) is gateway)
    assert "/items/{item_id}" in server.name
    returned = response.headers["traceparent"]
    assert returned == f"00-{CLIENT_TRACE}-{gateway.context.span_id:016x}-01"


def test_a_page_run_parents_the_api_calls_of_its_apiclient(
    traced: tuple[FluxLitTestClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    at = client.streamlit(target=TARGET, extra_sys_path=APPS)
    assert not at.exception
    spans = list(exporter.get_finished_spans())
    page = next(s for s in spans if s.name == "fluxlit.page.run")
    gateway = next(s for s in spans if s.name == "fluxlit.gateway.request")
    assert _parent(gateway, spans) is page, "ApiClient sent the page span's traceparent"
    assert page.attributes is not None and page.attributes["session.id"]
    assert any(_parent(s, spans) is gateway for s in spans), "FastAPI under the gateway"
