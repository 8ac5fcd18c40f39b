"""``fluxlit run --workers N``: N gateway processes on one port, one Streamlit child.

Sidecar mode only. The parent process starts the Streamlit child once, waits until it
is ready and publishes its address in the upstream state file; then Uvicorn's worker
supervisor starts the N gateway workers. Each worker serves the API itself, sends
Streamlit's static files itself, and proxies the rest of the UI to that one child, so
every session, upload and media file lives in one Streamlit runtime. Between its checks
of the workers the parent checks the child: when it exits, it is restarted
(``FLUXLIT_RESTART_STREAMLIT_ON_EXIT``) or everything stops with exit code 3, as with
one process. SIGTERM/SIGINT stop the workers, then the child.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from fluxlit.errors import UserError
from fluxlit.gateway.options import GatewayProxyOptions
from fluxlit.gateway.proxy import StreamlitProxy
from fluxlit.health import probe_streamlit_ready
from fluxlit.metrics.registry import share_metrics_folder
from fluxlit.runtime.sidecar import (
    SIDECAR_EXIT_CODE,
    SIDECAR_FAILURES,
    StreamlitSidecar,
    sidecar_gateway,
)
from fluxlit.runtime.upstream_state import read_streamlit_upstream_url

if TYPE_CHECKING:
    from fluxlit.app import FluxLit
    from fluxlit.streamlit.context import ScriptContext

# Set in a worker process before it builds its app (see ``WorkerConfig.load``).
_IN_WORKER: list[bool] = []


def mode_for_workers(requested: str, workers: int) -> str:
    """The runtime mode to ask for: ``auto`` means sidecar with more than one worker.

    Raises ``UserError`` for a count below 1 and for in-process with several workers.
    """
    if workers < 1:
        raise UserError(f"--workers must be 1 or more (got {workers})")
    if workers == 1:
        return requested
    if requested == "inprocess":
        raise UserError(
            f"--workers {workers} needs --mode sidecar: in-process, each worker would be a "
            "separate Streamlit runtime, so uploads and media would miss their session"
        )
    return "sidecar"


def in_worker() -> bool:
    """This process is a gateway worker of ``serve_workers`` (its parent owns the child)."""
    return bool(_IN_WORKER)


def build_worker_gateway(fl: FluxLit[Any], *, dev: bool = False) -> ASGIApp:
    """A worker's app: the sidecar gateway over the child its parent started.

    ``/readyz`` answers 503 while that child does not answer its health route.
    """
    settings = fl.settings
    proxy = StreamlitProxy(read_streamlit_upstream_url, GatewayProxyOptions.from_settings(settings))

    async def readiness() -> tuple[bool, str]:
        return await probe_streamlit_ready(settings=settings)

    fl.set_readiness_check(readiness)
    # The proxy's own lifespan only closes its HTTP client at shutdown.
    return sidecar_gateway(fl, proxy, proxy, dev=dev)


class WorkerConfig(uvicorn.Config):
    """Uvicorn config whose workers build ``build_worker_gateway`` apps (it is pickled
    into each worker; ``load`` runs there before the app is imported)."""

    def load(self) -> None:
        _IN_WORKER.append(True)
        super().load()


class _Supervisor(Multiprocess):
    """Uvicorn's worker supervisor that also keeps the Streamlit child alive."""

    def __init__(self, config: uvicorn.Config, sidecar: StreamlitSidecar) -> None:
        super().__init__(config, sockets=[config.bind_socket()])
        self.sidecar = sidecar

    def keep_subprocess_alive(self) -> None:
        alive = self.should_exit.is_set() or not self.sidecar.exited()
        if not alive and not asyncio.run(self.sidecar.recover()):
            self.sidecar.mark_failed()
            self.should_exit.set()
            return
        super().keep_subprocess_alive()


def serve_workers(
    app_like: Any, entrypoint: Path, config: uvicorn.Config, context: ScriptContext
) -> int:
    """Start the Streamlit child, run ``config.workers`` gateway workers until told to
    stop, then stop the child; return the exit code (3 when the child died for good,
    1 when a worker could not start).

    ``config`` is a ``WorkerConfig``; ``app_like`` gives the child's settings and API
    prefix (``settings``, ``api_prefix``); ``context`` is the child's script context.
    """
    if app_like.settings.metrics_enabled:
        share_metrics_folder()  # before the child and the workers start
    sidecar = StreamlitSidecar(app_like, entrypoint, context)
    try:
        sidecar.spawn()
        sidecar.publish()  # the workers find the child through the upstream state file
        asyncio.run(sidecar.wait_ready(sidecar.url))
        supervisor = _Supervisor(config, sidecar)
        supervisor.run()
    finally:
        sidecar.stop(app_like.settings.shutdown_grace_s)
    if SIDECAR_FAILURES:
        return SIDECAR_EXIT_CODE
    return 1 if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes) else 0
