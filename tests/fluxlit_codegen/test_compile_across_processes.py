"""`fluxlit compile` writes the same bytes in any process: hash seed, folder, environment order.

The byte-identical test in test_render.py renders twice in one process, where every set
iterates in the same order; only separate interpreters with different ``PYTHONHASHSEED``
values show output that depends on set order (FastAPI keeps a route's methods in a set).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.cli import run_fluxlit

pytestmark = pytest.mark.slow

# Five methods: two hash seeds put them in the same order by chance about once in 120.
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
HANDLERS = """
def home(st, client):
    st.write("home")


def items():
    return []
"""
PYTHON_APP = f"""
from fluxlit import FluxLit

app = FluxLit(title="Seeds", import_target="seeds:app")


@app.page("/")
def home(st, client):
    st.write("home")


@app.api.api_route("/items", methods={METHODS!r})
def items():
    return []
"""
MANIFEST = f"""
title = "Seeds"

[[pages]]
path = "/"
handler = "handlers:home"

[[routes]]
path = "/items"
methods = {METHODS!r}
handler = "handlers:items"
"""
PROJECTS = {
    "python": ({"seeds.py": PYTHON_APP}, ["seeds:app"]),
    "manifest": ({"fluxlit.toml": MANIFEST, "handlers.py": HANDLERS}, []),
}


def compile_in(
    folder: Path, files: dict[str, str], target: list[str], env: dict[str, str]
) -> dict[str, bytes]:
    """Write the project into ``folder``, run `fluxlit compile` there, return the build's bytes."""
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = run_fluxlit(folder, "compile", *target, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    build = folder / ".fluxlit" / "build"
    return {path.name: path.read_bytes() for path in sorted(build.iterdir()) if path.is_file()}


@pytest.mark.parametrize("declared", sorted(PROJECTS))
def test_compile_output_is_the_same_in_any_process(tmp_path: Path, declared: str) -> None:
    files, target = PROJECTS[declared]
    base = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    first_env = {**base, "PYTHONHASHSEED": "1"}
    second_env = dict(reversed([*base.items(), ("PYTHONHASHSEED", "2")]))
    first = compile_in(tmp_path / "one", files, target, first_env)
    second = compile_in(tmp_path / "elsewhere" / "two", files, target, second_env)
    assert "gateway.py" in first and "streamlit_app.py" in first
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between the two processes"
