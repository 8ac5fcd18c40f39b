"""Routes declared on routers (``include_router``) reach the app model on every FastAPI.

FastAPI 0.16x keeps one lazy node per included router in ``app.routes``; older
versions copy the routes. The slow test runs the same app under the oldest FastAPI
FluxLit supports, in a venv of its own, and compares with the installed (newest) one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from fastapi import APIRouter
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from fluxlit import FluxLit, FluxlitSettings
from fluxlit.api_routes import app_routes

ROOT = Path(__file__).resolve().parents[2]
OLDEST_FASTAPI = ("fastapi==0.115.3", "starlette==0.40.0")
"""The floor pyproject.toml allows (fastapi>=0.115.3 with starlette>=0.40)."""

PROBE = """
import json
from fastapi import APIRouter
from fluxlit import FluxLit, FluxlitSettings

app = FluxLit(settings=FluxlitSettings(_env_file=None))
inner = APIRouter(prefix="/inner", tags=["inner"])


@inner.get("/deep")
def deep() -> int:
    return 1


@inner.get("/hidden", include_in_schema=False)
def hidden() -> int:
    return 0


outer = APIRouter(prefix="/outer", tags=["outer"])


@outer.post("/items", summary="Add an item")
def add() -> int:
    return 2


outer.include_router(inner)
app.api.include_router(outer)


@app.api.get("/direct")
def direct() -> int:
    return 3


print(json.dumps([route.model_dump(mode="json") for route in app.model().routes]))
"""

EXPECTED = [
    ("/outer/items", ["POST"], ["outer"], "Add an item"),
    ("/outer/inner/deep", ["GET"], ["outer", "inner"], None),
    ("/direct", ["GET"], [], None),
]


def _summary(routes: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["path"], r["methods"], r["tags"], r["summary"]) for r in routes]


def _probe(python: str, tmp_path: Path) -> list[dict[str, object]]:
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [python, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    routes: list[dict[str, object]] = json.loads(result.stdout)
    return routes


def test_router_routes_are_in_the_model(clean_fluxlit_env: Path) -> None:
    app = FluxLit(settings=FluxlitSettings())
    router = APIRouter(prefix="/reports", tags=["reports"])

    @router.get("/daily")
    def daily() -> list[int]:
        return []

    app.api.include_router(router, prefix="/v1")
    app.api.mount("/files", StaticFiles(directory=str(clean_fluxlit_env)))
    routes = {(r.path, r.methods) for r in app.model().routes}
    assert ("/v1/reports/daily", ("GET",)) in routes
    assert [m.path for m in app.model().mounts] == ["/files"]
    found = {r.path: r for r in app_routes(app.api)}
    assert found["/v1/reports/daily"].endpoint is daily
    assert isinstance(found["/files"].declared, Mount)


def test_router_routes_reach_the_generated_gateway(clean_fluxlit_env: Path, tmp_path: Path) -> None:
    from fluxlit_codegen.render import render_build

    routes = _probe(sys.executable, tmp_path)
    assert _summary(routes) == [(p, m, t, s) for p, m, t, s in EXPECTED]
    app = FluxLit(settings=FluxlitSettings())
    router = APIRouter(prefix="/shop")

    @router.get("/cart")
    def cart() -> int:
        return 0

    app.api.include_router(router)
    files = render_build(
        app.model(target="shop:app"),
        source="python:shop:app",
        source_hash="ab" * 32,
        out_dir=tmp_path / ".fluxlit" / "build",
        project_root=tmp_path,
    )
    assert "/shop/cart" in files["gateway.py"]


def _oldest_fastapi_python(folder: Path) -> str:
    """A venv whose own FastAPI and Starlette are the oldest supported.

    Everything else comes from this suite's venv (a ``.pth`` line after the venv's own
    site-packages), so the old pair shadows the new one and nothing else is fetched.
    """
    venv.EnvBuilder(with_pip=True).create(folder)
    python = str(folder / "bin" / "python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "suite.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", *OLDEST_FASTAPI],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return python


@pytest.mark.slow
def test_oldest_and_newest_fastapi_read_the_same_routes(tmp_path: Path) -> None:
    """The same app under FastAPI 0.115.3 (copied routes) and the installed 0.16x (lazy)."""
    import fastapi
    import starlette

    python = _oldest_fastapi_python(tmp_path / "oldest")
    versions = subprocess.run(
        [
            python,
            "-c",
            "import fastapi, starlette; print(fastapi.__version__, starlette.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert versions == [spec.split("==")[1] for spec in OLDEST_FASTAPI]
    assert [fastapi.__version__, starlette.__version__] != versions, "the suite runs the newest"
    oldest = _probe(python, tmp_path)
    newest = _probe(sys.executable, tmp_path)
    assert _summary(oldest) == _summary(newest) == [(p, m, t, s) for p, m, t, s in EXPECTED]
