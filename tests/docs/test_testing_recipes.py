"""Every python recipe in docs/testing.md runs, against the demo app."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
DEMO = ROOT / "docs" / "examples" / "demo"
RECIPES = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture
def manifest_project(tmp_path: Path) -> Path:
    (tmp_path / "fluxlit.toml").write_text(
        '[[pages]]\npath = "/"\nhandler = "recipe_pages:home"\n\n'
        '[[routes]]\npath = "/hello"\nhandler = "recipe_pages:hello"\n'
    )
    (tmp_path / "recipe_pages.py").write_text(
        "def hello():\n    return {'message': 'Hello, world!'}\n\n"
        "def home(st, client):\n    st.write(client.get('/hello').json()['message'])\n"
    )
    sys.modules.pop("recipe_pages", None)
    return tmp_path


def test_there_are_recipes() -> None:
    assert len(RECIPES) >= 6


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: re.search(r"def (test_\w+)", r).group(1))
def test_recipe(
    recipe: str, monkeypatch: pytest.MonkeyPatch, manifest_project: Path, clean_fluxlit_env
) -> None:
    monkeypatch.syspath_prepend(str(DEMO))
    monkeypatch.chdir(DEMO)
    namespace: dict[str, object] = {}
    exec(compile(recipe, str(DOC), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert tests, "each recipe defines a test function"
    for test in tests:
        if "manifest_project" in test.__code__.co_varnames[: test.__code__.co_argcount]:  # type: ignore[attr-defined]
            test(manifest_project)  # type: ignore[operator]
        else:
            test()  # type: ignore[operator]
