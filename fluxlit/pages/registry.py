"""What ``FluxLit.page`` records for each page, and how it becomes IR."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fluxlit.errors import FluxLitError
from fluxlit.model import HandlerRef, PageModel
from fluxlit.pages.meta import PageMeta
from fluxlit.pages.paths import normalize_page_path


class UnknownPageError(FluxLitError, KeyError):
    """No page is registered at the path asked for."""


@dataclass(frozen=True)
class PageRegistration:
    """One registered Streamlit page: URL path, title, handler and display metadata."""

    path: str
    title: str
    handler: Callable[..., Any]
    icon: str | None = None
    tags: tuple[str, ...] = ()
    page_meta: PageMeta | None = None

    def to_model(self) -> PageModel:
        """Describe this page in the IR (handler by import path when importable)."""
        meta = self.page_meta.model_dump(exclude_none=True, mode="json") if self.page_meta else None
        return PageModel(
            path=self.path,
            title=self.title,
            handler=handler_ref(self.handler, registry_key=self.path),
            icon=self.icon,
            tags=self.tags,
            page_meta=meta or None,
        )


def title_from_name(name: str) -> str:
    """Turn a function name such as ``sales_report`` into ``Sales Report``."""
    words = [w for w in name.strip("_").split("_") if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Page"


def handler_ref(fn: Callable[..., Any], *, registry_key: str) -> HandlerRef:
    """Name ``fn`` by ``module:qualname`` if that resolves back to it, else by registry key."""
    module_name = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", "")
    module = sys.modules.get(module_name) if module_name else None
    if module is not None and module_name != "__main__" and "<" not in qualname:
        target: Any = module
        for part in qualname.split("."):
            target = getattr(target, part, None)
        if target is fn:
            return HandlerRef(kind="import", value=f"{module_name}:{qualname}")
    return HandlerRef(kind="registry", value=registry_key)


def sort_pages(pages: Sequence[PageRegistration]) -> list[PageRegistration]:
    """Stable navigation order used by ``discover_pages``: by ``(path, title)``."""
    return sorted(pages, key=lambda p: (p.path, p.title))


__all__ = [
    "PageRegistration",
    "UnknownPageError",
    "handler_ref",
    "normalize_page_path",
    "sort_pages",
    "title_from_name",
]
