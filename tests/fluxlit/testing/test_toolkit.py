"""FluxLitTestClient and the AppTest helpers, including their failure paths."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse

from fluxlit import (
    ApiClient,
    FluxLit,
    FluxlitSettings,
    FluxLitTestClient,
    apptest_assert_no_errors,
    apptest_select_page,
    assert_no_streamlit_exception,
    streamlit_main_path,
)
from fluxlit.client import set_client_factory

APPS = Path(__file__).with_name("apps")
TARGET = "shop:app"


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[FluxLitTestClient]:
    monkeypatch.syspath_prepend(str(APPS))
    from shop import app  # type: ignore[import-not-found]

    with FluxLitTestClient(app) as client:
        yield client


@pytest.fixture
def outside_factory() -> Iterator[Callable[[], Any]]:
    """Install a client factory of our own; the probe shows where ``ApiClient`` lands."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"via": "outside"}))
    restore = set_client_factory(lambda base_url, timeout: httpx.Client(transport=transport))

    def probe() -> Any:
        with ApiClient(base_url="http://fluxlit.test/api") as client:
            return client.get("/products").json()

    yield probe
    restore()


def test_streamlit_main_path_points_at_the_entry_script() -> None:
    path = streamlit_main_path()
    assert isinstance(path, Path), "the reference documents a Path"
    assert path.is_file() and path.name == "main.py" and "FLUXLIT_APP" in path.read_text()


def test_streamlit_main_path_runs_under_apptest(
    shop: FluxLitTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("FLUXLIT_APP", raising=False)  # other tests may leave one set

    at = AppTest.from_file(streamlit_main_path(), default_timeout=30)
    with shop.patched_environment(target=TARGET, extra_sys_path=APPS):
        at.run()
    apptest_assert_no_errors(at)
    assert at.title[0].value == "Shop" and at.markdown[0].value == "lamp: 30"
    at = AppTest.from_file(streamlit_main_path(), default_timeout=30).run()
    with pytest.raises(AssertionError, match="FLUXLIT_APP is not set"):
        apptest_assert_no_errors(at)


def test_api_goes_through_the_gateway(shop: FluxLitTestClient) -> None:
    assert shop.api.get("/api/healthz").json() == {"status": "ok"}
    assert shop.api.get("/api/products").json()[0]["name"] == "lamp"
    assert shop.api.get("/products").status_code == 404, "the API lives under /api only"
    assert shop.api.get("/docs", follow_redirects=False).headers["location"] == "/api/docs"
    assert shop.api_get("products").json()[1]["price"] == 120
    assert shop.api_post("/products").status_code == 405
    placed = shop.api_post("/orders", json={"item": "desk", "quantity": 2})
    assert placed.status_code == 201 and placed.json() == {"item": "desk", "total": 240}
    once = shop.api_post("orders", json={"item": "lamp"}, root_path="/apps/demo")
    assert once.status_code == 201 and once.json()["total"] == 30
    assert shop.api_post("/orders", json={"quantity": 2}).status_code == 422


def test_lifespan_starts_on_first_use_and_stops_on_close(shop: FluxLitTestClient) -> None:
    from shop import EVENTS  # type: ignore[import-not-found]

    EVENTS.clear()
    with FluxLitTestClient(shop.app) as client:
        assert EVENTS == [], "nothing starts before the client is used"
        assert client.api_get("/till").json() == {"till": "open"}
        assert client.api_get("/till", root_path="/apps/x").json() == {"till": "open"}
        at = client.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "till"})
        assert at.markdown[0].value == "till open", "pages call the running app"
        assert EVENTS == ["startup"], "one startup for the API, one-off mounts and pages"
    assert EVENTS == ["startup", "shutdown"]
    client.close()
    assert EVENTS == ["startup", "shutdown"], "closing twice shuts down once"


def test_app_api_mount_path_is_the_default_prefix(clean_fluxlit_env: Path) -> None:
    app = FluxLit(settings=FluxlitSettings(api_mount_path="/backend/"))

    @app.api.get("/ping")
    def ping() -> dict[str, bool]:
        return {"pong": True}

    client = FluxLitTestClient(app)
    assert client.api_prefix == "/backend"
    assert client.api.get("/backend/ping").json() == {"pong": True}
    assert client.api.get("/api/ping").status_code == 404, "served where production serves it"
    assert client.api_get("ping").status_code == 200
    assert client.internal_api_base() == "http://fluxlit.test/backend"
    explicit = FluxLitTestClient(app, api_prefix="/v2")
    assert explicit.api.get("/v2/ping").status_code == 200
    assert FluxLitTestClient(FluxLit(settings=FluxlitSettings())).api_prefix == "/api"


def test_request_body_limit_answers_413(clean_fluxlit_env: Path) -> None:
    app = FluxLit(settings=FluxlitSettings(max_request_body_bytes=64))

    @app.api.post("/echo")
    def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    client = FluxLitTestClient(app)
    assert client.api_post("/echo", json={"a": "b"}).json() == {"a": "b"}
    too_big = client.api_post("/echo", json={"a": "b" * 100})
    assert too_big.status_code == 413
    assert client.api_post("/echo", json={"a": "b" * 100}, root_path="/m").status_code == 413
    unlimited = FluxLit(settings=FluxlitSettings())
    unlimited.api.post("/echo")(echo)
    assert FluxLitTestClient(unlimited).api_post("/echo", json={"a": "b" * 100}).status_code == 200


def test_root_path_per_call_and_per_client(shop: FluxLitTestClient) -> None:
    assert shop.api_get("/healthz", root_path="/apps/demo").json() == {"status": "ok"}
    mounted = shop.with_root_path("/apps/demo/")
    assert mounted.api.get("/apps/demo/api/healthz").status_code == 200
    assert mounted.api_get("/healthz").status_code == 200
    custom = FluxLitTestClient(shop.app, api_prefix="backend")
    assert custom.api_get("/healthz").status_code == 200
    assert custom.api.get("/backend/healthz").status_code == 200


@pytest.mark.parametrize("setting", ["root_path", "streamlit_public_path"])
def test_root_mount_follows_the_apps_public_mount(clean_fluxlit_env: Path, setting: str) -> None:
    """An app published under a subpath answers through the client without root_mount=."""
    app: FluxLit[Any] = FluxLit(settings=FluxlitSettings(**{setting: "/apps/demo"}))

    @app.api.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    with FluxLitTestClient(app) as client:
        assert client.root_mount == "/apps/demo"
        assert client.api_get("/hello").json() == {"hello": "world"}
        assert client.api.get("/apps/demo/api/healthz").status_code == 200
    assert FluxLitTestClient(app, root_mount="/other").root_mount == "/other"
    assert FluxLitTestClient(app, root_mount="/").root_mount == "", "'/' means no mount"


def test_assert_docs_available(shop: FluxLitTestClient, clean_fluxlit_env: Path) -> None:
    shop.assert_docs_available()
    shop.assert_docs_available(root_path="/apps/demo")
    no_docs = FluxLit(settings=FluxlitSettings(), fastapi_kwargs={"docs_url": None})
    with pytest.raises(AssertionError, match="docs_url=None") as raised:
        FluxLitTestClient(no_docs).assert_docs_available()
    assert "openapi_url" not in str(raised.value)
    no_openapi = FluxLit(settings=FluxlitSettings(), fastapi_kwargs={"openapi_url": None})
    with pytest.raises(AssertionError, match="openapi_url=None"):
        FluxLitTestClient(no_openapi).assert_docs_available()
    neither = FluxLit(
        settings=FluxlitSettings(), fastapi_kwargs={"openapi_url": None, "docs_url": None}
    )
    with pytest.raises(AssertionError) as raised:
        FluxLitTestClient(neither).assert_docs_available()
    assert "openapi_url=None" in str(raised.value) and "docs_url=None" in str(raised.value)


def _docs_app(openapi_url: str, docs_url: str) -> FluxLit[Any]:
    """An app whose FastAPI points its docs at routes that answer the wrong things."""
    app = FluxLit(settings=FluxlitSettings())
    app.api.get("/text", include_in_schema=False)(lambda: PlainTextResponse("not json"))
    app.api.get("/other.json", include_in_schema=False)(lambda: {"hello": "world"})
    app.api.get("/page", include_in_schema=False)(lambda: HTMLResponse("<h1>no docs here</h1>"))
    app.api.openapi_url = openapi_url
    app.api.docs_url = docs_url
    return app


@pytest.mark.parametrize(
    ("openapi_url", "docs_url", "message"),
    [
        ("/missing.json", "/docs", "GET /missing.json returned 404"),
        ("/text", "/docs", "/text did not return JSON"),
        ("/other.json", "/docs", "/other.json is not an OpenAPI document"),
        ("/openapi.json", "/page", r"GET /page did not serve Swagger UI \(200\)"),
        ("/openapi.json", "/nowhere", r"GET /nowhere did not serve Swagger UI \(404\)"),
    ],
)
def test_assert_docs_available_names_what_is_wrong(
    clean_fluxlit_env: Path, openapi_url: str, docs_url: str, message: str
) -> None:
    client = FluxLitTestClient(_docs_app(openapi_url, docs_url))
    with pytest.raises(AssertionError, match=message):
        client.assert_docs_available()


def test_page_renders_real_api_data_without_a_server(
    shop: FluxLitTestClient, outside_factory: Callable[[], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLUXLIT_APP", raising=False)
    path_before = list(sys.path)
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS)
    assert_no_streamlit_exception(at)
    assert at.title[0].value == "Shop"
    assert [m.value for m in at.markdown][:2] == ["lamp: 30", "desk: 120"]
    assert at.caption[0].value == "Shop / Home", "returned PageMeta drives breadcrumbs"
    assert os.environ.get("FLUXLIT_APP") is None, "the environment patch is undone"
    assert sys.path == path_before, "the entry script's sys.path entries are undone"
    assert outside_factory() == {"via": "outside"}, "the previous client factory is back"


def test_patched_environment_sets_and_restores_everything(
    shop: FluxLitTestClient,
    outside_factory: Callable[[], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLUXLIT_APP", "earlier:app")
    monkeypatch.delenv("FLUXLIT_EXTRA_SYS_PATH", raising=False)
    path_before = list(sys.path)
    assert str(tmp_path) not in sys.path
    with shop.patched_environment(target=TARGET, extra_sys_path=tmp_path):
        assert sys.path[0] == str(tmp_path)
        assert os.environ["FLUXLIT_APP"] == TARGET
        assert os.environ["FLUXLIT_EXTRA_SYS_PATH"] == str(tmp_path)
        assert outside_factory()[0]["name"] == "lamp", "ApiClient reaches the app in process"
    assert sys.path == path_before
    assert os.environ["FLUXLIT_APP"] == "earlier:app", "a variable set before is restored"
    assert "FLUXLIT_EXTRA_SYS_PATH" not in os.environ
    assert outside_factory() == {"via": "outside"}
    with shop.patched_environment(target=TARGET, extra_sys_path=APPS):
        pass
    assert sys.path == path_before, "a folder already on sys.path stays exactly once"


def test_select_page_and_overrides(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(
        target=TARGET,
        extra_sys_path=APPS,
        query_params={"page": "account"},
        page_overrides={"X-Remote-User": "ann"},
    )
    apptest_assert_no_errors(at)
    assert at.title[0].value == "Account" and at.markdown[0].value == "user=ann"
    at = shop.select_page(at, "Home", target=TARGET, extra_sys_path=APPS)
    assert at.title[0].value == "Shop"
    at = apptest_select_page(at, shop, target=TARGET, page="/account", extra_sys_path=APPS)
    assert at.markdown[0].value == "user=None"


def test_select_page_with_a_custom_page_key(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"view": "account"})
    assert at.title[0].value == "Shop", "without page_key, ?view= is not a deep link"
    at = shop.select_page(at, "account", target=TARGET, extra_sys_path=APPS, page_key="view")
    assert at.title[0].value == "Account"
    at = apptest_select_page(
        at, shop, target=TARGET, page="Till", extra_sys_path=APPS, page_key="view"
    )
    assert at.title[0].value == "Till" and at.markdown[0].value == "till open"
    assert "view" not in at.query_params, "the deep link is consumed once honoured"
    assert "FLUXLIT_TEST_PAGE_KEY" not in os.environ


def test_unknown_page_falls_back_to_the_default(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "nope"})
    assert at.title[0].value == "Shop"


def test_error_on_page_fails_the_assertion_with_its_message(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "broken"})
    with pytest.raises(AssertionError, match="inventory service unavailable"):
        assert_no_streamlit_exception(at)
    with pytest.raises(AssertionError, match="inventory service unavailable"):
        shop.assert_no_streamlit_exception(at)


def test_error_in_a_manifest_app_fails_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "fluxlit.toml").write_text(
        '[[pages]]\npath = "/"\nhandler = "stock_pages:home"\n\n'
        '[[routes]]\npath = "/stock"\nhandler = "stock_pages:stock"\n'
    )
    (project / "stock_pages.py").write_text(
        "def stock():\n    return {'left': 0}\n\n"
        "def home(st, client):\n"
        "    st.error(f\"out of stock: {client.get('/stock').json()['left']} left\")\n"
    )
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.delitem(sys.modules, "stock_pages", raising=False)
    builds = tmp_path / "tmp"
    builds.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(builds))
    with FluxLitTestClient.from_manifest(project) as client:
        at = client.streamlit(target=str(project / "fluxlit.toml"))
        with pytest.raises(AssertionError, match="error: out of stock: 0 left"):
            assert_no_streamlit_exception(at)
        assert [p.name[:14] for p in builds.iterdir()] == ["fluxlit-build-"]
        del at
        gc.collect()
        assert list(builds.iterdir()) == [], "the build folder goes with its AppTest"
        with pytest.raises(ValueError, match=r"is a folder; pass its manifest file.*fluxlit\.toml"):
            client.streamlit(target=str(project))


def test_exception_on_page_fails_the_assertion(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "boom.py").write_text(
        "from fluxlit import FluxLit\n"
        "app = FluxLit(import_target='boom:app')\n"
        "@app.page('/')\n"
        "def home(st, client):\n"
        "    raise RuntimeError('kaboom')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    from boom import app  # type: ignore[import-not-found]

    at = FluxLitTestClient(app).streamlit(target="boom:app", extra_sys_path=tmp_path)
    with pytest.raises(AssertionError, match="kaboom"):
        apptest_assert_no_errors(at)


def test_explicit_internal_api_base_is_not_intercepted(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(
        target=TARGET, extra_sys_path=APPS, internal_api_base="http://127.0.0.1:9/api"
    )
    assert at.exception and "ConnectError" in at.exception[0].value + str(
        at.exception[0].stack_trace
    )


def test_plain_fastapi_is_not_a_fluxlit_target(shop: FluxLitTestClient, monkeypatch) -> None:
    module = type(os)("plainapi")
    module.app = FastAPI()  # type: ignore[attr-defined]
    monkeypatch.setitem(__import__("sys").modules, "plainapi", module)
    at = shop.streamlit(target="plainapi:app")
    assert at.exception and "not a FluxLit" in at.exception[0].value
