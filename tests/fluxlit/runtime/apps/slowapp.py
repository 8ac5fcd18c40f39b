"""Runtime fixture app: a slow route to keep requests in flight during shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

from fluxlit import FluxLit

app = FluxLit(title="Lifecycle", import_target="slowapp:app")


@app.api.get("/slow")
async def slow(seconds: float = 1.0) -> dict[str, float]:
    """Answer after ``seconds``; used to prove in-flight requests drain on SIGTERM."""
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    st.title("Lifecycle app")


not_fluxlit = object()
