"""Turn plain data into Python source literals: the only way values enter generated code."""

from __future__ import annotations

import math
from typing import Any

from fluxlit.errors import ConfigurationError, UsageError

SCALARS = (str, int, float, bool, type(None))


def py_literal(value: Any) -> str:
    """``repr`` of a str/int/float/bool/None (anything else is refused).

    ``inf`` and ``nan`` are refused too: their ``repr`` is a bare name, not a literal
    (the manifest front end reports them at their key before they get here).
    """
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigurationError(
            f"{value!r} has no Python literal; only finite numbers are written"
        )
    if not isinstance(value, SCALARS):
        raise UsageError(f"only plain scalars become literals, not {type(value).__name__}")
    return repr(value)


def format_literal(value: Any, indent: int = 4, level: int = 1) -> str:
    """A readable, deterministic Python literal for JSON-like data (sorted dict keys)."""
    pad = " " * (indent * level)
    close = " " * (indent * (level - 1))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{py_literal(str(key))}: {format_literal(value[key], indent, level + 1)},"
            for key in sorted(value, key=str)
        ]
        return "{\n" + "\n".join(items) + f"\n{close}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{format_literal(item, indent, level + 1)}," for item in value]
        return "[\n" + "\n".join(items) + f"\n{close}]"
    return py_literal(value)
