"""The IR: versioned, frozen, and exact through a JSON round trip."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from fluxlit.model import (
    AppModel,
    AuthModel,
    AuthRequirement,
    HandlerRef,
    JWTModel,
    MountModel,
    NavigationModel,
    PageModel,
    RouteModel,
    SessionStoreModel,
)


def _full_model() -> AppModel:
    return AppModel(
        source="fluxlit.toml",
        title='Quote " and ünïcode',
        settings={"gateway_port": 9000, "streamlit_page_config": {"layout": "wide"}},
        pages=(
            PageModel(
                path="/",
                title="Home",
                handler=HandlerRef(kind="import", value="pages:home"),
                icon=":material/home:",
                tags=("a", "b"),
                page_meta={"layout": "wide"},
            ),
            PageModel(path="/r", title="R", handler=HandlerRef(kind="script", value="r.py")),
        ),
        navigation=NavigationModel(order=("/r", "/")),
        routes=(
            RouteModel(
                path="/items/{id}",
                handler=HandlerRef(kind="import", value="api:item"),
                methods=("GET", "DELETE"),
                auth=AuthRequirement(roles=("admin",), scopes=("items:read",)),
            ),
        ),
        mounts=(MountModel(path="/static", static_dir="public", html=True),),
        auth=AuthModel(jwt=JWTModel(issuer="i", audience="a", hs256_secret_env="SECRET")),
        session_store=SessionStoreModel(kind="redis", url_env="REDIS_URL"),
    )


def test_json_round_trip_is_exact() -> None:
    model = _full_model()
    text = model.to_json()
    assert AppModel.from_json(text) == model
    assert AppModel.from_json(text).to_json() == text
    assert json.loads(text)["ir_version"] == 1


def test_to_json_is_deterministic_and_sorted() -> None:
    text = _full_model().to_json()
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert text.endswith("\n")


def test_model_is_frozen_and_strict() -> None:
    model = _full_model()
    with pytest.raises(ValidationError):
        model.title = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        PageModel(path="/", title="x", handler=HandlerRef(kind="import", value="a:b"), bogus=1)
    with pytest.raises(ValidationError):
        HandlerRef(kind="lambda", value="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        AppModel(ir_version=2)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        RouteModel(path="/", handler=HandlerRef(kind="import", value="a:b"), methods=("FETCH",))  # type: ignore[arg-type]
