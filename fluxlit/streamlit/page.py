"""Typing helpers for Streamlit page callables."""

from __future__ import annotations

from typing import Any, Protocol

from fluxlit.pages.meta import PageMeta


class PageFn(Protocol):
    """A function registered with ``FluxLit.page``.

    Called with the ``streamlit`` module as ``st`` and an ``ApiClient`` bound to the
    internal API base; may return ``PageMeta`` for breadcrumbs and the page manifest.
    """

    def __call__(self, st: Any, client: Any, /, *args: Any, **kwargs: Any) -> PageMeta | None: ...
