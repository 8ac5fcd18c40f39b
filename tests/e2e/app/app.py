"""App driven by the browser tests: a title, a rerunning widget and API data."""

from __future__ import annotations

from typing import Any

from fluxlit import FluxLit

app = FluxLit(title="E2E app", import_target="app:app")


@app.api.get("/fruit")
def fruit() -> dict[str, list[str]]:
    """Data the page fetches through ApiClient."""
    return {"items": ["apple", "banana", "cherry"]}


@app.page("/", title="Home")
def home(st: Any, client: Any) -> None:
    """Title, a counter that reruns on click, and the API's data."""
    st.title("FluxLit E2E")
    count = st.session_state.setdefault("clicks", 0)
    if st.button("Add one"):
        count = st.session_state["clicks"] = count + 1
    st.write(f"Clicks: {count}")
    items = client.get("/fruit").json()["items"]
    st.write("Fruit from API: " + ", ".join(items))
