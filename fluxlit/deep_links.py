"""Deep links to Streamlit pages: plain query values and ``?page=`` routing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fluxlit.pages.paths import page_path_slug


def page_slug(path: str) -> str:
    """Streamlit ``url_path`` for a page: ``/`` is ``home``; ``/a/b`` is ``a-b``."""
    return page_path_slug(path)


def query_params(st: Any) -> dict[str, str]:
    """Return the current URL query as plain strings (the first value of a list).

    Streamlit's ``QueryParams`` (``st.query_params``) returns the *last* value of a
    repeated key from ``[]`` and ``to_dict()``; this reads ``get_all(key)[0]`` instead,
    so ``?a=1&a=2`` gives ``{"a": "1"}``. Mappings without ``get_all`` (plain dicts)
    work too, list values giving their first element. Missing or unreadable
    ``st.query_params`` gives an empty dict.
    """
    try:
        raw = st.query_params
        get_all = getattr(raw, "get_all", None)
        if callable(get_all):
            items = [(key, get_all(key)) for key in list(raw.keys())]
        else:
            items = list(raw.items())
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
