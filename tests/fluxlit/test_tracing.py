"""fluxlit.tracing: context and process-wide hooks, and the traceparent ApiClient sends."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from fluxlit.client import ApiClient, set_client_factory
from fluxlit.tracing import (
    current_traceparent,
    install_trace_hook,
    reset_trace_hook,
    set_trace_hook,
    trace_span,
)

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@contextlib.contextmanager
def hook_with_parent(name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
    class Span:
        traceparent = TRACEPARENT

    yield Span()


def test_a_process_hook_reaches_other_threads_and_a_context_hook_wins() -> None:
    seen: list[str] = []

    @contextlib.contextmanager
    def process_hook(name: str, attributes: Mapping[str, Any]) -> Iterator[None]:
        seen.append("process:" + name)
        yield

    @contextlib.contextmanager
    def context_hook(name: str, attributes: Mapping[str, Any]) -> Iterator[None]:
        seen.append("context:" + name)
        yield

    install_trace_hook(process_hook)
    try:
        thread = threading.Thread(target=lambda: trace_span("in-thread", {}).__enter__())
        thread.start()
        thread.join()
        token = set_trace_hook(context_hook)
        with trace_span("here", {}):
            pass
        reset_trace_hook(token)
    finally:
        install_trace_hook(None)
    with trace_span("after", {}):
        pass
    assert seen == ["process:in-thread", "context:here"]


def test_apiclient_sends_the_open_span_traceparent() -> None:
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("traceparent"))
        return httpx.Response(200, json={})

    restore = set_client_factory(
        lambda base, timeout: httpx.Client(transport=httpx.MockTransport(handler))
    )
    token = set_trace_hook(hook_with_parent)
    try:
        with ApiClient(base_url="http://fluxlit.test/api") as client:
            client.get("/outside")
            with trace_span("fluxlit.page.run", {}):
                assert current_traceparent() == TRACEPARENT
                client.get("/inside")
    finally:
        reset_trace_hook(token)
        restore()
    assert sent == [None, TRACEPARENT]
