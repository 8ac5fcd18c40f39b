"""A FluxLit app: one API route and one Streamlit page that calls it."""

from typing import Any

from fluxlit import FluxLit

app = FluxLit(title="__TITLE__", import_target="app:app")


@app.api.get("/hello")
def hello(name: str = "world") -> dict[str, str]:
    """Greet ``name``."""
    return {"message": f"Hello, {name}!"}


@app.page("/", title="Home", icon=":material/home:")
def home(st: Any, client: Any) -> None:
    """Ask the API for a greeting."""
    st.title("__TITLE__")
    name = st.text_input("Name", value="world")
    st.write(client.get("/hello", params={"name": name}).json()["message"])
