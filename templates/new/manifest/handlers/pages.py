"""Page handlers named in fluxlit.toml: each takes (st, client)."""

from typing import Any


def home(st: Any, client: Any) -> None:
    st.title("Home")
    st.write(client.get("/hello").json()["message"])


def about(st: Any, client: Any) -> None:
    st.title("About")
    st.write("Declared in fluxlit.toml, compiled by `fluxlit compile`.")
