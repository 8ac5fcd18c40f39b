"""URL-bound sessions and the in-memory store's documented TTL semantics."""

from __future__ import annotations

import logging
import time

import pytest
from pydantic import BaseModel, ValidationError
from streamlit.testing.v1 import AppTest

from fluxlit import (
    InMemorySessionStore,
    ensure_url_session,
    hydrate_url_session,
    hydrate_url_session_typed,
    new_session_id,
    persist_url_session,
)


def test_ttl_semantics(monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    store = InMemorySessionStore(default_ttl_seconds=10)
    store.set("default", {"a": 1})
    store.set("short", {"a": 2}, ttl_seconds=1)
    store.set("zero", {"a": 3}, ttl_seconds=0)
    store.set("negative", {"a": 4}, ttl_seconds=-5)
    now[0] += 5
    assert store.get("short") is None
    assert store.get("default") == {"a": 1}
    now[0] += 10_000
    assert store.get("default") is None
    assert store.get("zero") == {"a": 3}, "ttl 0 means no TTL window, not expire now"
    assert store.get("negative") == {"a": 4}
    forever = InMemorySessionStore(default_ttl_seconds=None)
    forever.set("x", {})
    now[0] += 10**9
    assert forever.get("x") == {}


def test_store_is_bounded_and_copies() -> None:
    store = InMemorySessionStore(max_entries=2)
    blob = {"k": 1}
    store.set("a", blob)
    blob["k"] = 2
    assert store.get("a") == {"k": 1}
    store.set("b", {})
    store.set("c", {})
    assert len(store) == 2 and store.get("a") is None
    store.delete("b")
    store.delete("missing")
    assert store.get("b") is None
    with pytest.raises(ValueError):
        InMemorySessionStore(max_entries=0)


def test_new_session_id_is_long_and_url_safe() -> None:
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100
    for sid in ids:
        assert len(sid) >= 22 and all(c.isalnum() or c in "-_" for c in sid)


def test_ensure_hydrate_persist(fake_st) -> None:
    store = InMemorySessionStore()
    st = fake_st()
    sid = ensure_url_session(st, store, initial={"step": 1})
    assert st.query_params["fluxlit_sid"] == sid and store.get(sid) == {"step": 1}
    assert ensure_url_session(st, store) == sid

    reloaded = fake_st({"fluxlit_sid": sid})
    reloaded.session_state["step"] = 5
    assert hydrate_url_session(reloaded, store) == sid
    assert reloaded.session_state["step"] == 5, "merge keeps in-flight values"
    assert hydrate_url_session(reloaded, store, merge=False) == sid
    assert reloaded.session_state["step"] == 1

    reloaded.session_state["note"] = "hi"
    assert persist_url_session(reloaded, store) == sid
    assert store.get(sid) == {"step": 1, "note": "hi"}

    assert hydrate_url_session(fake_st(), store) is None
    assert persist_url_session(fake_st(), store) is None
    unknown = fake_st({"fluxlit_sid": new_session_id()})
    assert hydrate_url_session(unknown, store) is not None
    assert unknown.session_state == {}


def test_forged_ids_are_ignored(fake_st) -> None:
    store = InMemorySessionStore()
    for forged in ["short", "../../etc/passwd" * 2, "a" * 500, "x y" * 10]:
        st = fake_st({"fluxlit_sid": forged})
        assert hydrate_url_session(st, store) is None
        assert ensure_url_session(st, store) != forged


def test_read_only_query_still_returns_id(fake_st, caplog) -> None:
    store = InMemorySessionStore()
    st = fake_st(read_only=True)
    with caplog.at_level(logging.WARNING):
        sid = ensure_url_session(st, store, initial={"a": 1})
    assert store.get(sid) == {"a": 1} and "read-only" in caplog.text


def test_persist_failure_keeps_store(fake_st, caplog) -> None:
    class Exploding(dict):
        def __iter__(self):
            raise RuntimeError("boom")

        def keys(self):
            raise RuntimeError("boom")

    store = InMemorySessionStore()
    sid = new_session_id()
    store.set(sid, {"old": True})
    st = fake_st({"fluxlit_sid": sid})
    st.session_state = Exploding()
    with caplog.at_level(logging.WARNING):
        assert persist_url_session(st, store) == sid
    assert store.get(sid) == {"old": True} and "not updated" in caplog.text


class Prefs(BaseModel):
    theme: str


def test_hydrate_typed(fake_st) -> None:
    store = InMemorySessionStore()
    good, bad = new_session_id(), new_session_id()
    store.set(good, {"theme": "dark"})
    store.set(bad, {"theme": 3, "junk": True})
    st = fake_st({"fluxlit_sid": good})
    assert hydrate_url_session_typed(st, store, Prefs) == (good, Prefs(theme="dark"))
    assert st.session_state == {"theme": "dark"}
    st_bad = fake_st({"fluxlit_sid": bad})
    assert hydrate_url_session_typed(st_bad, store, Prefs) == (bad, None)
    assert st_bad.session_state == {}, "invalid payloads must not partially hydrate"
    with pytest.raises(ValidationError):
        hydrate_url_session_typed(st_bad, store, Prefs, strict=True)
    assert hydrate_url_session_typed(fake_st(), store, Prefs) == (None, None)


def _session_script() -> None:
    import streamlit as st

    from fluxlit import InMemorySessionStore, ensure_url_session, persist_url_session

    store = st.session_state.setdefault("_store", InMemorySessionStore())
    sid = ensure_url_session(st, store, initial={"visits": 0})
    st.write(f"sid={sid}")
    persist_url_session(st, store)


def test_ensure_url_session_in_real_apptest() -> None:
    at = AppTest.from_function(_session_script).run()
    assert not at.exception
    sid = at.query_params["fluxlit_sid"]
    sid = sid[0] if isinstance(sid, list) else sid
    assert at.markdown[0].value == f"sid={sid}"
