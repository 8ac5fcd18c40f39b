"""Problems found in a manifest, reported all at once with file, line, column and key.

``Collector`` builds them: it locates key paths in the TOML text and turns pydantic's
validation errors into sentences in the manifest's terms.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from fluxlit.errors import UserError
from fluxlit_codegen.locate import locate_keys, nearest


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is, which key, what was expected, and what to do about it.

    ``message`` states the mistake; ``expected`` names the accepted form when there is one;
    ``suggestion`` is a likely intended value (a misspelt key's neighbour, a fixed reference).
    """

    file: str
    line: int
    column: int
    key_path: str
    message: str
    expected: str | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: "
        if self.key_path:
            text += f"{self.key_path}: "
        text += self.message
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ManifestError(UserError):
    """A manifest with one or more problems; ``str()`` lists them, one per line, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.key_path))
        super().__init__("\n".join(str(p) for p in self.problems))


def key_path_of(loc: tuple[Any, ...]) -> str:
    """A pydantic location as a key path: ``("pages", 2, "handler")`` is ``pages[2].handler``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the pydantic model found at ``loc`` below ``root`` (for 'did you mean')."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            break
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not None]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        lists = [
            inner
            for c in candidates
            for inner in getattr(c, "__args__", ())
            if isinstance(inner, type) and issubclass(inner, BaseModel)
        ]
        found = nested or lists
        if not found:
            return []
        model = found[0]
    return list(getattr(model, "model_fields", {}))


class Collector:
    """Accumulates problems with locations for one manifest file."""

    def __init__(self, file: str, text: str, prefix: str) -> None:
        self.file = file
        self.found = locate_keys(text)
        self.prefix = prefix
        self.problems: list[Problem] = []

    def add(
        self,
        key_path: str,
        message: str,
        *,
        expected: str | None = None,
        suggestion: str | None = None,
        at_value: bool = True,
    ) -> None:
        """Record a problem at ``key_path``: at its value, or at the key if not ``at_value``."""
        line, column = nearest(self.found, self.prefix + key_path, value=at_value)
        self.problems.append(
            Problem(self.file, line, column, key_path, message, expected, suggestion)
        )

    def unknown(self, key_path: str, key: str, known: list[str], what: str = "key") -> None:
        """Report an unknown key, suggesting the closest known one."""
        close = difflib.get_close_matches(key, known, n=1)
        suggestion = close[0] if close else None
        self.add(key_path, f"unknown {what} '{key}'", suggestion=suggestion, at_value=False)

    def from_validation(self, error: ValidationError, root: type[BaseModel]) -> None:
        """Report each pydantic error of validating against ``root`` at its key."""
        for item in _without_union_noise(error.errors()):
            loc = trim_union(tuple(item["loc"]))
            kind = item["type"]
            if kind == "extra_forbidden":
                self.unknown(key_path_of(loc), str(loc[-1]), _fields_at(root, loc[:-1]))
            elif kind == "missing":
                self.add(key_path_of(loc), "required key is missing", at_value=False)
            else:
                loc = tuple(p for p in loc if not str(p).startswith(("bool", "is-instance")))
                key_path = key_path_of(trim_union(loc))
                message, expected = describe(item, key_path)
                self.add(key_path, message, expected=expected)


_ROUTE_AUTH = re.compile(r"routes\[\d+\]\.auth$")


_TOML_KINDS = {"model_type": "a table", "dict_type": "a table", "list_type": "an array"}


def describe(item: Any, key_path: str) -> tuple[str, str | None]:
    """A pydantic error as (message, expected), in the manifest's terms."""
    got = f"got {item['input']!r}"
    if _ROUTE_AUTH.search(key_path):
        expected = 'true or a table like { roles = ["admin"], scopes = ["items:read"] }'
    elif item["type"] in _TOML_KINDS:
        expected = _TOML_KINDS[item["type"]]
    elif item["type"] == "literal_error":
        expected = f"one of {item.get('ctx', {}).get('expected', '')}"
    else:
        return f"{item['msg'].lower()}, {got}", None
    return f"expected {expected}, {got}", expected


def _is_union_tag(part: Any) -> bool:
    """Pydantic marks union members in locations (``bool``, ``RouteAuthTable``)."""
    return isinstance(part, str) and (part[:1].isupper() or part in {"bool", "str", "int"})


def trim_union(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union-member markers from a location."""
    return tuple(p for p in loc if not _is_union_tag(p))


def _without_union_noise(errors: list[Any]) -> list[Any]:
    """For a table given where a union also allows a scalar, keep only the table's errors."""
    table_members = {
        trim_union(tuple(e["loc"]))
        for e in errors
        if any(isinstance(p, str) and p[:1].isupper() for p in e["loc"])
    }
    prefixes = {loc[: i + 1] for loc in table_members for i in range(len(loc))}
    return [
        e
        for e in errors
        if not (
            any(p in {"bool", "str", "int"} for p in e["loc"])
            and trim_union(tuple(e["loc"])) in prefixes
        )
    ]
