"""FluxLitTestClient and the AppTest helpers, including their failure paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi import FastAPI

from fluxlit import (
    FluxLit,
    FluxlitSettings,
    FluxLitTestClient,
    apptest_assert_no_errors,
    apptest_select_page,
    assert_no_streamlit_exception,
    streamlit_main_path,
)

APPS = Path(__file__).with_name("apps")
TARGET = "shop:app"


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> FluxLitTestClient:
    monkeypatch.syspath_prepend(str(APPS))
    from shop import app  # type: ignore[import-not-found]

    return FluxLitTestClient(app)


def test_streamlit_main_path_points_at_the_entry_script() -> None:
    path = Path(streamlit_main_path())
    assert path.is_file() and path.name == "main.py" and "FLUXLIT_APP" in path.read_text()


def test_api_goes_through_the_gateway(shop: FluxLitTestClient) -> None:
    assert shop.api.get("/api/healthz").json() == {"status": "ok"}
    assert shop.api.get("/api/products").json()[0]["name"] == "lamp"
    assert shop.api.get("/products").status_code == 404, "the API lives under /api only"
    assert shop.api.get("/docs", follow_redirects=False).headers["location"] == "/api/docs"
    assert shop.api_get("products").json()[1]["price"] == 120
    assert shop.api_post("/products").status_code == 405


def test_root_path_per_call_and_per_client(shop: FluxLitTestClient) -> None:
    assert shop.api_get("/healthz", root_path="/apps/demo").json() == {"status": "ok"}
    mounted = shop.with_root_path("/apps/demo/")
    assert mounted.api.get("/apps/demo/api/healthz").status_code == 200
    assert mounted.api_get("/healthz").status_code == 200
    custom = FluxLitTestClient(shop.app, api_prefix="backend")
    assert custom.api_get("/healthz").status_code == 200
    assert custom.api.get("/backend/healthz").status_code == 200


def test_assert_docs_available(shop: FluxLitTestClient, clean_fluxlit_env: Path) -> None:
    shop.assert_docs_available()
    shop.assert_docs_available(root_path="/apps/demo")
    no_docs = FluxLit(settings=FluxlitSettings(), fastapi_kwargs={"docs_url": None})
    with pytest.raises(AssertionError, match="docs_url=None"):
        FluxLitTestClient(no_docs).assert_docs_available()
    no_openapi = FluxLit(settings=FluxlitSettings(), fastapi_kwargs={"openapi_url": None})
    with pytest.raises(AssertionError, match="openapi_url=None"):
        FluxLitTestClient(no_openapi).assert_docs_available()


def test_page_renders_real_api_data_without_a_server(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS)
    assert_no_streamlit_exception(at)
    assert at.title[0].value == "Shop"
    assert [m.value for m in at.markdown][:2] == ["lamp: 30", "desk: 120"]
    assert at.caption[0].value == "Shop / Home", "returned PageMeta drives breadcrumbs"
    assert os.environ.get("FLUXLIT_APP") is None, "the environment patch is undone"


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


def test_unknown_page_falls_back_to_the_default(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "nope"})
    assert at.title[0].value == "Shop"


def test_error_on_page_fails_the_assertion_with_its_message(shop: FluxLitTestClient) -> None:
    at = shop.streamlit(target=TARGET, extra_sys_path=APPS, query_params={"page": "broken"})
    with pytest.raises(AssertionError, match="inventory service unavailable"):
        assert_no_streamlit_exception(at)
    with pytest.raises(AssertionError, match="inventory service unavailable"):
        shop.assert_no_streamlit_exception(at)


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
