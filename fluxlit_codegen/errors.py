"""Problems found in a manifest, reported all at once with file, line, column and key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake: where it is, which key, and what to do about it."""

    file: str
    line: int
    column: int
    key_path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        if not self.key_path:
            return f"{where}: {self.message}"
        return f"{where}: {self.key_path}: {self.message}"


class ManifestError(Exception):
    """A manifest with one or more problems; ``str()`` lists them, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.key_path))
        super().__init__("\n".join(str(p) for p in self.problems))
