"""The Streamlit entry script's per-run work: what it builds once per app."""

from __future__ import annotations

from typing import Any

import pytest

from fluxlit import FluxLit
from fluxlit.model import AppModel
from fluxlit.streamlit.entry import app_model


def _app(title: str) -> FluxLit[Any]:
    app = FluxLit(title=title)

    @app.page("/", title="Home")
    def home(st: Any, client: Any) -> None:
        st.title("home")

    return app


def test_the_model_is_built_once_per_app_and_target(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str | None] = []
    build = FluxLit.model

    def counted(self: FluxLit[Any], *, target: str | None = None) -> AppModel:
        calls.append(target)
        return build(self, target=target)

    monkeypatch.setattr(FluxLit, "model", counted)
    app = _app("one")
    first = app_model(app, "mod:app")
    assert app_model(app, "mod:app") is first and calls == ["mod:app"]
    assert app_model(app, "other:app").target == "other:app"
    assert app_model(_app("two"), "mod:app").title == "two", "another app, its own model"
    assert calls == ["mod:app", "other:app", "mod:app"]
