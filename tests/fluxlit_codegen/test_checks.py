"""Handler checks: every reference imported, its shape checked, problems located."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from fluxlit_codegen.checks import check_handlers
from fluxlit_codegen.manifest import load_manifest

MODULE = """
from fastapi import FastAPI

def home(st, client):
    st.write("hi")

def lonely(st):
    pass

def get_item(item_id: int):
    return {"id": item_id}

NOT_CALLABLE = 3
legacy = FastAPI()

def not_asgi(x):
    return x
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, str]:
    """A project folder with a uniquely named handler module (no sys.modules clashes)."""
    name = f"handlers_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "report.py").write_text("import streamlit as st\n", encoding="utf-8")
    (tmp_path / "public").mkdir()
    return tmp_path, name


def _check(root: Path, text: str) -> list[str]:
    (root / "fluxlit.toml").write_text(text, encoding="utf-8")
    return [str(p) for p in check_handlers(load_manifest(root / "fluxlit.toml"), root)]


def test_a_sound_app_has_no_problems(project: tuple[Path, str]) -> None:
    root, mod = project
    text = (
        f'[[pages]]\npath = "/"\nhandler = "{mod}:home"\n'
        '[[pages]]\npath = "/report"\nscript = "pages/report.py"\n'
        f'[[routes]]\npath = "/items/{{item_id}}"\nhandler = "{mod}:get_item"\n'
        f'[[mounts]]\npath = "/legacy"\napp = "{mod}:legacy"\n'
        '[[mounts]]\npath = "/files"\nstatic = "public"\n'
    )
    assert _check(root, text) == []


def test_each_bad_reference_is_reported_at_its_key(project: tuple[Path, str]) -> None:
    root, mod = project
    text = (
        '[[pages]]\npath = "/"\nhandler = "no_such_module_xyz:home"\n'  # 1-3
        f'[[pages]]\npath = "/a"\nhandler = "{mod}:missing"\n'  # 4-6
        f'[[pages]]\npath = "/b"\nhandler = "{mod}:lonely"\n'  # 7-9
        '[[pages]]\npath = "/c"\nscript = "pages/nope.py"\n'  # 10-12
        f'[[routes]]\npath = "/x"\nhandler = "{mod}:NOT_CALLABLE"\n'  # 13-15
        f'[[mounts]]\npath = "/m"\napp = "{mod}:not_asgi"\n'  # 16-18
        '[[mounts]]\npath = "/s"\nstatic = "absent"\n'  # 19-21
    )
    assert _check(root, text) == [
        "fluxlit.toml:3:11: pages[0].handler: cannot import module 'no_such_module_xyz'"
        " (needed by 'no_such_module_xyz:home')",
        f"fluxlit.toml:6:11: pages[1].handler: module '{mod}' has no attribute 'missing'",
        "fluxlit.toml:9:11: pages[2].handler: lonely must accept (st, client)"
        " as its first two parameters",
        "fluxlit.toml:12:10: pages[3].script: script file 'pages/nope.py' not found",
        f"fluxlit.toml:15:11: routes[0].handler: '{mod}:NOT_CALLABLE' is not callable",
        f"fluxlit.toml:18:7: mounts[0].app: '{mod}:not_asgi' is not an ASGI app"
        " (it must accept (scope, receive, send))",
        "fluxlit.toml:21:10: mounts[1].static: folder 'absent' not found",
    ]


def test_a_failing_import_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    name = f"broken_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    problems = _check(tmp_path, f'[[pages]]\npath = "/"\nhandler = "{name}:home"\n')
    assert problems == [
        f"fluxlit.toml:3:11: pages[0].handler: importing '{name}:home' failed: "
        f"{tmp_path / name}.py:1: RuntimeError: boom"
    ]


def test_pyproject_locations_point_into_the_tool_table(project: tuple[Path, str]) -> None:
    root, mod = project
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        f'[project]\nname = "x"\n[tool.fluxlit]\n[[tool.fluxlit.pages]]\npath = "/"\n'
        f'handler = "{mod}:nope"\n',
        encoding="utf-8",
    )
    problems = check_handlers(load_manifest(pyproject), root)
    assert [str(p) for p in problems] == [
        f"pyproject.toml:6:11: pages[0].handler: module '{mod}' has no attribute 'nope'"
    ]


def test_route_signatures_are_checked_per_path(project: tuple[Path, str]) -> None:
    """One handler, two paths: FastAPI refuses a list as a path parameter, not as a query."""
    root, mod = project
    (root / f"{mod}.py").write_text(
        MODULE + "\ndef by_ids(item_id: list[int]):\n    return item_id\n", encoding="utf-8"
    )
    text = (
        f'[[routes]]\npath = "/a/{{item_id}}"\nhandler = "{mod}:by_ids"\n'  # 1-3
        f'[[routes]]\npath = "/b"\nhandler = "{mod}:by_ids"\n'  # 4-6
        f'[[routes]]\npath = "/c/{{item_id}}"\nhandler = "{mod}:by_ids"\n'  # 7-9
    )
    assert _check(root, text) == [
        f"fluxlit.toml:{line}:11: routes[{index}].handler: FastAPI cannot serve '{mod}:by_ids'"
        f" at '{path}': Path params must be of one of the supported types"
        for index, line, path in ((0, 3, "/a/{item_id}"), (2, 9, "/c/{item_id}"))
    ]
