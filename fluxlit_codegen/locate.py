"""Map manifest key paths (``pages[2].handler``) to their line and column in the TOML text."""

from __future__ import annotations

import re

_ARRAY_TABLE = re.compile(r"^\[\[\s*([A-Za-z0-9_.\-]+)\s*\]\]")
_TABLE = re.compile(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]")
_KEY = re.compile(r"^([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")
_INLINE_KEY = re.compile(r"[{,]\s*([A-Za-z0-9_\-]+)\s*=")
_TRIPLE = re.compile(r'"""|\'\'\'')


def _resolve_table(name: str, arrays: dict[str, int]) -> str:
    """``pages.page_meta`` inside the latest ``[[pages]]`` becomes ``pages[3].page_meta``."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        if head in arrays:
            rest = ".".join(parts[cut:])
            return f"{head}[{arrays[head]}]" + (f".{rest}" if rest else "")
    return name


def _multiline_state(line: str, open_quote: str | None) -> str | None:
    """Which triple quote is still open after ``line`` (``None`` when none is)."""
    for match in _TRIPLE.finditer(line):
        if open_quote is None:
            open_quote = match.group(0)
        elif match.group(0) == open_quote:
            open_quote = None
    return open_quote


def _after_spaces(line: str, index: int) -> int:
    """1-based column of the first non-blank character at or after ``index``."""
    return len(line) - len(line[index:].lstrip()) + 1


def locate_keys(text: str) -> dict[str, tuple[int, int]]:
    """Return ``{key_path: (line, column)}`` (1-based) for tables and keys in ``text``.

    For each ``key = value`` there is also an entry ``key_path=`` (with a trailing
    ``=``) giving where the value starts, so value errors can point at the value.
    """
    found: dict[str, tuple[int, int]] = {}
    arrays: dict[str, int] = {}
    current = ""
    open_quote: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.lstrip()
        indent = len(raw) - len(stripped) + 1
        was_open = open_quote is not None
        open_quote = _multiline_state(raw, open_quote)
        if was_open or not stripped or stripped.startswith("#"):
            continue
        if match := _ARRAY_TABLE.match(stripped):
            name = match.group(1)
            arrays[name] = arrays.get(name, -1) + 1
            current = f"{name}[{arrays[name]}]"
            found.setdefault(name, (number, indent))
            found[current] = (number, indent)
            continue
        if match := _TABLE.match(stripped):
            current = _resolve_table(match.group(1), arrays)
            found[current] = (number, indent)
            continue
        if match := _KEY.match(stripped):
            key = re.sub(r"\s*\.\s*", ".", match.group(1))
            path = f"{current}.{key}" if current else key
            found[path] = (number, indent)
            value_start = raw.find("=", indent - 1 + match.start(1)) + 1
            found[f"{path}="] = (number, _after_spaces(raw, value_start))
            if raw[value_start:].lstrip().startswith("{"):
                for inner in _INLINE_KEY.finditer(raw, value_start):
                    inner_path = f"{path}.{inner.group(1)}"
                    found[inner_path] = (number, inner.start(1) + 1)
                    found[f"{inner_path}="] = (number, _after_spaces(raw, inner.end()))
    return found


def nearest(
    found: dict[str, tuple[int, int]], key_path: str, *, value: bool = False
) -> tuple[int, int]:
    """Location of ``key_path`` (its value, if ``value``) or of its closest located parent."""
    path = key_path
    while path:
        if value and f"{path}=" in found:
            return found[f"{path}="]
        if path in found:
            return found[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return (1, 1)
