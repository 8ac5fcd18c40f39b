"""The FluxLit object: construction, health routes, pages, manifest, model and auth hooks."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fluxlit import FluxLit, FluxlitSettings, PageMeta
from fluxlit.model import HandlerRef
from tests.helpers.ci import require_module

APPS = Path(__file__).with_name("apps")


@pytest.fixture
def settings(clean_fluxlit_env: Path) -> FluxlitSettings:
    return FluxlitSettings()


@pytest.fixture
def apps_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(APPS))
    for name in [m for m in sys.modules if m.split(".")[0] in {"discover_pkg", "broken_pkg"}]:
        monkeypatch.delitem(sys.modules, name)


def home(st: Any, client: Any) -> None:
    """A module-level page: importable by reference."""
    st.write("home")


def test_constructor_merges_overrides(settings: FluxlitSettings) -> None:
    base = settings.model_copy(
        update={"streamlit_run_cli_args": ["--a"], "streamlit_page_config": {"layout": "wide"}}
    )
    store = object()
    fl = FluxLit(
        title="Custom",
        settings=base,
        import_target="main:app",
        fastapi_kwargs={"title": "ignored", "root_path": "/ignored", "docs_url": None},
        streamlit_run_args=["--b"],
        streamlit_page_config={"page_title": "T"},
        session_store=store,  # type: ignore[arg-type]
    )
    assert fl.settings.title == "Custom" and fl.api.title == "Custom"
    assert fl.settings.streamlit_run_cli_args == ["--a", "--b"]
    assert fl.settings.streamlit_page_config == {"layout": "wide", "page_title": "T"}
    assert fl.api.docs_url is None
    assert fl.api_root_path == "/api"
    assert fl.import_target == "main:app"
    assert fl.session_store is store
    assert base.title == "FluxLit", "the caller's settings object must not change"


def test_api_root_path_follows_public_mount(clean_fluxlit_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_ROOT_PATH", "/apps/demo/")
    monkeypatch.setenv("FLUXLIT_API_MOUNT_PATH", "backend")
    fl = FluxLit()
    assert fl.api_prefix == "/backend"
    assert fl.api_root_path == "/apps/demo/backend"


def test_api_root_path_comes_from_settings(settings: FluxlitSettings) -> None:
    fl = FluxLit(
        settings=settings.model_copy(update={"root_path": "/apps/demo"}),
        fastapi_kwargs={"root_path": "/ignored"},
    )
    assert fl.api.root_path == "/apps/demo"
    docs = TestClient(fl.api).get("/docs").text
    assert "'/apps/demo/openapi.json'" in docs, "served on its own, FastAPI's root applies"


async def _ui(scope: Any, receive: Any, send: Any) -> None:
    from starlette.responses import PlainTextResponse

    await PlainTextResponse("ui")(scope, receive, send)


@pytest.mark.parametrize("request_prefix", ["/apps/demo", ""], ids=["full-path", "stripped"])
def test_api_urls_under_the_gateway_keep_mount_and_prefix(
    settings: FluxlitSettings, request_prefix: str
) -> None:
    """The gateway's root (mount + API prefix) wins over the API's own ``root_path``."""
    from fluxlit.gateway import build_dispatcher

    fl = FluxLit(settings=settings.model_copy(update={"root_path": "/apps/demo"}))

    @fl.api.get("/items/")
    def items() -> list[int]:
        return [1]

    client = TestClient(build_dispatcher(fl.api, _ui, root_mount="/apps/demo"))
    docs = client.get(request_prefix + "/api/docs")
    assert docs.status_code == 200 and "'/apps/demo/api/openapi.json'" in docs.text
    schema = client.get(request_prefix + "/api/openapi.json").json()
    assert schema["servers"] == [{"url": "/apps/demo/api"}] and "/items/" in schema["paths"]
    assert client.get(request_prefix + "/api/items/").json() == [1]
    assert client.get(request_prefix + "/api/healthz").json() == {"status": "ok"}


def test_request_logging_is_off_by_default(
    settings: FluxlitSettings, caplog: pytest.LogCaptureFixture
) -> None:
    from fluxlit.logging.access import RequestLoggingMiddleware

    fl = FluxLit(settings=settings)
    assert not any(m.cls is RequestLoggingMiddleware for m in fl.api.user_middleware)
    with caplog.at_level(logging.INFO, logger="fluxlit.api.access"):
        TestClient(fl.api).get("/healthz")
    assert not [r for r in caplog.records if r.name == "fluxlit.api.access"]


def test_request_logging_logs_each_api_request(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("FLUXLIT_ENABLE_REQUEST_LOGGING", "true")
    fl = FluxLit()

    @fl.api.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    client = TestClient(fl.api, raise_server_exceptions=False)
    with caplog.at_level(logging.INFO, logger="fluxlit.api.access"):
        client.get("/healthz?token=SECRET9&page=2", headers={"X-Request-ID": "rid-1"})
        client.get("/missing")
        client.get("/boom")
    records = [r for r in caplog.records if r.name == "fluxlit.api.access"]
    assert [(r.levelno, r.__dict__["path"], r.__dict__["status"]) for r in records] == [
        (logging.INFO, "/healthz", 200),
        (logging.INFO, "/missing", 404),
        (logging.INFO, "/boom", 500),
    ]
    first = records[0].__dict__
    assert first["request_id"] == "rid-1" and first["query"] == "token=<redacted>&page=2"
    assert "SECRET9" not in records[0].getMessage()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fluxlit.api.access"):
        client.get("/healthz", headers={"X-Request-ID": "x" * 129})
    (odd,) = [r for r in caplog.records if r.name == "fluxlit.api.access"]
    assert odd.__dict__["request_id"] == "", "a client id the gateway would refuse is not logged"


def test_health_routes_hidden_from_openapi(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)
    client = TestClient(fl.api)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" not in paths and "/readyz" not in paths


def test_readyz_reports_not_ready(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)

    async def down() -> tuple[bool, str]:
        return False, "streamlit_exited"

    fl.set_readiness_check(down)
    response = TestClient(fl.api).get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "detail": "streamlit_exited"}


def test_page_registration(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)

    def sales_report(st: Any, client: Any) -> None:
        st.write("x")

    returned = fl.page(" reports/ ", tags=["finance"], page_meta=PageMeta(page_icon="📈"))(
        sales_report
    )
    assert returned is sales_report
    fl.page("/", title="Home", icon=":material/home:")(home)
    assert fl.pages == [("/reports", "Sales Report", sales_report), ("/", "Home", home)]
    entry = fl.page_entries()[0]
    assert (entry.icon, entry.tags) == ("📈", ("finance",))
    assert fl.page_handler("/") is home
    with pytest.raises(KeyError):
        fl.page_handler("/missing")


@pytest.mark.parametrize("bad", ["", "   ", "/a?b", "/a#b", "/a\\b", "/a\nb"])
def test_page_rejects_bad_paths(settings: FluxlitSettings, bad: str) -> None:
    with pytest.raises(ValueError, match="page path"):
        FluxLit(settings=settings).page(bad)


def test_duplicate_page_path_is_an_error(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)
    fl.page("/x")(home)
    with pytest.raises(ValueError, match="already registered at '/x'"):
        fl.page("x/")(home)


def test_navigation_order(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)
    for path in ("/a", "/b", "/c"):
        fl.page(path)(home)
    assert fl.navigation_order(" /c", "/unknown", "/a") is fl
    assert [p.path for p in fl.page_entries()] == ["/c", "/a", "/b"]
    assert [p["path"] for p in fl.build_page_manifest()["pages"]] == ["/c", "/a", "/b"]


def test_navigation_takes_the_published_navigation_model(settings: FluxlitSettings) -> None:
    from fluxlit import NavigationModel, NavigationOrder

    fl = FluxLit(settings=settings)
    for path in ("/a", "/b", "/c"):
        fl.page(path)(home)
    assert fl.navigation(NavigationModel(order=("/b ", "/nowhere", "/c"))) is fl
    assert [p.path for p in fl.page_entries()] == ["/b", "/c", "/a"]
    assert fl.model().navigation == NavigationModel(order=("/b", "/nowhere", "/c"))
    assert [p["path"] for p in fl.build_page_manifest()["pages"]] == ["/b", "/c", "/a"]
    fl.navigation(NavigationOrder(["/a"]))
    assert [p.path for p in fl.page_entries()] == ["/a", "/b", "/c"]


def test_discover_pages_sorts_and_skips_private(settings: FluxlitSettings, apps_on_path) -> None:
    fl = FluxLit(settings=settings)
    assert fl.discover_pages("pages", package="discover_pkg") is fl
    assert [(p, t) for p, t, _ in fl.pages] == [("/a-zeta", "Zeta"), ("/z-alpha", "Alpha")]


def test_discover_pages_errors(settings: FluxlitSettings, apps_on_path) -> None:
    fl = FluxLit(settings=settings)
    with pytest.raises(TypeError, match="not a package"):
        fl.discover_pages("pages", package="plain_module")
    with pytest.raises(ImportError):
        fl.discover_pages("missing_dir", package="discover_pkg")


def test_discover_pages_keeps_earlier_pages_on_failure(
    settings: FluxlitSettings, apps_on_path
) -> None:
    fl = FluxLit(settings=settings)
    with pytest.raises(RuntimeError, match="bad page module"):
        fl.discover_pages("pages", package="broken_pkg")
    assert [p for p, _, _ in fl.pages] == ["/good"]


def test_page_manifest_shape(settings: FluxlitSettings) -> None:
    fl = FluxLit(title="Demo", settings=settings)
    fl.page("/", title="Home", icon="🏠", tags=["t"], page_meta=PageMeta(layout="wide"))(home)
    manifest = fl.build_page_manifest()
    assert manifest["manifest_version"] == 1
    assert manifest["title"] == "Demo" and manifest["api_prefix"] == "/api"
    page = manifest["pages"][0]
    assert page["path"] == "/" and page["title"] == "Home" and page["icon"] == "🏠"
    assert page["tags"] == ["t"] and page["page_meta"]["layout"] == "wide"
    assert page["slug"] == "home"
    with pytest.raises(ValueError, match="version 2"):
        fl.build_page_manifest(version=2)


def test_model_names_handlers_by_import_or_registry(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings, import_target="x:fl")
    fl.page("/")(home)

    @fl.page("/local")
    def local(st: Any, client: Any) -> None:
        st.write("local")

    @fl.api.get("/items", tags=["items"], summary="List items")
    def items() -> list[int]:
        return [1]

    model = fl.model()
    assert model.target == "x:fl"
    assert model.pages[0].handler == HandlerRef(kind="import", value=f"{__name__}:home")
    assert model.pages[1].handler == HandlerRef(kind="registry", value="/local")
    (route,) = model.routes
    assert (route.path, route.methods, route.summary, route.tags) == (
        "/items",
        ("GET",),
        "List items",
        ("items",),
    )
    assert route.handler.kind == "registry"


def test_get_client_uses_internal_base(settings: FluxlitSettings, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_INTERNAL_API_BASE", "http://127.0.0.1:9999/api")
    client = FluxLit(settings=settings).get_client()
    assert str(client.base_url).rstrip("/") == "http://127.0.0.1:9999/api"


def test_make_jwt_bearer_names_missing_env(settings: FluxlitSettings) -> None:
    with pytest.raises(ValueError, match="FLUXLIT_JWT_ISSUER"):
        FluxLit(settings=settings).make_jwt_bearer()


def test_attach_oidc_login_errors(settings: FluxlitSettings) -> None:
    fl = FluxLit(settings=settings)
    with pytest.raises(ValueError, match="FLUXLIT_OIDC_BFF_SECRET"):
        fl.attach_oidc_login(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="FLUXLIT_PUBLIC_BASE_URL"):
        fl.attach_oidc_login(object(), first_party_secret="s" * 32)  # type: ignore[arg-type]


def test_attach_oidc_login_twice_is_an_error(settings: FluxlitSettings) -> None:
    from fluxlit.auth.oidc import GenericOIDCClient, GenericOIDCClientConfig

    fl = FluxLit(settings=settings)
    provider = GenericOIDCClient(GenericOIDCClientConfig("http://127.0.0.1:1", "id", "secret"))
    router = fl.attach_oidc_login(
        provider, first_party_secret="s" * 32, public_base_url="http://127.0.0.1:8000"
    )
    assert router is not None
    with pytest.raises(ValueError, match="already called"):
        fl.attach_oidc_login(
            provider, first_party_secret="s" * 32, public_base_url="http://127.0.0.1:8000"
        )


def test_model_carries_store_auth_and_settings_like_the_manifest(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python object and the equivalent manifest describe the same app."""
    require_module("jwt", extra="auth")
    from fluxlit.url_session import InMemorySessionStore
    from fluxlit_codegen.manifest import load_manifest

    monkeypatch.setenv("FLUXLIT_JWT_ISSUER", "https://issuer.test")
    monkeypatch.setenv("FLUXLIT_JWT_AUDIENCE", "shop")
    monkeypatch.setenv("FLUXLIT_JWT_HS256_SECRET", "s" * 40)
    fl = FluxLit(
        title="Shop",
        streamlit_run_args=["--server.headless=true"],
        session_store=InMemorySessionStore(default_ttl_seconds=600.0),
        settings=FluxlitSettings(root_path="/shop"),
    )
    fl.make_jwt_bearer()
    python = fl.model()
    (clean_fluxlit_env / "fluxlit.toml").write_text(
        'title = "Shop"\nroot_path = "/shop"\n'
        "[settings]\nstreamlit_run_cli_args = ['--server.headless=true']\n"
        '[auth.jwt]\nissuer = "https://issuer.test"\naudience = "shop"\n'
        'hs256_secret_env = "FLUXLIT_JWT_HS256_SECRET"\n'
        "[session_store]\nttl_seconds = 600.0\n"
        "[[pages]]\npath = '/'\nscript = 'home.py'\n"
    )
    manifest = load_manifest(clean_fluxlit_env / "fluxlit.toml")
    assert (
        python.settings
        == manifest.settings
        == {
            "title": "Shop",
            "root_path": "/shop",
            "streamlit_run_cli_args": ["--server.headless=true"],
        }
    )
    assert python.session_store == manifest.session_store is not None
    assert python.auth == manifest.auth is not None
    assert "s" * 40 not in python.to_json(), "secrets are named, never copied"


def test_model_without_overrides_has_no_store_auth_or_settings(settings: FluxlitSettings) -> None:
    model = FluxLit(settings=settings).model()
    assert (model.settings, model.auth, model.session_store) == ({}, None, None)
