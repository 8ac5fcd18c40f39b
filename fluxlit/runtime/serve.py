"""Pick the runtime mode and build the one ASGI app a FluxLit stack serves.

Every serve path ends in ``build_asgi``: ``fluxlit run|dev|workbench`` (from the
resolved app), the generated ``gateway.py`` under plain uvicorn (``asgi_for_build``) and
``uvicorn app:app`` (``asgi_from_fluxlit``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from starlette.types import ASGIApp

from fluxlit.config.env_vars import API_PREFIX, APP
from fluxlit.config.project import load_project_config, resolve_target
from fluxlit.config.settings import FluxlitSettings, project_settings
from fluxlit.errors import ConfigurationError, FluxLitRuntimeError
from fluxlit.loading import load_fluxlit
from fluxlit.runtime.inprocess import build_inprocess_app, streamlit_app_available
from fluxlit.runtime.sidecar import build_sidecar_app
from fluxlit.runtime.uvicorn_log import install_uvicorn_log_filter
from fluxlit.runtime.workers import build_worker_gateway, in_worker
from fluxlit.streamlit.context import ScriptContext

if TYPE_CHECKING:
    from fluxlit.app import FluxLit
    from fluxlit.model import AppModel

Mode = Literal["inprocess", "sidecar"]


def choose_mode(requested: str) -> Mode:
    """``auto`` means in-process when ``st.App`` exists, else sidecar."""
    if requested == "sidecar":
        return "sidecar"
    if requested == "inprocess":
        if not streamlit_app_available():
            raise FluxLitRuntimeError(
                "runtime_mode inprocess needs Streamlit 1.57+ (st.App); upgrade "
                "Streamlit or use --mode sidecar"
            )
        return "inprocess"
    if requested != "auto":
        raise ConfigurationError(
            f"unknown runtime mode {requested!r}; use auto, inprocess or sidecar"
        )
    return "inprocess" if streamlit_app_available() else "sidecar"


def streamlit_main_path() -> str:
    """Path of the seed's entry script, ``fluxlit/streamlit/main.py``."""
    return str(Path(__file__).resolve().parent.parent / "streamlit" / "main.py")


def build_asgi(fl: FluxLit[Any], entrypoint: Path, context: ScriptContext) -> ASGIApp:
    """The unified app for ``fl`` with ``entrypoint`` as its Streamlit script.

    The script finds ``context`` in memory (in-process) or in a file named on the
    sidecar child's command line. FluxLit's logging (level, JSON, access log) is set up
    here, so every serve path logs alike.
    """
    from fluxlit.logging import configure_logging

    configure_logging(fl.settings.log_level, json_logs=False)  # JSON: the gateway's log_format
    if fl.settings.log_level.lower() not in {"debug", "trace"}:
        # One INFO line per proxied request and health probe would drown the access log.
        logging.getLogger("httpx").setLevel(logging.WARNING)
    install_uvicorn_log_filter()
    if in_worker():  # ``fluxlit run --workers N``: the parent runs the sidecar
        return build_worker_gateway(fl, dev=context.dev)
    if choose_mode(fl.settings.runtime_mode) == "inprocess":
        return build_inprocess_app(fl, entrypoint, context)
    return build_sidecar_app(fl, entrypoint, context)


def asgi_from_fluxlit(fl: FluxLit[Any], import_target: str) -> ASGIApp:
    """Unified ASGI (gateway + Streamlit) for an app you already hold (``uvicorn main:app``).

    ``import_target`` is the ``module:attr`` the Streamlit side imports to find ``fl``.
    """
    context = ScriptContext.of(
        fl.settings, target=import_target, project_root=Path.cwd(), dev=False
    )
    return build_asgi(fl, Path(streamlit_main_path()), context)


def asgi_for_build(
    model: AppModel,
    *,
    project_root: Path,
    entrypoint: Path,
    settings: FluxlitSettings | None = None,
    dev: bool = False,
) -> ASGIApp:
    """Unified ASGI for a compiled app (called by the generated ``gateway.py``).

    The model's settings are the project layer (below ``.env`` and the environment);
    ``settings`` replaces the lot when a command already resolved them.
    """
    from fluxlit.runtime.assemble import fluxlit_from_model

    with project_settings(model.settings):
        fl = fluxlit_from_model(model, project_root, settings=settings)
    target = model.target if model.source.startswith("python:") else None
    context = ScriptContext.of(fl.settings, target=target, project_root=project_root, dev=dev)
    return build_asgi(fl, entrypoint, context)


def resolve_import_target_for_unified(fl: FluxLit[Any]) -> str:
    """``module:attr`` naming this app.

    Order: ``import_target``, ``FLUXLIT_APP``, the project file, then ``app:app``.
    """
    if fl.import_target:
        return fl.import_target
    env = os.environ.get(APP)
    if env:
        return env
    return resolve_target(None, load_project_config())


def create_unified_app() -> ASGIApp:
    """ASGI factory for ``uvicorn --factory`` (needs ``FLUXLIT_APP=module:attr``)."""
    target = os.environ.get(APP)
    if not target:
        raise FluxLitRuntimeError("FLUXLIT_APP is not set; export FLUXLIT_APP=module:attr")
    return asgi_from_fluxlit(load_fluxlit(target), target)


def create_gateway_app() -> ASGIApp:
    """ASGI factory for the sidecar gateway alone (``uvicorn --factory``).

    Reads ``FLUXLIT_APP``, the upstream from ``FLUXLIT_STREAMLIT_UPSTREAM_FILE`` or
    ``FLUXLIT_STREAMLIT_UPSTREAM``, and ``FLUXLIT_API_PREFIX``.
    """
    from fluxlit.gateway import GatewayPolicy, build_gateway
    from fluxlit.runtime.upstream_state import read_streamlit_upstream_url
    from fluxlit.runtime.ws_origins import streamlit_ws_origins

    target = os.environ.get(APP)
    if not target:
        raise FluxLitRuntimeError("FLUXLIT_APP is not set; export FLUXLIT_APP=module:attr")
    fl = load_fluxlit(target)
    upstream = read_streamlit_upstream_url()
    return build_gateway(
        fl.api,
        upstream,
        upstream_resolver=read_streamlit_upstream_url,
        access_log=fl.settings.enable_gateway_access_log,
        api_prefix=os.environ.get(API_PREFIX) or fl.api_prefix,
        root_mount=fl.settings.root_path or fl.settings.streamlit_public_path,
        proxy_settings=fl.settings,
        policy=GatewayPolicy.from_settings(
            fl.settings, ws_origins=streamlit_ws_origins(fl.settings)
        ),
    )
