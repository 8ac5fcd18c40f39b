"""Pick the runtime mode and build the one ASGI app a FluxLit stack serves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from starlette.types import ASGIApp

from fluxlit.runtime.inprocess import build_inprocess_app, streamlit_app_available
from fluxlit.runtime.loading import load_fluxlit
from fluxlit.runtime.sidecar import build_sidecar_app
from fluxlit.runtime.uvicorn_log import install_uvicorn_log_filter
from fluxlit.runtime.workers import build_worker_gateway, in_worker

if TYPE_CHECKING:
    from fluxlit.app import FluxLit
    from fluxlit.model import AppModel

Mode = Literal["inprocess", "sidecar"]
DEV_ENV = "FLUXLIT_DEV"


def choose_mode(requested: str) -> Mode:
    """``auto`` means in-process when ``st.App`` exists, else sidecar."""
    if requested == "sidecar":
        return "sidecar"
    if requested == "inprocess":
        if not streamlit_app_available():
            raise RuntimeError(
                "FLUXLIT_RUNTIME_MODE=inprocess needs Streamlit 1.57+ (st.App); upgrade "
                "Streamlit or use --mode sidecar"
            )
        return "inprocess"
    if requested != "auto":
        raise ValueError(f"unknown runtime mode {requested!r}; use auto, inprocess or sidecar")
    return "inprocess" if streamlit_app_available() else "sidecar"


def streamlit_main_path() -> str:
    """Path of the seed's entry script, ``fluxlit/streamlit/main.py``."""
    return str(Path(__file__).resolve().parent.parent / "streamlit" / "main.py")


def build_asgi(fl: FluxLit[Any], entrypoint: Path) -> ASGIApp:
    """The unified app for ``fl`` with ``entrypoint`` as its Streamlit script."""
    dev = os.environ.get(DEV_ENV) == "1"
    install_uvicorn_log_filter()
    if in_worker():  # ``fluxlit run --workers N``: the parent runs the sidecar
        return build_worker_gateway(fl, dev=dev)
    if choose_mode(fl.settings.runtime_mode) == "inprocess":
        return build_inprocess_app(fl, entrypoint, dev=dev)
    return build_sidecar_app(fl, entrypoint, dev=dev)


def asgi_from_fluxlit(fl: FluxLit[Any], import_target: str) -> ASGIApp:
    """Unified ASGI (gateway + Streamlit) for an app you already hold (``uvicorn main:app``).

    ``import_target`` is the ``module:attr`` the Streamlit side imports to find ``fl``.
    """
    os.environ["FLUXLIT_APP"] = import_target
    return build_asgi(fl, Path(streamlit_main_path()))


def asgi_for_build(model: AppModel, *, project_root: Path, entrypoint: Path) -> ASGIApp:
    """Unified ASGI for a compiled app (called by the generated ``gateway.py``)."""
    from fluxlit.assemble import fluxlit_from_model

    fl = fluxlit_from_model(model, project_root)
    if model.target:
        os.environ["FLUXLIT_APP"] = model.target
    return build_asgi(fl, entrypoint)


def create_unified_app() -> ASGIApp:
    """ASGI factory for ``uvicorn --factory`` (needs ``FLUXLIT_APP=module:attr``)."""
    target = os.environ.get("FLUXLIT_APP")
    if not target:
        raise RuntimeError("FLUXLIT_APP is not set; export FLUXLIT_APP=module:attr")
    return asgi_from_fluxlit(load_fluxlit(target), target)


def create_gateway_app() -> ASGIApp:
    """ASGI factory for the sidecar gateway alone (``uvicorn --factory``).

    Reads ``FLUXLIT_APP``, the upstream from ``FLUXLIT_STREAMLIT_UPSTREAM_FILE`` or
    ``FLUXLIT_STREAMLIT_UPSTREAM``, and ``FLUXLIT_API_PREFIX``.
    """
    from fluxlit.gateway import GatewayPolicy, build_gateway
    from fluxlit.runtime.upstream_state import read_streamlit_upstream_url
    from fluxlit.runtime.ws_origins import streamlit_ws_origins

    target = os.environ.get("FLUXLIT_APP")
    if not target:
        raise RuntimeError("FLUXLIT_APP is not set; export FLUXLIT_APP=module:attr")
    fl = load_fluxlit(target)
    upstream = read_streamlit_upstream_url()
    return build_gateway(
        fl.api,
        upstream,
        upstream_resolver=read_streamlit_upstream_url,
        access_log=fl.settings.enable_gateway_access_log,
        api_prefix=os.environ.get("FLUXLIT_API_PREFIX") or fl.api_prefix,
        root_mount=fl.settings.root_path or fl.settings.streamlit_public_path,
        proxy_settings=fl.settings,
        policy=GatewayPolicy.from_settings(
            fl.settings, ws_origins=streamlit_ws_origins(fl.settings)
        ),
    )
