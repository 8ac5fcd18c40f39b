"""FluxLit demo: an API route and two Streamlit pages that call it, on one port."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from fluxlit import Cookie, FluxLit, Header

app = FluxLit(title="FluxLit demo", import_target="app:app")


class Greeting(BaseModel):
    """What ``GET /api/hello`` returns."""

    message: str
    count: int


@app.api.get("/hello", response_model=Greeting)
def hello(name: str = "world", count: int = 1) -> Greeting:
    """Greet ``name``; the UI calls this through ``ApiClient``."""
    return Greeting(message=f"Hello, {name}!", count=count)


@app.page("/", title="Home", icon=":material/home:")
def home(st: Any, client: Any) -> None:
    """Ask the API for a greeting and show it."""
    st.title("FluxLit demo")
    name = st.text_input("Your name", value="world")
    count = st.slider("How many times?", min_value=1, max_value=5, value=1)
    greeting = client.get_model("/hello", Greeting, params={"name": name, "count": count})
    for _ in range(greeting.count):
        st.write(greeting.message)


@app.page("/about", title="About", icon=":material/info:")
def about(st: Any, client: Any) -> None:
    """Explain where things live."""
    st.title("About")
    st.markdown("The API lives under `/api` (try `/api/docs`); this UI is Streamlit.")


@app.page("/me", title="Me", icon=":material/person:")
def me(
    st: Any,
    client: Any,
    user: str | None = Header("X-User"),
    theme: str | None = Cookie("ui_theme"),
) -> None:
    """Show who the proxy in front says the visitor is (a header) and their theme (a cookie)."""
    st.title("Me")
    st.write(f"Signed in as {user or 'nobody'} (theme: {theme or 'default'})")
