"""Well-formed manifests become the IR exactly as declared."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

from fluxlit.model import (
    AppModel,
    AuthModel,
    AuthRequirement,
    HandlerRef,
    JWTModel,
    MountModel,
    NavigationModel,
    OIDCModel,
    PageModel,
    RouteModel,
    SessionStoreModel,
)
from fluxlit.testing import FluxLitTestClient
from fluxlit_codegen.manifest import find_manifest, load_manifest, manifest_source_hash

MANIFESTS = Path(__file__).parent / "manifests"


def _imp(value: str) -> HandlerRef:
    return HandlerRef(kind="import", value=value)


def test_every_key_reaches_the_model() -> None:
    model = load_manifest(MANIFESTS / "full.toml")
    assert model == AppModel(
        source="full.toml",
        title="Demo",
        settings={
            "gateway_host": "0.0.0.0",
            "gateway_port": 8080,
            "log_level": "debug",
            "api_mount_path": "/api",
            "root_path": "/demo",
            "runtime_mode": "sidecar",
            "security_headers": True,
            "title": "Demo",
        },
        pages=(
            PageModel(
                path="/",
                title="Home",
                handler=_imp("myapp.pages:home"),
                icon=":material/home:",
                tags=("main",),
                page_meta={"layout": "wide", "description": "Start here"},
            ),
            PageModel(
                path="/reports",
                title="Reports",
                handler=HandlerRef(kind="script", value="pages/report.py"),
            ),
        ),
        navigation=NavigationModel(order=("/reports", "/")),
        routes=(
            RouteModel(
                path="/items/{item_id}",
                handler=_imp("myapp.api:item"),
                methods=("GET", "DELETE"),
                name="item",
                summary="One item",
                tags=("items",),
                auth=AuthRequirement(roles=("admin",), scopes=("items:read",)),
            ),
            RouteModel(
                path="/health/deep",
                handler=_imp("myapp.api:deep"),
                auth=AuthRequirement(),
                include_in_schema=False,
            ),
        ),
        mounts=(
            MountModel(path="/legacy", app=_imp("legacy_api:app")),
            MountModel(path="/files", static_dir="public", html=True),
        ),
        auth=AuthModel(
            jwt=JWTModel(
                issuer="https://idp.example",
                audience="demo",
                algorithms=("RS256",),
                jwks_url="https://idp.example/jwks",
                leeway_seconds=30,
                jwks_cache_ttl_seconds=120.5,
                roles_claim="groups",
                scope_claim="scp",
            ),
            oidc=OIDCModel(
                issuer="https://idp.example",
                client_id="demo",
                client_secret_env="DEMO_CLIENT_SECRET",
                bff_secret_env="DEMO_BFF_SECRET",
                scope="openid email",
                public_base_url="https://demo.example",
                streamlit_redirect_path="/reports",
            ),
        ),
        session_store=SessionStoreModel(
            kind="redis", url_env="DEMO_REDIS_URL", ttl_seconds=3600, param="sid"
        ),
    )


def test_existing_streamlit_pages_and_fastapi_app_compose() -> None:
    model = load_manifest(MANIFESTS / "existing_apps.toml")
    assert [(p.path, p.title, p.handler) for p in model.pages] == [
        ("/", "Home", HandlerRef(kind="script", value="Home.py")),
        ("/sales", "Sales", HandlerRef(kind="script", value="pages/1_Sales.py")),
    ]
    assert model.mounts == (MountModel(path="/", app=_imp("backend.main:app")),)
    assert model.routes == ()
    assert model.target is None


EXISTING_FILES = {
    "Home.py": 'import streamlit as st\n\nst.title("Legacy home")\n',
    "pages/1_Sales.py": 'import streamlit as st\n\nst.title("Sales")\nst.write("total", 42)\n',
    "backend/__init__.py": "",
    "backend/main.py": (
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/sales/total")\ndef total() -> dict[str, int]:\n    return {"total": 42}\n'
    ),
}


def test_existing_streamlit_and_fastapi_apps_are_served_with_only_a_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_fluxlit_env: Path
) -> None:
    """Unchanged Home.py + pages/1_Sales.py and an unchanged FastAPI app, one manifest."""
    project = tmp_path / "legacy"
    for name, text in EXISTING_FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    shutil.copy(MANIFESTS / "existing_apps.toml", project / "fluxlit.toml")
    monkeypatch.syspath_prepend(str(project))
    for module in ("backend", "backend.main"):
        monkeypatch.delitem(sys.modules, module, raising=False)

    client = FluxLitTestClient.from_manifest(project)
    answer = client.api_get("/sales/total")
    assert (answer.status_code, answer.json()) == (200, {"total": 42})

    target = str(project / "fluxlit.toml")
    home = client.streamlit(target=target)
    client.assert_no_streamlit_exception(home)
    assert [t.value for t in home.title] == ["Legacy home"]
    sales = client.select_page(home, "sales", target=target)
    client.assert_no_streamlit_exception(sales)
    assert [t.value for t in sales.title] == ["Sales"]
    assert [m.value for m in sales.markdown] == ["total `42`"]


def test_pyproject_tool_table_is_a_manifest(tmp_path: Path) -> None:
    shutil.copy(MANIFESTS / "tool_table.pyproject.toml", tmp_path / "pyproject.toml")
    assert find_manifest(tmp_path) == tmp_path / "pyproject.toml"
    model = load_manifest(tmp_path / "pyproject.toml")
    assert model.source == "pyproject.toml"
    assert model.title == "From pyproject"
    assert model.settings == {"gateway_port": 9000, "title": "From pyproject"}
    assert [p.handler.value for p in model.pages] == ["demo.pages:home"]
    assert [r.path for r in model.routes] == ["/ping"]


def test_find_manifest_prefers_fluxlit_toml(tmp_path: Path) -> None:
    assert find_manifest(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_manifest(tmp_path) is None, "a pyproject without [tool.fluxlit] is no manifest"
    shutil.copy(MANIFESTS / "tool_table.pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "fluxlit.toml").write_text('title = "x"\n', encoding="utf-8")
    assert find_manifest(tmp_path) == tmp_path / "fluxlit.toml"


def test_seed_only_manifest_keeps_its_meaning(tmp_path: Path) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text('target = "main:app"\ngateway_port = 9001\n', encoding="utf-8")
    model = load_manifest(manifest)
    assert (model.target, model.settings, model.pages) == ("main:app", {"gateway_port": 9001}, ())


def test_page_titles_and_paths_are_normalised(tmp_path: Path) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text('[[pages]]\npath = "/sales-report/"\nscript = "a.py"\n', encoding="utf-8")
    (page,) = load_manifest(manifest).pages
    assert (page.path, page.title) == ("/sales-report", "Sales Report")


def test_source_hash_is_sha256_of_the_bytes() -> None:
    path = MANIFESTS / "full.toml"
    assert manifest_source_hash(path) == hashlib.sha256(path.read_bytes()).hexdigest()
