"""Say what is wrong with ``FLUXLIT_*`` settings in one line per variable.

pydantic reports a bad value as several lines of its own text with a docs URL; a
user who typed ``FLUXLIT_GATEWAY_PORT=abc`` needs ``FLUXLIT_GATEWAY_PORT: not an
integer ('abc')`` instead, naming the variable and what it accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from fluxlit.errors import UserError

_BOUNDS = {
    "greater_than_equal": (">=", "ge"),
    "greater_than": (">", "gt"),
    "less_than_equal": ("<=", "le"),
    "less_than": ("<", "lt"),
}
_KINDS = {
    "int_parsing": "not an integer",
    "int_from_float": "not an integer",
    "float_parsing": "not a number",
    "bool_parsing": "not a boolean (use true or false)",
    "list_type": 'not a list (give a JSON list such as \'["a", "b"]\')',
    "dict_type": 'not a mapping (give a JSON object such as \'{"key": "value"}\')',
    "string_type": "not a string",
    "json_invalid": "not valid JSON",
}
_FIELD_IN_MESSAGE = re.compile(r'field "(?P<field>\w+)"')


class SettingsError(UserError, ValueError):
    """One or more ``FLUXLIT_*`` settings have values FluxLit cannot use.

    The message has one line per bad setting: the variable, what is wrong, and the
    value given.
    """


def variable_name(field: str) -> str:
    """The environment variable that sets settings field ``field`` (and its aliases).

    ``field`` may already be a variable name: aliased fields are read under those.
    """
    from fluxlit.config.settings import SETTING_ALIASES  # settings imports this module

    name = field.lower().removeprefix("fluxlit_")
    aliases = [f"FLUXLIT_{a.upper()}" for a, target in SETTING_ALIASES.items() if target == name]
    variable = f"FLUXLIT_{name.upper()}"
    return f"{variable} (or {', '.join(aliases)})" if aliases else variable


def _problem(error: Any) -> str:
    kind = str(error.get("type", ""))
    given = error.get("input")
    ctx = error.get("ctx") or {}
    shown = f" ({given!r})" if given is not None and not isinstance(given, dict) else ""
    if kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace("'", "")
        return f"expected {allowed}, got {given!r}"
    if kind in _BOUNDS:
        symbol, key = _BOUNDS[kind]
        return f"must be {symbol} {ctx.get(key)}, got {given!r}"
    if kind in _KINDS:
        return _KINDS[kind] + shown
    text = str(error.get("msg", "invalid value"))
    return text[:1].lower() + text[1:] + shown


def settings_error_lines(
    exc: ValidationError, *, name: Callable[[str], str] = variable_name
) -> list[str]:
    """One ``VARIABLE: problem`` line per bad setting in ``exc`` (pydantic's error)."""
    lines = []
    for error in exc.errors():
        loc = error.get("loc") or ()
        field = str(loc[0]) if loc else "settings"
        item = "".join(f"[{part}]" for part in loc[1:])
        lines.append(f"{name(field)}{item}: {_problem(error)}")
    return lines


def is_settings_error(exc: BaseException) -> bool:
    """True for an error pydantic raised while reading ``FluxlitSettings``."""
    from pydantic_settings import SettingsError as PydanticSettingsError

    return isinstance(exc, PydanticSettingsError) or (
        isinstance(exc, ValidationError) and exc.title == "FluxlitSettings"
    )


def settings_error(exc: Exception, *, name: Callable[[str], str] = variable_name) -> SettingsError:
    """The ``SettingsError`` for an error raised while reading settings.

    Accepts pydantic's ``ValidationError`` and pydantic-settings' own error for a
    list or mapping variable that is not valid JSON.
    """
    if isinstance(exc, ValidationError):
        return SettingsError("\n".join(settings_error_lines(exc, name=name)))
    match = _FIELD_IN_MESSAGE.search(str(exc))
    if match:
        return SettingsError(
            f"{name(match['field'])}: not valid JSON (lists and mappings are given as JSON, "
            'e.g. \'["a", "b"]\')'
        )
    return SettingsError(f"FLUXLIT_* settings: {exc}")


__all__ = [
    "SettingsError",
    "is_settings_error",
    "settings_error",
    "settings_error_lines",
    "variable_name",
]
