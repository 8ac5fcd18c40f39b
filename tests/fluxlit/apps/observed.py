"""Fixture app for observability tests: a templated route, a page calling it, a failing page.

The home page also prints, logs and warns, for the JSON log test.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from fluxlit import FluxLit

app = FluxLit(title="Observed", import_target="observed:app")


@app.api.get("/items/{item_id}")
def item(item_id: int) -> dict[str, int]:
    """A route whose template, not its raw path, must label the metrics."""
    return {"id": item_id}


@app.api.post("/echo")
def echo(body: dict[str, Any]) -> dict[str, Any]:
    """Takes a body, for the body-limit refusals."""
    return body


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    """Calls the API through the page's ApiClient."""
    st.title("Observed")
    print("home page ran")
    logging.getLogger("observed").warning("a warning from the page")
    warnings.warn("a Python warning from the page", stacklevel=1)
    st.write(f"item {client.get('/items/7').json()['id']}")


@app.page("/boom", title="Boom")
def boom(st: Any, client: Any) -> None:
    """Fails: an uncaught exception in a page run."""
    raise RuntimeError("boom on purpose")
