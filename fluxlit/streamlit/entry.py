"""The page runner behind every Streamlit entrypoint FluxLit uses.

Generated ``streamlit_app.py`` files and the seed's ``fluxlit.streamlit.main`` both
call ``run_model``: page config first, then ``?page=`` deep links, then
``st.navigation`` over the model's pages, then the chosen page with injection.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxlit.config.settings import FluxlitSettings
from fluxlit.deep_links import match_nav_page, page_slug, query_params
from fluxlit.loading import load_fluxlit, resolve_handler
from fluxlit.model import AppModel, PageModel
from fluxlit.pages.meta import PageMeta
from fluxlit.pages.navigation import NavigationOrder
from fluxlit.streamlit.context import ScriptContext, script_context, settings_in
from fluxlit.streamlit.observe import counted_store, enable_for_pages, observed_page_run

if TYPE_CHECKING:
    from fluxlit.app import FluxLit

OVERRIDES_ENV = "FLUXLIT_TEST_PAGE_OVERRIDES"
DEEP_LINK_KEY = "page"
PAGE_KEY_ENV = "FLUXLIT_TEST_PAGE_KEY"


def deep_link_key() -> str:
    """The query key deep links use: ``page``, or the ``page_key`` a test helper set."""
    return os.environ.get(PAGE_KEY_ENV) or DEEP_LINK_KEY


_MODELS: weakref.WeakKeyDictionary[Any, dict[str | None, AppModel]] = weakref.WeakKeyDictionary()


def app_model(app: FluxLit[Any], target: str | None) -> AppModel:
    """``app.model(target=target)``, built on the first script run of ``app`` only.

    The model is what the app declared when it was imported; building it reads the
    settings again (environment and ``.env``), a quarter of the CPU a page run cost
    when it happened on every run (bench/gateway --mixed, py-spy).
    """
    models = _MODELS.setdefault(app, {})
    model = models.get(target)
    if model is None:
        model = models[target] = app.model(target=target)
    return model


def settings_for(model: AppModel, app: FluxLit[Any] | None) -> FluxlitSettings:
    """The settings the page runs with.

    Served by FluxLit, the script context's settings (the serving process's effective
    settings) go on top of the app's (applied to the app once, so its client follows);
    otherwise the app's settings, or settings built from the model's.
    """
    context = script_context()
    if context is not None and context.target != model.target:
        context = None  # served for another app (a test toolkit run in the same process)
    if app is not None:
        if context is not None and _APPLIED.get(app) is not context:
            app.settings = settings_in(context, app.settings)
            _APPLIED[app] = context
        return app.settings
    fields = set(FluxlitSettings.model_fields)
    base = FluxlitSettings.model_validate({k: v for k, v in model.settings.items() if k in fields})
    return settings_in(context, base) if context is not None else base


_APPLIED: weakref.WeakKeyDictionary[Any, ScriptContext] = weakref.WeakKeyDictionary()


def _overrides() -> dict[str, Any]:
    raw = os.environ.get(OVERRIDES_ENV)
    return json.loads(raw) if raw else {}


def _session_store(model: AppModel, app: FluxLit[Any] | None) -> Any:
    if app is not None and app.session_store is not None:
        return app.session_store
    if model.session_store is None:
        return None
    import streamlit as st

    from fluxlit.redis_store import session_store_from_model

    declared = model.session_store

    @st.cache_resource(show_spinner=False)
    def shared(spec: str) -> Any:
        return session_store_from_model(declared)

    return shared(declared.model_dump_json())


def _handler_page(
    page: PageModel, model: AppModel, app: FluxLit[Any] | None, settings: FluxlitSettings
) -> Callable[[], None]:
    """A zero-argument callable for ``st.Page`` that runs one handler page."""
    handler = resolve_handler(page.handler, app)

    def run_page() -> None:
        import streamlit as st

        from fluxlit.client import ApiClient
        from fluxlit.pages.inject import call_page_handler

        if app is not None:
            client = app.get_client()
        else:
            client = ApiClient(base_url=settings.internal_api_base or None)
        result = call_page_handler(
            handler,
            st,
            client,
            overrides=_overrides(),
            session_store=counted_store(_session_store(model, app)),
            yield_pages=settings.experimental_yield_pages,
            async_depends=settings.async_page_depends,
        )
        if isinstance(result, PageMeta) and result.breadcrumbs:
            st.caption(" / ".join(result.breadcrumbs))

    run_page.__name__ = "page_" + page_slug(page.path).replace("-", "_")
    run_page.__qualname__ = run_page.__name__
    return run_page


def _page_config(page: PageModel | None, settings: FluxlitSettings, title: str) -> dict[str, Any]:
    config: dict[str, Any] = {"page_title": title, **settings.streamlit_page_config}
    if page is not None and page.page_meta:
        config.update(PageMeta.model_validate(page.page_meta).page_config_kwargs())
    return config


def run_model(model: AppModel, *, project_root: Path, app: FluxLit[Any] | None = None) -> None:
    """Render the app described by ``model`` (call from a Streamlit script)."""
    import streamlit as st

    root = str(project_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    if app is None and model.target and any(p.handler.kind == "registry" for p in model.pages):
        app = load_fluxlit(model.target)
    settings = settings_for(model, app)
    enable_for_pages(settings)
    if not model.pages:
        st.set_page_config(**_page_config(None, settings, model.title))
        st.info("This FluxLit app has no pages yet. Register one with @app.page('/').")
        return
    ordered = NavigationOrder(model.navigation.order).apply(list(model.pages), lambda p: p.path)
    if len(ordered) == 1 and ordered[0].handler.kind != "script":
        # One page needs no navigation: run it directly, like a plain Streamlit script.
        st.set_page_config(**_page_config(ordered[0], settings, model.title))
        with observed_page_run(ordered[0].path):
            _handler_page(ordered[0], model, app, settings)()
        return
    key = deep_link_key()
    wanted = match_nav_page(query_params(st), [(p.path, p.title) for p in ordered], page_key=key)
    default_path = wanted[0] if wanted else ordered[0].path
    st_pages = []
    for page in ordered:
        if page.handler.kind == "script":
            target: Any = str(Path(root) / page.handler.value)
        else:
            target = _handler_page(page, model, app, settings)
        st_page = st.Page(
            target,
            title=page.title,
            icon=page.icon,
            url_path=page_slug(page.path),
            default=page.path == default_path,
        )
        st_pages.append(st_page)
    selected = st.navigation(st_pages)
    if wanted is not None:
        wanted_page = st_pages[[p.path for p in ordered].index(wanted[0])]
        _consume_deep_link(st, key)
        if selected is not wanted_page:
            st.switch_page(wanted_page)
    chosen = next((p for s, p in zip(st_pages, ordered, strict=True) if s is selected), None)
    if chosen is None:
        chosen = next((p for p in ordered if p.title == selected.title), ordered[0])
    st.set_page_config(**_page_config(chosen, settings, model.title))
    with observed_page_run(chosen.path):
        selected.run()


def _consume_deep_link(st: Any, key: str) -> None:
    """Drop ``?page=`` (``key``) once honoured, so it cannot pin navigation on reruns."""
    with contextlib.suppress(Exception):
        del st.query_params[key]
