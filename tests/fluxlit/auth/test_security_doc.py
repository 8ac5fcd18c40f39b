"""docs/security.md only cites tests that exist, and its code examples are valid."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")


def test_cited_test_files_and_functions_exist() -> None:
    files = set(re.findall(r"(test_[a-z0-9_]+\.py)", DOC))
    functions = set(re.findall(r"::(test_[a-z0-9_]+)", DOC))
    assert files and functions
    sources = {path.name: path.read_text(encoding="utf-8") for path in ROOT.glob("tests/**/*.py")}
    assert sorted(files - set(sources)) == []
    defined = set(
        re.findall(r"^(?:async )?def (test_[a-z0-9_]+)", "\n".join(sources.values()), re.M)
    )
    assert sorted(functions - defined) == []
    assert "code review" not in DOC and "gateway tests |" not in DOC


def test_examples_parse() -> None:
    blocks = re.findall(r"```(python|toml)\n(.*?)```", DOC, re.S)
    assert {kind for kind, _ in blocks} == {"python", "toml"}
    for kind, code in blocks:
        if kind == "python":
            ast.parse(code)
        else:
            tomllib.loads(code)
