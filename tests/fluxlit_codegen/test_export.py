"""`export_manifest`: Python app -> model -> TOML -> model is the identity, or a named refusal."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxlit import FluxLit, FluxlitSettings
from fluxlit.model import AppModel
from fluxlit.pages.manifest import build_page_manifest
from fluxlit.pages.meta import PageMeta
from fluxlit.url_session import InMemorySessionStore
from fluxlit_codegen.export import ExportError, export_manifest
from fluxlit_codegen.manifest import load_manifest

HANDLERS = "fluxlit_export_test_handlers"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _handlers(count: int) -> types.ModuleType:
    """An importable module holding page and route functions with their own names."""
    module = types.ModuleType(HANDLERS)
    for index in range(count):
        for kind, fn in (("page", lambda st, client: None), ("route", lambda: 1)):
            name = f"{kind}_{index}"
            fn.__name__ = fn.__qualname__ = name
            fn.__module__ = HANDLERS
            setattr(module, name, fn)
    sys.modules[HANDLERS] = module
    return module


MODULE = _handlers(12)
segment = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
page_paths = st.lists(
    st.one_of(st.just("/"), st.builds(lambda a: f"/{a}", segment)), max_size=6, unique=True
)
text = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), min_size=1, max_size=12)
labels = st.lists(segment, max_size=2, unique=True)
meta = st.none() | st.builds(
    PageMeta,
    layout=st.sampled_from(["wide", "centered"]),
    description=st.none() | text,
    breadcrumbs=st.none() | st.lists(st.just("/"), max_size=1),
)
routes = st.lists(
    st.tuples(
        st.builds(lambda a, b: f"/{a}/{b}", segment, segment),
        st.lists(st.sampled_from(METHODS), min_size=1, max_size=3, unique=True),
        st.none() | text,
        labels,
    ),
    max_size=6,
    unique_by=lambda r: r[0],
)


@st.composite
def python_apps(draw: st.DrawFn) -> FluxLit[Any]:
    jwt = draw(st.booleans())
    settings = FluxlitSettings(
        api_mount_path=draw(st.sampled_from(["/api", "/v1", "/backend"])),
        title=draw(st.sampled_from(["FluxLit", "Sales", "Ünïcode app"])),
        runtime_mode=draw(st.sampled_from(["auto", "inprocess", "sidecar"])),
        session_param=draw(st.sampled_from(["fluxlit_sid", "sid"])),
        **(
            {
                "jwt_issuer": "https://login.example.com/",
                "jwt_audience": draw(st.sampled_from(["sales", "api"])),
                "jwt_hs256_secret": "s" * 32,
                "jwt_leeway_seconds": draw(st.integers(0, 30)),
            }
            if jwt
            else {}
        ),
    )
    ttl = draw(st.none() | st.floats(1, 1e6, allow_nan=False))
    store = InMemorySessionStore(default_ttl_seconds=ttl) if ttl is not None else None
    app = FluxLit(settings=settings, import_target="app:app", session_store=store)
    if jwt:
        app.make_jwt_bearer()
    paths = draw(page_paths)
    for index, path in enumerate(paths):
        app.page(
            path,
            title=draw(st.none() | text),
            icon=draw(st.sampled_from([None, "📈", ":material/home:"])),
            tags=draw(labels),
            page_meta=draw(meta),
        )(getattr(MODULE, f"page_{index}"))
    app.navigation_order(*draw(st.permutations(paths)).__getitem__(slice(draw(st.integers(0, 6)))))
    for index, (path, methods, summary, tags) in enumerate(draw(routes)):
        app.api.api_route(path, methods=methods, summary=summary, tags=tags)(
            getattr(MODULE, f"route_{index}")
        )
    return app


def _read_back(text: str, tmp_path: Path) -> AppModel:
    (tmp_path / "fluxlit.toml").write_text(text, encoding="utf-8")
    return load_manifest(tmp_path / "fluxlit.toml")


def _page_manifest(model: AppModel) -> dict[str, Any]:
    prefix = str(model.settings.get("api_mount_path") or "/api")
    return build_page_manifest(
        model.pages, title=model.title, api_prefix=prefix, navigation=model.navigation
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(app=python_apps())
def test_python_app_model_toml_model_is_the_same(app: FluxLit[Any], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    model = app.model()
    text = export_manifest(model, app)
    back = _read_back(text, tmp_path_factory.mktemp("export"))
    assert "target" not in text, "the manifest replaces the Python app, it does not extend it"
    unwritten = {"source": "", "target": None}
    assert back.model_copy(update=unwritten) == model.model_copy(update=unwritten)
    assert _page_manifest(back) == _page_manifest(model)


@pytest.mark.parametrize("name", ["full.toml", "existing_apps.toml"])
def test_a_manifest_app_exports_to_itself(tmp_path: Path, name: str) -> None:
    model = load_manifest(Path(__file__).parent / "manifests" / name)
    back = _read_back(export_manifest(model), tmp_path)
    assert back.model_copy(update={"source": ""}) == model.model_copy(update={"source": ""})


class OwnStore:
    """A session store of the app's own: a manifest can name only memory or redis."""

    default_ttl_seconds = 60.0

    def get(self, sid: str) -> None: ...


def test_what_a_manifest_cannot_say_is_named() -> None:
    from starlette.staticfiles import StaticFiles

    app = FluxLit(import_target="app:app", session_store=OwnStore())  # type: ignore[arg-type]
    app.page("/lambda")(lambda st, client: None)

    def local() -> int:
        return 1

    app.api.get("/local")(local)
    app.api.post("/created", status_code=201)(MODULE.route_0)
    app.api.get("/hidden", include_in_schema=False)(MODULE.route_1)
    app.api.mount("/files", StaticFiles(directory=str(Path(__file__).parent)))
    with pytest.raises(ExportError) as caught:
        export_manifest(app.model(), app)
    message = str(caught.value)
    assert message.startswith("cannot export: the manifest cannot express\n")
    for expected in (
        "page /lambda: its handler has no importable module:function",
        "route GET /local: its handler has no importable module:function",
        "mount /files: a live object mounted in Python",
        "session_store: a custom store (OwnStore)",
        "route POST /created: status_code= on the decorator",
        "route GET /hidden: not recorded in the app model",
    ):
        assert expected in message


def test_a_memory_store_subclass_exports_as_memory() -> None:
    class Store(InMemorySessionStore):
        pass

    app = FluxLit(import_target="app:app", session_store=Store(default_ttl_seconds=60))
    assert "[session_store]\nttl_seconds = 60.0\n" in export_manifest(app.model(), app)
