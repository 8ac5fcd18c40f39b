"""URL-bound sessions and the in-memory store's documented TTL semantics."""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace
from typing import Any

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


@pytest.mark.parametrize("refused", ["", "../../etc/passwd", "a" * 129, "x y", "é", "a.b"])
def test_ids_outside_the_rule_are_refused_with_a_warning(fake_st, caplog, refused: str) -> None:
    store = InMemorySessionStore()
    with caplog.at_level(logging.WARNING, logger="fluxlit.url_session"):
        assert hydrate_url_session(fake_st({"fluxlit_sid": refused}), store) is None
        assert persist_url_session(fake_st({"fluxlit_sid": refused}), store) is None
        st = fake_st({"fluxlit_sid": refused})
        minted = ensure_url_session(st, store)
    assert minted != refused and st.query_params["fluxlit_sid"] == minted
    assert len(store) == 1 and store.get(refused) is None
    assert len(caplog.records) == 3
    assert all("fluxlit_sid" in r.getMessage() for r in caplog.records)
    if refused:
        assert all(refused not in r.getMessage() for r in caplog.records), "no raw value in logs"


@pytest.mark.parametrize("accepted", ["a", "alice", "x" * 128, "A-b_9"])
def test_short_url_safe_ids_keep_their_state(fake_st, caplog, accepted: str) -> None:
    """Any 1-128 URL-safe id works: state written under it comes back on reload."""
    store = InMemorySessionStore()
    st = fake_st({"fluxlit_sid": accepted})
    with caplog.at_level(logging.WARNING, logger="fluxlit.url_session"):
        assert ensure_url_session(st, store) == accepted
        st.session_state["step"] = 3
        assert persist_url_session(st, store) == accepted
        reloaded = fake_st({"fluxlit_sid": accepted})
        assert hydrate_url_session(reloaded, store) == accepted
    assert reloaded.session_state == {"step": 3}
    assert not caplog.records


def test_ensure_merges_missing_initial_keys_into_an_existing_session(fake_st) -> None:
    store = RecordingStore()
    sid = new_session_id()
    store.set(sid, {"step": 5})
    st = fake_st({"fluxlit_sid": sid})
    assert ensure_url_session(st, store, initial={"step": 1, "theme": "dark"}, ttl_seconds=9) == sid
    assert store.get(sid) == {"step": 5, "theme": "dark"}, "stored values win"
    assert store.ttls[-1] == 9
    writes = len(store.ttls)
    assert ensure_url_session(st, store, initial={"step": 0}) == sid
    assert len(store.ttls) == writes, "nothing missing: no write"
    empty = fake_st({"fluxlit_sid": "fresh"})
    ensure_url_session(empty, store, initial={"a": 1})
    assert store.get("fresh") == {"a": 1}


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


@pytest.mark.parametrize(("merge", "theme"), [(True, "light"), (False, "dark")])
def test_hydrate_typed_merge_decides_who_wins(fake_st, merge: bool, theme: str) -> None:
    """With ``merge`` the in-flight value stays; without it the stored, validated one wins."""
    store = InMemorySessionStore()
    sid = new_session_id()
    store.set(sid, {"theme": "dark"})
    st = fake_st({"fluxlit_sid": sid})
    st.session_state.update(theme="light", other=1)
    assert hydrate_url_session_typed(st, store, Prefs, merge=merge) == (sid, Prefs(theme="dark"))
    assert st.session_state == {"theme": theme, "other": 1}


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


def _real_st(query: str) -> Any:
    """An ``st`` whose ``query_params`` is Streamlit's real ``QueryParams`` object."""
    from streamlit.runtime.state.query_params import QueryParams

    params = QueryParams()
    params.populate_from_query_string(query)
    return SimpleNamespace(query_params=params, session_state={})


def test_repeated_session_param_uses_the_first_value() -> None:
    store = InMemorySessionStore()
    first, second = new_session_id(), new_session_id()
    store.set(first, {"owner": "first"})
    store.set(second, {"owner": "second"})
    st = _real_st(f"fluxlit_sid={first}&fluxlit_sid={second}")
    assert hydrate_url_session(st, store) == first
    assert st.session_state == {"owner": "first"}
    st.session_state["step"] = 2
    assert persist_url_session(st, store) == first
    assert store.get(second) == {"owner": "second"}, "the second id is never written"


class RecordingStore(InMemorySessionStore):
    """Remembers the ``ttl_seconds`` of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.ttls: list[float | None] = []

    def set(
        self, session_id: str, data: dict[str, Any], *, ttl_seconds: float | None = None
    ) -> None:
        self.ttls.append(ttl_seconds)
        super().set(session_id, data, ttl_seconds=ttl_seconds)


def test_ttl_seconds_reaches_the_store(fake_st) -> None:
    store = RecordingStore()
    st = fake_st()
    ensure_url_session(st, store, ttl_seconds=12.5)
    persist_url_session(st, store, ttl_seconds=3.0)
    persist_url_session(st, store)
    assert store.ttls == [12.5, 3.0, None]


def test_custom_param_and_environment_default(fake_st, monkeypatch) -> None:
    store = InMemorySessionStore()
    st = fake_st()
    sid = ensure_url_session(st, store, param="s")
    assert dict(st.query_params) == {"s": sid}
    assert hydrate_url_session(st, store) is None, "the default name is not looked at"
    assert hydrate_url_session(st, store, param="s") == sid

    monkeypatch.setenv("FLUXLIT_SESSION_PARAM", "envsid")
    other = fake_st()
    env_sid = ensure_url_session(other, store)
    assert dict(other.query_params) == {"envsid": env_sid}
    assert persist_url_session(other, store) == env_sid
    explicit = ensure_url_session(other, store, param="wins")
    assert "wins" in other.query_params and explicit != env_sid


def test_hydrate_merges_the_given_blob_instead_of_the_store(fake_st) -> None:
    store = InMemorySessionStore()
    sid = new_session_id()
    store.set(sid, {"from": "store"})
    st = fake_st({"fluxlit_sid": sid})
    st.session_state["kept"] = 1
    assert hydrate_url_session(st, store, blob={"from": "blob", "kept": 2}) == sid
    assert st.session_state == {"from": "blob", "kept": 1}
    assert hydrate_url_session(st, store, blob={"kept": 3}, merge=False) == sid
    assert st.session_state["kept"] == 3


@pytest.mark.parametrize(("debug", "traceback"), [("1", True), ("", False)])
def test_persist_failure_traceback_only_in_debug(
    fake_st, caplog, monkeypatch, debug: str, traceback: bool
) -> None:
    class Exploding(dict):
        def keys(self):
            raise RuntimeError("snapshot boom")

        def __iter__(self):
            raise RuntimeError("snapshot boom")

    monkeypatch.setenv("FLUXLIT_DEBUG", debug)
    sid = new_session_id()
    st = fake_st({"fluxlit_sid": sid})
    st.session_state = Exploding()
    with caplog.at_level(logging.WARNING, logger="fluxlit.url_session"):
        assert persist_url_session(st, InMemorySessionStore()) == sid
    (record,) = caplog.records
    assert bool(record.exc_info) is traceback
    assert ("snapshot boom" in caplog.text) is traceback
