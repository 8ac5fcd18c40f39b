"""The build stamp: written atomically and only on change; the compiler's code counts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fluxlit_codegen import stamp
from fluxlit_codegen.compile import compile_resolved
from fluxlit_codegen.project import resolve_app

MANIFEST = '[[pages]]\npath = "/"\nhandler = "stamp_handlers:home"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    (tmp_path / "stamp_handlers.py").write_text("def home(st, client):\n    st.write(1)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("stamp_handlers", None)
    return tmp_path


def test_an_unchanged_stamp_is_not_rewritten(project: Path) -> None:
    compile_resolved(resolve_app(None, project))
    path = project / ".fluxlit/build" / stamp.STAMP_NAME
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))  # so a rewrite would show
    compile_resolved(resolve_app(None, project))
    assert path.stat().st_mtime_ns == before - 10**9
    assert stamp.build_is_current(project)
    files = sorted(p.name for p in path.parent.iterdir())
    assert not [name for name in files if name.endswith(".tmp")], "no temp files left"


def test_a_changed_stamp_is_replaced_atomically(project: Path, monkeypatch) -> None:
    compile_resolved(resolve_app(None, project))
    replaced: list[str] = []
    real_replace = os.replace
    monkeypatch.setattr(
        os, "replace", lambda src, dst: (replaced.append(Path(dst).name), real_replace(src, dst))
    )
    (project / "fluxlit.toml").write_text('title = "changed"\n' + MANIFEST)
    compile_resolved(resolve_app(None, project))
    assert stamp.STAMP_NAME in replaced, "written to a temp file, then swapped in"
    assert stamp.build_is_current(project)


def test_editing_the_compiler_makes_the_build_stale(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiler = tmp_path_factory.mktemp("compiler") / "render.py"
    compiler.write_text("# version 1\n")
    sources = [*stamp.compiler_sources(), compiler]
    monkeypatch.setattr(stamp, "compiler_sources", lambda: sources)
    compile_resolved(resolve_app(None, project))
    assert stamp.build_is_current(project)
    compiler.write_text("# version 2, longer\n")
    assert not stamp.build_is_current(project), "a changed compiler source file"


def test_the_fingerprint_covers_the_compiler_package() -> None:
    names = {p.name for p in stamp.compiler_sources()}
    assert {"render.py", "manifest.py", "checks.py", "literals.py", "model.py"} <= names
    assert all(p.is_file() for p in stamp.compiler_sources())
