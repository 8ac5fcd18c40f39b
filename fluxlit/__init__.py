"""FluxLit: FastAPI and Streamlit behind one ASGI gateway.

Use ``FluxLit`` for routes and pages, ``ApiClient`` from Streamlit for server-side
calls to your API, and ``FluxLitTestClient`` with the AppTest helpers in tests.
The names in ``__all__`` are the supported imports; other modules are internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluxlit.app import FluxLit
    from fluxlit.auth.streamlit import prepare_streamlit_api_client
    from fluxlit.client import ApiClient
    from fluxlit.config import FluxlitSettings
    from fluxlit.deep_links import match_nav_page, query_params
    from fluxlit.model import AppModel, NavigationModel
    from fluxlit.pages.meta import PageMeta
    from fluxlit.pages.navigation import NavigationOrder
    from fluxlit.pages.params import (
        Cookie,
        Depends,
        Header,
        Query,
        SessionModel,
        parse_query_params,
    )
    from fluxlit.testing import (
        FluxLitTestClient,
        apptest_assert_no_errors,
        apptest_select_page,
        assert_no_streamlit_exception,
        streamlit_main_path,
    )
    from fluxlit.tracing import reset_trace_hook, set_trace_hook, trace_span
    from fluxlit.url_session import (
        InMemorySessionStore,
        SessionStore,
        ensure_url_session,
        hydrate_url_session,
        hydrate_url_session_typed,
        new_session_id,
        persist_url_session,
    )
    from fluxlit.urls import FluxLitPublicUrls

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "ApiClient": "fluxlit.client",
    "AppModel": "fluxlit.model",
    "Cookie": "fluxlit.pages.params",
    "Depends": "fluxlit.pages.params",
    "FluxLit": "fluxlit.app",
    "FluxLitPublicUrls": "fluxlit.urls",
    "FluxLitTestClient": "fluxlit.testing",
    "FluxlitSettings": "fluxlit.config",
    "Header": "fluxlit.pages.params",
    "InMemorySessionStore": "fluxlit.url_session",
    "NavigationModel": "fluxlit.model",
    "NavigationOrder": "fluxlit.pages.navigation",
    "PageMeta": "fluxlit.pages.meta",
    "Query": "fluxlit.pages.params",
    "SessionModel": "fluxlit.pages.params",
    "SessionStore": "fluxlit.url_session",
    "apptest_assert_no_errors": "fluxlit.testing",
    "apptest_select_page": "fluxlit.testing",
    "assert_no_streamlit_exception": "fluxlit.testing",
    "ensure_url_session": "fluxlit.url_session",
    "hydrate_url_session": "fluxlit.url_session",
    "hydrate_url_session_typed": "fluxlit.url_session",
    "match_nav_page": "fluxlit.deep_links",
    "new_session_id": "fluxlit.url_session",
    "parse_query_params": "fluxlit.pages.params",
    "persist_url_session": "fluxlit.url_session",
    "prepare_streamlit_api_client": "fluxlit.auth.streamlit",
    "query_params": "fluxlit.deep_links",
    "reset_trace_hook": "fluxlit.tracing",
    "set_trace_hook": "fluxlit.tracing",
    "streamlit_main_path": "fluxlit.testing",
    "trace_span": "fluxlit.tracing",
}


def __getattr__(name: str) -> Any:
    """Import public names on first use, so ``import fluxlit.model`` stays light."""
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'fluxlit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ApiClient",
    "AppModel",
    "Cookie",
    "Depends",
    "FluxLit",
    "FluxLitPublicUrls",
    "FluxLitTestClient",
    "FluxlitSettings",
    "Header",
    "InMemorySessionStore",
    "NavigationModel",
    "NavigationOrder",
    "PageMeta",
    "Query",
    "SessionModel",
    "SessionStore",
    "__version__",
    "apptest_assert_no_errors",
    "apptest_select_page",
    "assert_no_streamlit_exception",
    "ensure_url_session",
    "hydrate_url_session",
    "hydrate_url_session_typed",
    "match_nav_page",
    "new_session_id",
    "parse_query_params",
    "persist_url_session",
    "prepare_streamlit_api_client",
    "query_params",
    "reset_trace_hook",
    "set_trace_hook",
    "streamlit_main_path",
    "trace_span",
]
