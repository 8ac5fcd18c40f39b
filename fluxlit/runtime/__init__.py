"""Process orchestration: load a FluxLit app, build its one ASGI app, run Uvicorn."""

from fluxlit.loading import load_fluxlit
from fluxlit.runtime.pidfile import default_pidfile_path, shutdown_unified_process
from fluxlit.runtime.ports import find_free_port, internal_api_base_url
from fluxlit.runtime.serve import (
    asgi_for_build,
    asgi_from_fluxlit,
    choose_mode,
    create_gateway_app,
    create_unified_app,
    resolve_import_target_for_unified,
)
from fluxlit.runtime.unified import run_unified
from fluxlit.runtime.upstream_state import (
    read_streamlit_upstream_url,
    update_streamlit_upstream_file,
    write_streamlit_upstream_state,
)

__all__ = [
    "asgi_for_build",
    "asgi_from_fluxlit",
    "choose_mode",
    "create_gateway_app",
    "create_unified_app",
    "default_pidfile_path",
    "find_free_port",
    "internal_api_base_url",
    "load_fluxlit",
    "read_streamlit_upstream_url",
    "resolve_import_target_for_unified",
    "run_unified",
    "shutdown_unified_process",
    "update_streamlit_upstream_file",
    "write_streamlit_upstream_state",
]
