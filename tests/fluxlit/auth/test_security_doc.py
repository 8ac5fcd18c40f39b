"""docs/security.md only cites tests that exist, and its code examples are valid."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def test_cited_test_files_and_functions_exist() -> None:
    """Each ``test_x.py::test_y`` cited names a test function defined in that very file."""
    cited = set(re.findall(r"(test_[a-z0-9_]+\.py)::(test_[a-z0-9_]+)", DOC))
    files = set(re.findall(r"(test_[a-z0-9_]+\.py)", DOC))
    assert cited and files
    sources: dict[str, str] = {}
    for path in ROOT.glob("tests/**/*.py"):
        sources[path.name] = sources.get(path.name, "") + path.read_text(encoding="utf-8")
    assert sorted(files - set(sources)) == []
    missing = [
        f"{name}::{function}"
        for name, function in sorted(cited)
        if not re.search(rf"^(?:async )?def {function}\b", sources[name], re.M)
    ]
    assert missing == []
    assert "code review" not in DOC and "gateway tests |" not in DOC


def test_examples_parse() -> None:
    blocks = re.findall(r"```(python|toml)\n(.*?)```", DOC, re.S)
    assert {kind for kind, _ in blocks} == {"python", "toml"}
    for kind, code in blocks:
        if kind == "python":
            ast.parse(code)
        else:
            tomllib.loads(code)
