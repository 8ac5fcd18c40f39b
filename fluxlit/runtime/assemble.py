"""Build a FluxLit object from the app model: the one runtime for both kinds of app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fluxlit.app import FluxLit
from fluxlit.config.settings import FluxlitSettings, project_settings
from fluxlit.loading import import_reference, load_fluxlit
from fluxlit.model import AppModel


def fluxlit_from_model(
    model: AppModel, project_root: Path, *, settings: FluxlitSettings | None = None
) -> FluxLit[Any]:
    """The app ``model`` describes, with ``settings`` when given.

    A model written by a Python app is that app, imported. A manifest is assembled onto
    a new ``FluxLit`` whose settings are the environment over the model's settings (the
    project layer), unless ``settings`` says otherwise.
    """
    root = str(project_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    if model.target and model.source.startswith("python:"):
        with project_settings(model.settings):
            base = load_fluxlit(model.target)
        if settings is not None:
            base.settings = settings
        return base
    if settings is None:
        with project_settings(model.settings):
            settings = FluxlitSettings()
    session_store = None
    if model.session_store is not None:
        from fluxlit.redis_store import session_store_from_model

        session_store = session_store_from_model(model.session_store)
    fl: FluxLit[Any] = FluxLit(title=model.title, settings=settings, session_store=session_store)
    return _declare(fl, model, project_root)


def _declare(fl: FluxLit[Any], model: AppModel, project_root: Path) -> FluxLit[Any]:
    """Add the model's routes, mounts, auth routes and handler pages to ``fl``."""
    for route in model.routes:
        dependencies = None
        if route.auth is not None:
            from fluxlit.auth.manifest import route_dependencies

            dependencies = route_dependencies(model.auth, route.auth)
        fl.api.add_api_route(
            route.path,
            import_reference(route.handler.value),
            methods=list(route.methods),
            name=route.name,
            summary=route.summary,
            tags=list(route.tags) or None,
            dependencies=dependencies,
            include_in_schema=route.include_in_schema,
        )
    for mount in model.mounts:
        if mount.app is not None:
            fl.api.mount(mount.path, import_reference(mount.app.value))
        else:
            from starlette.staticfiles import StaticFiles

            directory = project_root / (mount.static_dir or "")
            fl.api.mount(mount.path, StaticFiles(directory=directory, html=mount.html))
    if model.auth is not None and model.auth.oidc is not None:
        from fluxlit.auth.manifest import attach_manifest_oidc

        attach_manifest_oidc(fl.api, model.auth.oidc, fl.settings)
    for page in model.pages:
        if page.handler.kind == "import":
            fl.page(page.path, title=page.title, icon=page.icon, tags=page.tags)(
                import_reference(page.handler.value)
            )
    if model.navigation.order:
        fl.navigation_order(*model.navigation.order)
    return fl
