"""Rules for the test modules themselves, so a green suite keeps meaning what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SOURCES = {
    path.relative_to(TESTS).as_posix(): path.read_text(encoding="utf-8")
    for path in sorted(TESTS.rglob("*.py"))
    if "node_modules" not in path.parts
}
RULES = {
    r"importorskip\(|pytest\.skip\(|mark\.skipif\(": (
        "skips go through tests.helpers.ci (require, require_module, require_program), "
        "which fail instead when CI is set"
    ),
    r"^\s*from \.|^\s*(?:from|import) \S*(?:conftest|\btest_\w+)\b": (
        "import shared helpers from tests.helpers, never from a conftest or another test module"
    ),
}
HOME_OF_SKIPS = "helpers/ci.py"


@pytest.mark.parametrize("pattern", sorted(RULES))
def test_modules_follow_the_rule(pattern: str) -> None:
    offenders = [
        f"tests/{name}:{source.count(chr(10), 0, match.start()) + 1}"
        for name, source in SOURCES.items()
        if name != HOME_OF_SKIPS
        for match in re.finditer(pattern, source, flags=re.M)
    ]
    assert offenders == [], RULES[pattern]


def test_the_rules_see_the_modules() -> None:
    assert "def skip_or_fail" in SOURCES[HOME_OF_SKIPS]
    assert len(SOURCES) > 50
