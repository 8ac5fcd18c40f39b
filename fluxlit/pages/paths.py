"""The one rule for page paths, used by ``@app.page``, the manifest and navigation.

A page path is a URL path such as ``/`` or ``/reports/monthly``: surrounding spaces
and extra slashes are dropped, and its segments hold URL path characters only (no
``?``, ``#``, spaces, quotes or backslashes, no ``.``/``..``), so a path that is
declared is a path that can be served.
"""

from __future__ import annotations

from fluxlit.errors import FluxLitError
from fluxlit.paths import path_segments, url_path_problem


class PagePathError(FluxLitError, ValueError):
    """A page path that cannot be served; the message says why."""


def page_path_problem(path: object) -> str | None:
    """Why ``path`` is not a page path, or ``None`` when it is one."""
    if not isinstance(path, str) or not path.strip():
        return "page path must be a non-empty string such as '/' or '/reports'"
    problem = url_path_problem(path)
    return f"page path {problem}" if problem else None


def normalize_page_path(path: str) -> str:
    """``path`` with one leading ``/``, single slashes and no trailing ``/`` (``/`` stays).

    Raises ``PagePathError`` (a ``ValueError``) for a path ``page_path_problem`` refuses.
    """
    problem = page_path_problem(path)
    if problem:
        raise PagePathError(problem)
    return "/" + "/".join(path_segments(path))


def page_path_slug(path: str) -> str:
    """The page's Streamlit ``url_path``: ``/`` is ``home``; ``/a/b`` is ``a-b``.

    Built from the same segments as ``normalize_page_path``; it does not check them.
    """
    return "-".join(path_segments(path)) or "home"


__all__ = ["PagePathError", "normalize_page_path", "page_path_problem", "page_path_slug"]
