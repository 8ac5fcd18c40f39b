"""Page runs: a ``fluxlit.page.run`` span each, and the script-run metrics per page."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from fluxlit import FluxLitTestClient
from fluxlit.metrics.registry import enable_metrics
from fluxlit.tracing import install_trace_hook

APPS = Path(__file__).with_name("apps")
TARGET = "observed:app"


class SpanRecorder:
    """A process-wide hook (pages run in Streamlit's script thread) recording spans."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, dict[str, Any]]] = []

    @contextlib.contextmanager
    def __call__(self, name: str, attributes: Mapping[str, Any]) -> Iterator[None]:
        try:
            yield
        finally:
            self.spans.append((name, dict(attributes)))


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> Iterator[FluxLitTestClient]:
    monkeypatch.syspath_prepend(str(APPS))
    from observed import app  # type: ignore[import-not-found]

    with FluxLitTestClient(app) as client:
        yield client


@pytest.fixture
def recorder() -> Iterator[SpanRecorder]:
    hook = SpanRecorder()
    install_trace_hook(hook)
    yield hook
    install_trace_hook(None)


def _sample(name: str, **labels: str) -> float:
    """The current value of one series, from a real scrape (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = enable_metrics().exposition()[0].decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def _count(name: str, page: str) -> float:
    return _sample(name, page=page)


def test_a_page_run_is_a_span_around_the_api_calls_it_makes(
    observed: FluxLitTestClient, recorder: SpanRecorder
) -> None:
    at = observed.streamlit(target=TARGET, extra_sys_path=APPS)
    assert not at.exception
    names = [name for name, _ in recorder.spans]
    assert names == ["fluxlit.gateway.request", "fluxlit.page.run"], "API call inside the run"
    page = recorder.spans[1][1]
    assert page["fluxlit.page"] == "/" and page["session.id"]


def test_script_runs_and_exceptions_are_counted_per_page(observed: FluxLitTestClient) -> None:
    runs, fails = "fluxlit_script_runs_total", "fluxlit_script_exceptions_total"
    before = {(n, p): _count(n, p) for n in (runs, fails) for p in ("/", "/boom")}
    observed.streamlit(target=TARGET, extra_sys_path=APPS)
    at = observed.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "boom"})
    assert at.exception, "the page failed"
    after = {key: _count(*key) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        (runs, "/"): 1,
        (runs, "/boom"): 1,
        (fails, "/"): 0,
        (fails, "/boom"): 1,
    }
    durations = _count("fluxlit_script_run_duration_seconds_count", "/boom")
    assert durations >= 1


def test_failed_session_store_operations_are_counted() -> None:
    from fluxlit.streamlit.observe import counted_store

    class DownStore:
        def get(self, session_id: str) -> dict[str, Any] | None:
            raise ConnectionError("store down")

        def set(self, session_id: str, data: dict[str, Any], *, ttl_seconds: Any = None) -> None:
            raise ConnectionError("store down")

        def delete(self, session_id: str) -> None:
            return None

    enable_metrics()
    store = counted_store(DownStore())

    def errors(operation: str) -> float:
        return _sample("fluxlit_session_store_errors_total", operation=operation)

    before = errors("get"), errors("set"), errors("delete")
    with pytest.raises(ConnectionError):
        store.get("sid")
    with pytest.raises(ConnectionError):
        store.set("sid", {}, ttl_seconds=5)
    store.delete("sid")
    assert (errors("get"), errors("set"), errors("delete")) == (
        before[0] + 1,
        before[1] + 1,
        before[2],
    )
    assert counted_store(None) is None


def test_a_redis_store_that_is_down_counts_each_failed_operation() -> None:
    import redis

    from fluxlit.redis_store import RedisSessionStore

    class DownClient:
        def get(self, key: str) -> Any:
            raise redis.ConnectionError("refused")

        def set(self, *args: Any, **kwargs: Any) -> Any:
            raise redis.ConnectionError("refused")

    enable_metrics()
    store = RedisSessionStore(client=DownClient(), retry_after_s=60)

    def errors(operation: str) -> float:
        return _sample("fluxlit_session_store_errors_total", operation=operation)

    before = errors("get"), errors("set")
    assert store.get("sid") is None  # fails, then Redis counts as down
    store.set("sid", {"a": 1})  # skipped while down: not done, so counted too
    assert (errors("get"), errors("set")) == (before[0] + 1, before[1] + 1)
