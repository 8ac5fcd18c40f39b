"""Deep links to Streamlit pages: plain query values and ``?page=`` routing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def page_slug(path: str) -> str:
    """Streamlit ``url_path`` for a page: ``/`` is ``home``; ``/a/b`` is ``a-b``."""
    inner = path.strip().strip("/")
    return "home" if not inner else inner.replace("/", "-")


def query_params(st: Any) -> dict[str, str]:
    """Return the current URL query as plain strings (the first value of a list).

    Missing or unreadable ``st.query_params`` gives an empty dict.
    """
    try:
        raw = st.query_params
        items = list(raw.to_dict().items()) if hasattr(raw, "to_dict") else list(raw.items())
    except Exception:
        return {}
    result: dict[str, str] = {}
    for key, value in items:
        if isinstance(value, list | tuple):
            if not value:
                continue
            value = value[0]
        result[str(key)] = str(value)
    return result


def match_nav_page(
    query: Mapping[str, str],
    pages: Sequence[tuple[Any, ...]],
    *,
    page_key: str = "page",
) -> tuple[str, str] | None:
    """Resolve ``(path, title)`` from the ``page_key`` query value and registered pages.

    The value is compared with each page's title, path and slug (after ``strip()``);
    the first match in ``pages`` order wins. ``None`` when missing, empty or unmatched.
    """
    wanted = (query.get(page_key) or "").strip()
    if not wanted:
        return None
    for page in pages:
        path, title = str(page[0]).strip(), str(page[1])
        candidates = {title, path, page_slug(path), path.strip("/")}
        if wanted in candidates:
            return path, title
    return None
