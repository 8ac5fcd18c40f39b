"""Problems found in a manifest, reported all at once with file, line, column and key."""

from __future__ import annotations

from dataclasses import dataclass


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


class ManifestError(Exception):
    """A manifest with one or more problems; ``str()`` lists them, one per line, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.key_path))
        super().__init__("\n".join(str(p) for p in self.problems))
