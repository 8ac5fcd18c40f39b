"""Build a FluxLit object from the app model: the one runtime for both kinds of app."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fluxlit.app import FluxLit
from fluxlit.config.settings import FluxlitSettings
from fluxlit.model import AppModel
from fluxlit.streamlit.entry import import_reference


def fluxlit_from_model(model: AppModel, project_root: Path) -> FluxLit[Any]:
    """The app ``model`` describes.

    A model written by a Python app is that app, imported. A manifest is assembled:
    onto the Python app its ``target`` names, if any, else onto a new ``FluxLit``.
    """
    root = str(project_root.resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    if model.target:
        from fluxlit.runtime.loading import load_fluxlit

        base = load_fluxlit(model.target)
        if model.source.startswith("python:"):
            return base
        return _declare(base, model, project_root)
    known = set(FluxlitSettings.model_fields)
    overrides = {k: v for k, v in model.settings.items() if k in known}
    settings = FluxlitSettings.model_validate({**FluxlitSettings().model_dump(), **overrides})
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
