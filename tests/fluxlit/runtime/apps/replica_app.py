"""Two-replica fixture: URL sessions in Redis, and the replica's name on the page."""

from __future__ import annotations

import os
from typing import Any

from fluxlit import FluxLit, ensure_url_session, hydrate_url_session, persist_url_session
from fluxlit.redis_store import RedisSessionStore

store = RedisSessionStore(os.environ["REPLICA_REDIS_URL"])
app = FluxLit(title="Replicas", import_target="replica_app:app", session_store=store)


@app.api.get("/replica")
def replica() -> dict[str, str]:
    """Which replica answered (the test checks where nginx sends a browser)."""
    return {"replica": os.environ["REPLICA"]}


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    ensure_url_session(st, store)
    hydrate_url_session(st, store)
    st.write(f"Replica: {os.environ['REPLICA']}")
    st.text_input("Note", key="note")
    st.write(f"Saved note: {st.session_state.get('note', '')}")
    persist_url_session(st, store)
