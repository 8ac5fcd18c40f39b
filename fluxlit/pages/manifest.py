"""The JSON page manifest (``manifest_version`` 1) printed by ``fluxlit pages manifest``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fluxlit.deep_links import page_slug
from fluxlit.errors import ConfigurationError
from fluxlit.model import NavigationModel, PageModel
from fluxlit.pages.navigation import NavigationOrder

MANIFEST_VERSION = 1


def build_page_manifest(
    pages: Sequence[PageModel],
    *,
    version: int = MANIFEST_VERSION,
    title: str = "FluxLit",
    api_prefix: str = "/api",
    navigation: NavigationModel | None = None,
) -> dict[str, Any]:
    """Return the page manifest: app title, API prefix and pages in navigation order.

    Handlers are left out on purpose: the manifest describes what a user sees, and is
    the same whether the app was declared in ``fluxlit.toml`` or in Python.
    """
    if version != MANIFEST_VERSION:
        raise ConfigurationError(f"unsupported page manifest version {version}; only 1 exists")
    order = NavigationOrder(navigation.order if navigation else ())
    ordered = order.apply(list(pages), lambda page: page.path)
    return {
        "manifest_version": MANIFEST_VERSION,
        "title": title,
        "api_prefix": api_prefix,
        "pages": [
            {
                "path": page.path,
                "title": page.title,
                "slug": page_slug(page.path),
                "icon": page.icon,
                "tags": list(page.tags),
                "page_meta": page.page_meta,
                "script": page.handler.kind == "script",
            }
            for page in ordered
        ],
    }
