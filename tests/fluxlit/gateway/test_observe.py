"""Gateway instrumentation: the trace span per request, route labels and the scrape endpoint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.observe import GatewayObservability, ui_route
from fluxlit.metrics.registry import enable_metrics
from fluxlit.tracing import reset_trace_hook, set_trace_hook

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def api() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.post("/echo")
    def echo(body: dict[str, Any]) -> dict[str, Any]:
        return body

    return app


async def ui(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await receive()  # the client's one message
        await send({"type": "websocket.close", "code": 1000})
        return
    await PlainTextResponse("ui")(scope, receive, send)


class SpanRecorder:
    """A trace hook keeping every span's name and final attributes."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, Mapping[str, Any]]] = []

    def __call__(self, name: str, attributes: Mapping[str, Any]) -> Any:
        return self._span(name, attributes)

    @contextlib.contextmanager
    def _span(self, name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
        class Value:
            traceparent = TRACEPARENT

        try:
            yield Value()
        finally:
            self.spans.append((name, dict(attributes)))


@pytest.fixture
def recorder() -> Iterator[SpanRecorder]:
    hook = SpanRecorder()
    token = set_trace_hook(hook)
    yield hook
    reset_trace_hook(token)


@pytest.mark.parametrize("mount", ["", "/apps/demo"])
def test_each_request_gets_a_gateway_span_with_side_route_and_status(
    recorder: SpanRecorder, mount: str
) -> None:
    client = TestClient(build_dispatcher(api(), ui, root_mount=mount))
    client.headers["x-request-id"] = "rid-1"
    assert client.get(f"{mount}/api/items/3").status_code == 200
    response = client.get(f"{mount}/some/page")
    assert response.text == "ui"
    assert response.headers["traceparent"] == TRACEPARENT, "the hook's traceparent goes back"
    assert client.get(f"{mount}/api/nope").status_code == 404
    names = {name for name, _ in recorder.spans}
    assert names == {"fluxlit.gateway.request"}
    seen = [
        (a["http.method"], a["fluxlit.side"], a["http.route"], a["http.status_code"])
        for _, a in recorder.spans
    ]
    assert seen == [
        ("GET", "api", "/items/{item_id}", 200),
        ("GET", "ui", "/{page}", 200),
        ("GET", "api", "<unmatched>", 404),
    ]
    assert all(a["fluxlit.request_id"] == "rid-1" for _, a in recorder.spans)


def test_the_inbound_traceparent_reaches_the_hook(recorder: SpanRecorder) -> None:
    client = TestClient(build_dispatcher(api(), ui))
    client.get("/api/items/1", headers={"traceparent": TRACEPARENT})
    assert recorder.spans[0][1]["traceparent"] == TRACEPARENT


def test_a_generated_request_id_is_the_span_attribute(recorder: SpanRecorder) -> None:
    response = TestClient(build_dispatcher(api(), ui)).get("/api/items/1")
    assert recorder.spans[0][1]["fluxlit.request_id"] == response.headers["x-request-id"]


def test_websockets_get_a_span_too(recorder: SpanRecorder) -> None:
    client = TestClient(build_dispatcher(api(), ui))
    with client.websocket_connect("/_stcore/stream") as websocket:
        websocket.send_text("bye")
    name, attributes = recorder.spans[0]
    assert (name, attributes["fluxlit.side"], attributes["http.route"]) == (
        "fluxlit.gateway.request",
        "ui",
        "/_stcore/stream",
    )
    assert attributes["http.status_code"] == 101


def test_without_a_hook_nothing_is_added() -> None:
    response = TestClient(build_dispatcher(api(), ui)).get("/api/items/1")
    assert "traceparent" not in response.headers


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ("ui", "/")),
        ("/sales", ("ui", "/{page}")),
        ("/sales/2024/q1", ("ui", "/{page}")),
        ("/static/js/index.abc.js", ("static", "/static/{path}")),
        ("/media/123.png", ("static", "/media/{path}")),
        ("/favicon.png", ("static", "/favicon")),
        ("/_stcore/health", ("ui", "/_stcore/health")),
        ("/_stcore/anything-else", ("ui", "/_stcore/{name}")),
    ],
)
def test_ui_routes_are_bounded_labels(path: str, expected: tuple[str, str]) -> None:
    assert ui_route(path) == expected


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def observed() -> GatewayObservability:
    return GatewayObservability(metrics=enable_metrics(), metrics_token="s3cret")


def test_metrics_count_requests_by_template_and_refusals(observed: GatewayObservability) -> None:
    app = build_dispatcher(
        api(), ui, root_mount="/m", max_request_body_bytes=10, observability=observed
    )
    client = TestClient(app)
    auth = {"authorization": "Bearer s3cret"}
    before = client.get("/m/__fluxlit/metrics", headers=auth).text
    for item_id in (1, 2, 3):
        client.get(f"/m/api/items/{item_id}")
    client.get("/m/static/app.js")
    client.post("/m/api/echo", content=b"x" * 100, headers={"content-type": "application/json"})
    after = client.get("/m/__fluxlit/metrics", headers=auth).text

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    api_labels = {"side": "api", "method": "GET", "route": "/items/{item_id}", "status": "200"}
    assert delta("fluxlit_http_requests_total", **api_labels) == 3
    assert "/items/1" not in after, "raw paths never become labels"
    static = {"side": "static", "method": "GET", "route": "/static/{path}", "status": "200"}
    assert delta("fluxlit_http_requests_total", **static) == 1
    duration = {"side": "api", "method": "GET", "route": "/items/{item_id}"}
    assert delta("fluxlit_http_request_duration_seconds_count", **duration) == 3
    assert delta("fluxlit_gateway_refusals_total", reason="body_limit") == 1


def test_scrape_needs_the_bearer_token(observed: GatewayObservability) -> None:
    client = TestClient(build_dispatcher(api(), ui, observability=observed))
    denied = client.get("/__fluxlit/metrics", headers={"authorization": "Bearer wrong"})
    assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"
    assert client.get("/__fluxlit/metrics").status_code == 401
    ok = client.get("/__fluxlit/metrics", headers={"authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and "fluxlit_http_requests_total" in ok.text


def test_open_websockets_are_a_gauge(observed: GatewayObservability) -> None:
    client = TestClient(build_dispatcher(api(), ui, observability=observed))
    auth = {"authorization": "Bearer s3cret"}

    def gauge() -> float:
        text = client.get("/__fluxlit/metrics", headers=auth).text
        return _value(text, "fluxlit_websocket_sessions_open", side="ui")

    start = gauge()
    with client.websocket_connect("/_stcore/stream") as websocket:
        assert gauge() == start + 1
        websocket.send_text("bye")
    assert gauge() == start, "closed again"


def test_metrics_off_means_no_scrape_endpoint() -> None:
    client = TestClient(build_dispatcher(api(), ui))
    assert client.get("/__fluxlit/metrics").text == "ui", "an ordinary UI path then"
