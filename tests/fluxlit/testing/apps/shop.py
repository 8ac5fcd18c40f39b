"""Fixture app for the testing toolkit: API data on a page, errors, headers, deep links."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel

from fluxlit import FluxLit, Header, PageMeta

#: What the lifespan did, in order: tests read it to see startup and shutdown happen.
EVENTS: list[str] = []


@contextlib.asynccontextmanager
async def lifespan(api: FastAPI) -> AsyncIterator[dict[str, Any]]:
    """Open the till at startup (state the routes read); note the shutdown."""
    EVENTS.append("startup")
    yield {"till": "open"}
    EVENTS.append("shutdown")


app = FluxLit(title="Shop", import_target="shop:app", fastapi_kwargs={"lifespan": lifespan})

PRICES = {"lamp": 30, "desk": 120}


class Order(BaseModel):
    """A request body for ``POST /orders``."""

    item: str
    quantity: int = 1


@app.api.get("/products")
def products() -> list[dict[str, Any]]:
    """Real data the home page shows."""
    return [{"name": name, "price": price} for name, price in PRICES.items()]


@app.api.post("/orders", status_code=201)
def order(body: Order) -> dict[str, Any]:
    """Price an order (the request body decides the answer)."""
    return {"item": body.item, "total": PRICES[body.item] * body.quantity}


@app.api.get("/till")
def till(request: Request) -> dict[str, str]:
    """What the lifespan put in the request state (absent without a lifespan)."""
    return {"till": getattr(request.state, "till", "closed")}


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


@app.page("/till", title="Till")
def till_page(st: Any, client: Any) -> None:
    st.title("Till")
    st.write("till " + client.get("/till").json()["till"])


@app.page("/broken", title="Broken")
def broken(st: Any, client: Any) -> None:
    st.error("inventory service unavailable")
