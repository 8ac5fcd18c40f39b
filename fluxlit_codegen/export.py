"""Write the ``fluxlit.toml`` equivalent of an app model (``fluxlit export``).

The text is read back by the manifest front end and must give the same model; what a
manifest cannot say (a handler with no importable name, a live mounted object, a
custom session store, route options the model does not record) is an ``ExportError``
naming each such thing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomlkit

from fluxlit.errors import UserError
from fluxlit.model import AppModel, AuthRequirement, HandlerRef, PageModel, RouteModel
from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

if TYPE_CHECKING:
    from fluxlit.app import FluxLit

OWN_ROUTES = ("/healthz", "/readyz")
"""Routes every ``FluxLit`` registers itself; a manifest app gets them too."""
ROUTE_DEFAULTS: dict[str, Any] = {
    "dependencies": [],
    "status_code": None,
    "responses": {},
    "deprecated": None,
    "operation_id": None,
}
"""Decorator options of a Python route that a manifest entry cannot carry, and their defaults."""


class ExportError(UserError):
    """The app has parts a manifest cannot express; the message names each of them."""


def export_manifest(model: AppModel, app: FluxLit[Any] | None = None) -> str:
    """The manifest text for ``model`` (and the live ``app`` it came from, when there is one).

    Raises ``ExportError`` listing everything the manifest would lose.
    """
    problems = _inexpressible(model) + (_live_parts(app, model) if app is not None else [])
    if problems:
        raise ExportError(_report(problems))
    text = tomlkit.dumps(_document(model))
    _check_round_trip(text, model)
    return text


def _report(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"cannot export: the manifest cannot express\n{lines}"


def _inexpressible(model: AppModel) -> list[str]:
    problems = []
    for page in model.pages:
        if page.handler.kind == "registry":
            problems.append(f"page {page.path}: its handler has no importable module:function")
    for route in model.routes:
        if route.handler.kind == "registry":
            problems.append(
                f"route {route.handler.value}: its handler has no importable module:function"
            )
    for mount in model.mounts:
        if mount.app is not None and mount.app.kind == "registry":
            problems.append(f"mount {mount.path}: a live object mounted in Python")
    problems += [f"{key}: None" for key in _none_paths(model.settings, "settings")]
    if model.session_store is not None and model.session_store.ttl_seconds is None:
        problems.append("session_store.ttl_seconds: None (sessions that never expire)")
    return problems


def _none_paths(value: Any, key: str) -> list[str]:
    """Key paths holding ``None``, which TOML cannot write."""
    if value is None:
        return [key]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _none_paths(v, f"{key}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _none_paths(v, f"{key}[{i}]")]
    return []


def _live_parts(app: FluxLit[Any], model: AppModel) -> list[str]:
    """What the Python app holds that its model does not record."""
    problems = []
    if app.session_store is not None and model.session_store is None:
        kind = type(app.session_store).__name__
        problems.append(f"session_store: a custom store ({kind}); a manifest has memory or redis")
    oidc_router = getattr(app, "_oidc_router", None)
    if oidc_router is not None:
        problems.append("auth.oidc: the login attached with attach_oidc_login (write [auth.oidc])")
    oidc_paths = {getattr(r, "path", None) for r in getattr(oidc_router, "routes", ())}
    recorded = {(r.path, m) for r in model.routes for m in r.methods}
    from fluxlit.api_routes import app_routes  # the app is live here: FastAPI is loaded

    for found in app_routes(app.api):
        route, path, endpoint = found.served, found.path, found.endpoint
        methods = sorted(found.methods)
        if path in OWN_ROUTES or path in oidc_paths or _is_docs_route(app, path):
            continue
        if type(found.declared).__name__ == "Mount":
            continue  # reported from the model
        label = f"{' '.join(methods) or 'websocket'} {path}"
        if endpoint is None or not all((path, m) in recorded for m in methods) or not methods:
            problems.append(f"route {label}: not recorded in the app model (hidden or websocket)")
            continue
        for option, default in ROUTE_DEFAULTS.items():
            if getattr(route, option, default) != default:
                problems.append(f"route {label}: {option}= on the decorator")
        if getattr(route, "name", None) != getattr(endpoint, "__name__", None):
            problems.append(f"route {label}: name= on the decorator")
    return problems


def _is_docs_route(app: FluxLit[Any], path: str) -> bool:
    api = app.api
    docs = (api.openapi_url, api.docs_url, api.redoc_url, api.swagger_ui_oauth2_redirect_url)
    return path in docs


def _document(model: AppModel) -> tomlkit.TOMLDocument:
    document = tomlkit.document()
    if model.target and not _from_python(model):
        document["target"] = model.target  # a manifest's target is the app it extends
    settings = dict(model.settings)
    if settings.get("title") == model.title:
        document["title"] = settings.pop("title")
    if settings:
        document["settings"] = settings
    if model.pages:
        document["pages"] = [_page(page) for page in model.pages]
    if model.navigation.order:
        document["navigation"] = {"order": list(model.navigation.order)}
    if model.routes:
        document["routes"] = [_route(route) for route in model.routes]
    if model.mounts:
        document["mounts"] = [
            _drop_empty({"path": m.path, "app": _import(m.app), "static": m.static_dir})
            | ({"html": True} if m.html else {})
            for m in model.mounts
        ]
    if model.auth is not None:
        document["auth"] = model.auth.model_dump(mode="json", exclude_defaults=True)
    if model.session_store is not None:
        document["session_store"] = model.session_store.model_dump(
            mode="json", exclude_defaults=True
        )
    return document


def _from_python(model: AppModel) -> bool:
    return model.source.startswith("python:")


def _unwritten(model: AppModel) -> tuple[str, ...]:
    """Model fields the manifest does not carry: its source, and a Python app's own target.

    The exported manifest replaces the Python app; a ``target`` in it would name an app
    to extend, and assemble every page and route twice.
    """
    return ("source", "target") if _from_python(model) else ("source",)


def _import(ref: HandlerRef | None) -> str | None:
    return ref.value if ref is not None else None


def _page(page: PageModel) -> dict[str, Any]:
    source = "script" if page.handler.kind == "script" else "handler"
    return _drop_empty(
        {
            "path": page.path,
            "title": page.title,
            source: page.handler.value,
            "icon": page.icon,
            "tags": list(page.tags),
            "page_meta": page.page_meta,
        }
    )


def _route(route: RouteModel) -> dict[str, Any]:
    entry = _drop_empty(
        {
            "path": route.path,
            "methods": list(route.methods),
            "handler": route.handler.value,
            "name": route.name,
            "summary": route.summary,
            "tags": list(route.tags),
            "auth": _auth(route.auth),
        }
    )
    return entry | ({} if route.include_in_schema else {"include_in_schema": False})


def _auth(requirement: AuthRequirement | None) -> bool | dict[str, list[str]] | None:
    if requirement is None:
        return None
    if not (requirement.roles or requirement.scopes):
        return True
    return _drop_empty({"roles": list(requirement.roles), "scopes": list(requirement.scopes)})


def _drop_empty(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if value not in (None, [], {})}


def _check_round_trip(text: str, model: AppModel) -> None:
    """Read ``text`` back; any field that comes back different is an ``ExportError``."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "fluxlit.toml"
        path.write_text(text, encoding="utf-8")
        try:
            back = load_manifest(path)
        except ManifestError as exc:
            raise ExportError(f"cannot export: the manifest would be invalid:\n{exc}") from None
    differ = [
        name
        for name in AppModel.model_fields
        if name not in _unwritten(model) and getattr(back, name) != getattr(model, name)
    ]
    if differ:
        raise ExportError(_report([f"{name}: as the app has it" for name in differ]))
