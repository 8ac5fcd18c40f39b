"""The app every bench configuration serves: one API route and one page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from fluxlit import FluxLit

app = FluxLit(title="Bench", import_target="bench_app:app")


def ping() -> dict[str, bool]:
    """The API route wrk hammers."""
    return {"ok": True}


async def aping() -> dict[str, bool]:
    """The same route, async (it runs on the event loop, not in a worker thread)."""
    return {"ok": True}


app.api.add_api_route("/ping", ping, methods=["GET"])
app.api.add_api_route("/aping", aping, methods=["GET"])

bare_api = FastAPI(title="Bench")
bare_api.add_api_route("/ping", ping, methods=["GET"])


@app.page("/", title="Bench")
def home(st: Any, client: Any) -> None:
    """What the browser waits for."""
    st.title("Bench page")
