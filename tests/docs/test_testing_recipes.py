"""Every python recipe in docs/testing.md runs, against the demo app."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest

import fluxlit.testing

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
    assert len(RECIPES) >= 9


def test_every_public_helper_is_documented() -> None:
    """Module helpers and client methods each appear in the page as code."""
    module = fluxlit.testing
    names = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    }
    names |= {name for name in vars(module.FluxLitTestClient) if not name.startswith("_")}
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(n for n in names if not re.search(rf"[`.]{n}\b|\b{n}\(", text))
    assert not missing, f"docs/testing.md does not mention {missing}"


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
