"""Per-page metadata: ``st.set_page_config`` fields plus breadcrumbs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class PageMeta(BaseModel):
    """Optional metadata for a page, passed to ``FluxLit.page`` or returned by a handler.

    Static values given to ``page(page_meta=...)`` are applied with
    ``st.set_page_config`` at the start of each run; values returned by a handler come
    too late for that (Streamlit allows it only first) but still drive breadcrumbs
    and the page manifest.
    """

    model_config = ConfigDict(extra="ignore")

    page_title: str | None = None
    page_icon: str | None = None
    layout: Literal["centered", "wide"] | None = None
    initial_sidebar_state: Literal["auto", "expanded", "collapsed"] | None = None
    menu_items: dict[str, str | None] | None = None
    description: str | None = None
    breadcrumbs: list[str] | None = None

    def page_config_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``st.set_page_config`` (only the fields that are set)."""
        fields = ("page_title", "page_icon", "layout", "initial_sidebar_state", "menu_items")
        data = self.model_dump(include=set(fields), exclude_none=True)
        return {k: data[k] for k in fields if k in data}
