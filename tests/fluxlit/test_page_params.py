"""Page metadata, query/session helpers and handler injection."""

from __future__ import annotations

import inspect
from collections.abc import Coroutine
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from fluxlit import Cookie, Depends, Header, PageMeta, Query, SessionModel, parse_query_params
from fluxlit.pages.inject import call_page_handler, check_page_handler
from fluxlit.pages.params import (
    reset_page_cookie_context,
    reset_page_header_context,
    set_page_cookie_context,
    set_page_header_context,
)
from fluxlit.url_session import InMemorySessionStore, SessionStore


class Filters(BaseModel):
    region: str
    year: int = 2026
    tags: list[str] = []


def test_page_meta_config_kwargs_and_extra_ignored() -> None:
    meta = PageMeta(page_title="T", layout="wide", breadcrumbs=["a"], unknown=1)
    assert meta.page_config_kwargs() == {"page_title": "T", "layout": "wide"}
    with pytest.raises(ValidationError):
        PageMeta(layout="huge")


def test_parse_query_params(fake_st) -> None:
    st = fake_st({"region": ["north"], "year": "2025", "tags": ["a", "b"]})
    assert parse_query_params(st, Filters) == Filters(region="north", year=2025, tags=["a", "b"])
    bad = fake_st({"year": "soon"})
    assert parse_query_params(bad, Filters) is None
    assert "region" in bad.errors[0] and "year" in bad.errors[0]
    with pytest.raises(ValidationError):
        parse_query_params(fake_st({}), Filters, strict=True)


@pytest.mark.parametrize("kind", ["plain dict", "streamlit QueryParams"])
def test_parse_query_params_keeps_every_value_of_a_repeated_key(kind: str) -> None:
    """One-element lists become their element; several values pass through as a list."""
    if kind == "plain dict":
        query: Any = {"region": ["north"], "year": ["2024"], "tags": ["a", "b"], "none": []}
    else:
        from streamlit.runtime.state.query_params import QueryParams

        query = QueryParams()
        query.populate_from_query_string("region=north&year=2024&tags=a&tags=b")
    st = SimpleNamespace(query_params=query, error=lambda message: None)
    assert parse_query_params(st, Filters) == Filters(region="north", year=2024, tags=["a", "b"])


def test_session_model(fake_st) -> None:
    st = fake_st()
    st.session_state.update({"region": "south", "other": 1})
    helper = SessionModel(st)
    assert helper.load(Filters) == Filters(region="south")
    helper.save(Filters(region="west", year=1))
    assert st.session_state["region"] == "west" and st.session_state["year"] == 1


class OpenPrefs(BaseModel):
    """A model that keeps extra keys."""

    model_config = ConfigDict(extra="allow")
    region: str = "north"


def _state(fake_st: Any) -> Any:
    st = fake_st()
    st.session_state.update({"region": "south", "widget_1": 3})
    return st


def test_session_model_extra_ignore_leaves_other_keys_out(fake_st) -> None:
    st = _state(fake_st)
    assert SessionModel(st).load(OpenPrefs).model_extra == {}
    assert SessionModel(st, extra="ignore").load(Filters) == Filters(region="south")


def test_session_model_extra_allow_passes_other_keys(fake_st) -> None:
    st = _state(fake_st)
    helper = SessionModel(st, extra="allow")
    loaded = helper.load(OpenPrefs)
    assert loaded.region == "south" and loaded.model_extra == {"widget_1": 3}
    assert helper.load(Filters) == Filters(region="south"), "the model may still drop them"
    helper.save(OpenPrefs(region="west", note="hi"))
    assert st.session_state == {"region": "west", "widget_1": 3, "note": "hi"}
    SessionModel(st).save(OpenPrefs(region="east", other=1))
    assert "other" not in st.session_state, "ignore writes fields only"


def test_session_model_extra_forbid_rejects_other_keys(fake_st) -> None:
    st = _state(fake_st)
    with pytest.raises(ValidationError) as caught:
        SessionModel(st, extra="forbid").load(Filters)
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
        ("extra_forbidden", ("widget_1",))
    ]
    del st.session_state["widget_1"]
    assert SessionModel(st, extra="forbid").load(Filters) == Filters(region="south")


def test_session_model_rejects_unknown_policy(fake_st) -> None:
    with pytest.raises(ValueError, match="extra="):
        SessionModel(fake_st(), extra="strict")


def test_depends_use_cache_false_calls_again(fake_st) -> None:
    calls: list[int] = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    def handler(
        st: Any,
        client: Any,
        a: int = Depends(counter, use_cache=False),
        b: int = Depends(counter, use_cache=False),
        c: int = Depends(counter),
        d: int = Depends(counter),
    ) -> tuple[int, int, int, int]:
        return a, b, c, d

    assert call_page_handler(handler, fake_st(), None) == (1, 2, 3, 3)
    assert len(calls) == 3


def test_injection_of_every_kind(fake_st) -> None:
    st = fake_st({"region": "east"}, headers={"X-User": "ann"}, cookies={"theme": "dark"})
    store = InMemorySessionStore()
    calls: list[str] = []

    def db() -> str:
        calls.append("db")
        return "conn"

    def user(st: Any, client: Any) -> str:
        return f"{client}-user"

    def handler(
        st: Any,
        client: Any,
        conn: str = Depends(db),
        again: str = Depends(db),
        who: str = Depends(user),
        x_user: str | None = Header("X-User"),
        theme: str | None = Cookie("theme"),
        filters: Filters = Query(),
        store_: SessionStore = None,  # type: ignore[assignment]
        session: SessionModel = None,  # type: ignore[assignment]
        plain: int = 7,
    ) -> dict[str, Any]:
        return locals()

    handler.__annotations__["store_"] = SessionStore
    handler.__annotations__["session"] = SessionModel
    result = call_page_handler(handler, st, "client", session_store=store)
    assert result["conn"] == result["again"] == "conn" and calls == ["db"]
    assert result["who"] == "client-user"
    assert (result["x_user"], result["theme"]) == ("ann", "dark")
    assert result["filters"] == Filters(region="east")
    assert result["store_"] is store and isinstance(result["session"], SessionModel)
    assert result["plain"] == 7


def test_overrides_and_context_win(fake_st) -> None:
    st = fake_st(headers={"X-User": "from-st"})

    def handler(st: Any, client: Any, user: str | None = Header("X-User")) -> Any:
        return user

    assert call_page_handler(handler, st, None, overrides={"X-User": "override"}) == "override"
    assert call_page_handler(handler, st, None, overrides={"user": "by-name"}) == "by-name"
    token = set_page_header_context({"x-user": "ctx"})
    try:
        assert call_page_handler(handler, st, None) == "ctx"
    finally:
        reset_page_header_context(token)
    cookie_token = set_page_cookie_context({"c": "v"})
    try:
        assert call_page_handler(lambda st, client, c=Cookie("c"): c, st, None) == "v"
    finally:
        reset_page_cookie_context(cookie_token)


def test_injection_errors(fake_st) -> None:
    def needs_store(st: Any, client: Any, store: SessionStore) -> None: ...

    with pytest.raises(TypeError, match="session store"):
        call_page_handler(needs_store, fake_st(), None)

    def unknown(st: Any, client: Any, mystery: int) -> None: ...

    with pytest.raises(TypeError, match="cannot inject parameter 'mystery'"):
        call_page_handler(unknown, fake_st(), None)

    async def later() -> int:
        return 1

    def uses_async(st: Any, client: Any, v: int = Depends(later)) -> int:
        return v

    with pytest.raises(TypeError, match="FLUXLIT_ASYNC_PAGE_DEPENDS"):
        call_page_handler(uses_async, fake_st(), None)
    made: list[Coroutine[Any, Any, int]] = []

    def tracked() -> Coroutine[Any, Any, int]:
        made.append(later())
        return made[-1]

    def uses_tracked(st: Any, client: Any, v: int = Depends(tracked)) -> int:
        return v

    with pytest.raises(TypeError, match="FLUXLIT_ASYNC_PAGE_DEPENDS"):
        call_page_handler(uses_tracked, fake_st(), None)
    assert inspect.getcoroutinestate(made[0]) == inspect.CORO_CLOSED, "no 'never awaited'"
    assert call_page_handler(uses_async, fake_st(), None, async_depends=True) == 1


def test_yield_pages(fake_st) -> None:
    def gen(st: Any, client: Any) -> Any:
        yield "one"
        yield "two"
        return PageMeta(breadcrumbs=["x"])

    st = fake_st()
    result = call_page_handler(gen, st, None, yield_pages=True)
    assert st.written == ["one", "two"] and result == PageMeta(breadcrumbs=["x"])


def test_check_page_handler() -> None:
    def good(st: Any, client: Any, h: str = Header("h")) -> None: ...

    def too_few(st: Any) -> None: ...

    def bad_param(st: Any, client: Any, x: int) -> None: ...

    assert check_page_handler(good) == []
    assert "must accept (st, client)" in check_page_handler(too_few)[0]
    assert "'x' cannot be injected" in check_page_handler(bad_param)[0]
    assert "not callable" in check_page_handler(42)[0]
