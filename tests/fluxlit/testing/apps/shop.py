"""Fixture app for the testing toolkit: API data on a page, errors, headers, deep links."""

from __future__ import annotations

from typing import Any

from fluxlit import FluxLit, Header, PageMeta

app = FluxLit(title="Shop", import_target="shop:app")


@app.api.get("/products")
def products() -> list[dict[str, Any]]:
    """Real data the home page shows."""
    return [{"name": "lamp", "price": 30}, {"name": "desk", "price": 120}]


@app.page("/", title="Home")
def home(st: Any, client: Any) -> PageMeta:
    st.title("Shop")
    for item in client.get("/products").json():
        st.write(f"{item['name']}: {item['price']}")
    return PageMeta(breadcrumbs=["Shop", "Home"])


@app.page("/account", title="Account")
def account(st: Any, client: Any, user: str | None = Header("X-Remote-User")) -> None:
    st.title("Account")
    st.write(f"user={user}")


@app.page("/broken", title="Broken")
def broken(st: Any, client: Any) -> None:
    st.error("inventory service unavailable")
