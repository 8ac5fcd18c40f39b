"""The app the hardening tests attack: fast and slow routes, a failing page, URL sessions."""

from __future__ import annotations

import os
import time
from typing import Any

from fluxlit import FluxLit, ensure_url_session, hydrate_url_session, persist_url_session
from fluxlit.redis_store import RedisSessionStore
from fluxlit.url_session import InMemorySessionStore, SessionStore

REDIS_URL = os.environ.get("HARD_REDIS_URL")
store: SessionStore = RedisSessionStore(REDIS_URL) if REDIS_URL else InMemorySessionStore()
app = FluxLit(title="Hardening", import_target="hardapp:app", session_store=store)


@app.api.get("/ping")
async def ping() -> dict[str, bool]:
    """A fast route: the one that must keep answering."""
    return {"ok": True}


@app.api.get("/sleep")
def sleep(seconds: float = 1.0) -> dict[str, float]:
    """A slow sync route: holds a worker thread for ``seconds``."""
    time.sleep(seconds)
    return {"slept": seconds}


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    ensure_url_session(st, store)
    hydrate_url_session(st, store)
    st.session_state["visits"] = st.session_state.get("visits", 0) + 1
    st.title("Hardening home")
    st.write(f"Visits: {st.session_state['visits']}")
    persist_url_session(st, store)


@app.page("/boom", title="Boom")
def boom(st: Any, client: Any) -> None:
    st.title("Boom page")
    raise RuntimeError("kaboom-secret-detail")
