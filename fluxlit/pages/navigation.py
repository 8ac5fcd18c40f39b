"""Sidebar ordering of registered pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from fluxlit.pages.paths import normalize_page_path, page_path_problem

T = TypeVar("T")


def _comparable(path: str) -> str:
    """``path`` normalized as pages are; a value that is no page path matches nothing."""
    return path.strip() if page_path_problem(path) else normalize_page_path(path)


class NavigationOrder:
    """Order registered pages by URL path (values not registered are ignored).

    Paths are compared normalized (``/reports/`` names ``/reports``). Pages not named
    keep their registration order and follow the named ones.
    """

    def __init__(self, paths: Iterable[str] = ()) -> None:
        self.paths: tuple[str, ...] = tuple(_comparable(p) for p in paths)

    def apply(self, items: Sequence[T], path_of: Callable[[T], str]) -> list[T]:
        """Return ``items`` reordered; ``path_of`` reads an item's URL path."""
        rank = {path: i for i, path in reversed(list(enumerate(self.paths)))}
        indexed = list(enumerate(items))
        indexed.sort(key=lambda pair: (rank.get(_comparable(path_of(pair[1])), len(rank)), pair[0]))
        return [item for _, item in indexed]

    def __repr__(self) -> str:
        return f"NavigationOrder({list(self.paths)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NavigationOrder) and other.paths == self.paths

    def __hash__(self) -> int:
        return hash(self.paths)
