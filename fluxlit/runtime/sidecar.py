"""Sidecar mode: a supervised ``streamlit run`` on a loopback port behind the proxy."""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.config.env_vars import STREAMLIT_UPSTREAM, STREAMLIT_UPSTREAM_FILE
from fluxlit.errors import FluxLitRuntimeError
from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.observe import GatewayObservability
from fluxlit.gateway.options import GatewayProxyOptions
from fluxlit.gateway.policy import GatewayPolicy
from fluxlit.gateway.proxy import StreamlitProxy
from fluxlit.gateway.static_assets import with_static_offload
from fluxlit.health import probe_streamlit_ready
from fluxlit.logging.output import effective_log_format
from fluxlit.logging.streamlit_child import child_command
from fluxlit.metrics.registry import record_sidecar_restart
from fluxlit.runtime.heap import FreezeStartupHeap
from fluxlit.runtime.ports import find_free_port
from fluxlit.runtime.streamlit_options import public_mount, streamlit_cli_flags
from fluxlit.runtime.thread_reserve import ReserveUiThreads
from fluxlit.runtime.upstream_state import (
    update_streamlit_upstream_file,
    write_streamlit_upstream_state,
)
from fluxlit.runtime.ws_origins import streamlit_ws_origins
from fluxlit.streamlit.context import ScriptContext, context_args

if TYPE_CHECKING:
    from fluxlit.app import FluxLit

logger = logging.getLogger("fluxlit.runtime")
PR_SET_PDEATHSIG = 1
SIDECAR_EXIT_CODE = 3
# Exit codes of sidecars that died for good in this process (read by run_unified).
SIDECAR_FAILURES: list[int | None] = []


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel send SIGTERM to the child if the gateway dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def _child_environment() -> dict[str, str]:
    """The gateway's environment, less where the gateway itself finds the child."""
    hidden = {STREAMLIT_UPSTREAM, STREAMLIT_UPSTREAM_FILE}
    return {k: v for k, v in os.environ.items() if k not in hidden}


class StreamlitSidecar:
    """Starts, watches and stops the Streamlit child process.

    The child gets its whole configuration on its command line: FluxLit's Streamlit
    options (the same ones the in-process mode applies) and one JSON file with the
    script context; its environment is the gateway's, unchanged.
    """

    def __init__(self, fl: FluxLit[Any], entrypoint: Path, context: ScriptContext) -> None:
        self.fl = fl
        self.entrypoint = entrypoint
        self.context = context
        self.dev = context.dev
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.state_file: Path | None = None
        self.context_file: Path | None = None
        self.failed = False
        self._watch: asyncio.Task[None] | None = None

    def command(self, port: int, context_file: Path) -> list[str]:
        """``python -m streamlit run SCRIPT`` with FluxLit's options and the context file,
        started through ``fluxlit.logging.streamlit_child`` in the gateway's log format."""
        settings = self.fl.settings
        streamlit_args = [
            "run",
            *streamlit_cli_flags(settings, dev=self.dev),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            str(self.entrypoint),
            *context_args(context_file),
        ]
        return child_command(effective_log_format(settings), settings.log_level, streamlit_args)

    def _context_file(self) -> Path:
        if self.context_file is None:
            fd, name = tempfile.mkstemp(prefix="fluxlit-context-", suffix=".json")
            os.close(fd)
            self.context_file = Path(name)
            self.context.write(self.context_file)
        return self.context_file

    def spawn(self) -> str:
        """Start the child on a free port; return its base URL."""
        port = find_free_port()
        self.process = subprocess.Popen(
            self.command(port, self._context_file()),
            cwd=self.context.project_root,
            env=_child_environment(),
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.url = f"http://127.0.0.1:{port}"
        if self.state_file is not None:  # published once: keep the workers pointed at it
            self.publish()
        return self.url

    def publish(self) -> None:
        """Write the child's URL to the upstream state file (for ``--workers`` gateways)."""
        if self.state_file is None:
            self.state_file = write_streamlit_upstream_state(self.url)
        else:
            update_streamlit_upstream_file(self.state_file, self.url)
            os.environ[STREAMLIT_UPSTREAM] = self.url

    def upstream(self) -> str:
        """The child's current base URL (the proxy asks on every request)."""
        if not self.url:
            raise FluxLitRuntimeError("the Streamlit sidecar has not started yet")
        return self.url

    async def wait_ready(self, url: str) -> None:
        """Wait for Streamlit's health route, or fail naming the timeout setting."""
        timeout = self.fl.settings.streamlit_ready_timeout_s
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise FluxLitRuntimeError(
                    f"Streamlit exited with code {self.process.returncode} while starting; "
                    "see its output above"
                )
            ok, _ = await probe_streamlit_ready(upstream=url, settings=self.fl.settings)
            if ok:
                return
            await asyncio.sleep(0.1)
        raise FluxLitRuntimeError(
            f"Streamlit was not ready within {timeout:g} s; raise FLUXLIT_STREAMLIT_READY_TIMEOUT_S"
        )

    async def start(self) -> None:
        """Spawn, wait until ready, then watch the child."""
        await self.wait_ready(self.spawn())
        self._watch = asyncio.create_task(self._watch_child())

    def exited(self) -> bool:
        """The child was started and has exited since."""
        return self.process is not None and self.process.poll() is not None

    async def recover(self) -> bool:
        """After the child exited: restart it if the settings say so; ``False`` when the
        gateway has to stop (no restart wanted, or the restart failed)."""
        code = self.process.returncode if self.process else None
        if self.fl.settings.restart_streamlit_on_exit:
            logger.warning("Streamlit exited with code %s; restarting it", code)
            record_sidecar_restart()
            try:
                await self.wait_ready(self.spawn())
            except RuntimeError as exc:
                logger.error("Streamlit restart failed: %s", exc)
                return False
            return True
        logger.error(
            "Streamlit exited with code %s; stopping the gateway "
            "(set FLUXLIT_RESTART_STREAMLIT_ON_EXIT=true to restart it instead)",
            code,
        )
        return False

    def mark_failed(self) -> None:
        """Record that the child died for good (``run_unified`` exits with code 3)."""
        self.failed = True
        SIDECAR_FAILURES.append(self.process.returncode if self.process else None)

    async def _watch_child(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            if self.exited() and not await self.recover():
                self.mark_failed()
                os.kill(os.getpid(), signal.SIGTERM)
                return

    def stop(self, grace_s: float = 10.0) -> None:
        """Terminate the child, then kill it if it does not exit within ``grace_s``."""
        if self._watch is not None:
            self._watch.cancel()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for path in (self.state_file, self.context_file):
            if path is not None:
                path.unlink(missing_ok=True)

    async def readiness(self) -> tuple[bool, str]:
        """``/readyz`` in sidecar mode: the child is alive and answers its health route."""
        if self.failed or self.process is None or self.process.poll() is not None:
            return False, "streamlit_exited"
        return await probe_streamlit_ready(upstream=self.url, settings=self.fl.settings)


class SidecarLifespan:
    """ASGI lifespan app that runs the sidecar for as long as the server runs."""

    def __init__(self, sidecar: StreamlitSidecar, proxy: StreamlitProxy) -> None:
        self.sidecar = sidecar
        self.proxy = proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.sidecar.start()
                except Exception as exc:
                    self.sidecar.stop()
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.sidecar.stop(self.sidecar.fl.settings.shutdown_grace_s)
                await self.proxy.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def build_sidecar_app(fl: FluxLit[Any], entrypoint: Path, context: ScriptContext) -> ASGIApp:
    """The gateway over a supervised Streamlit child running ``entrypoint``."""
    sidecar = StreamlitSidecar(fl, entrypoint, context)
    proxy = StreamlitProxy(sidecar.upstream, GatewayProxyOptions.from_settings(fl.settings))
    fl.set_readiness_check(sidecar.readiness)
    return sidecar_gateway(fl, proxy, SidecarLifespan(sidecar, proxy), dev=context.dev)


def sidecar_gateway(
    fl: FluxLit[Any], proxy: StreamlitProxy, lifespan: ASGIApp, *, dev: bool = False
) -> ASGIApp:
    """The dispatcher of sidecar mode: the API, Streamlit's static files, the proxy.

    ``lifespan`` takes part in the server's lifespan next to the API (it starts and
    stops the child, or only closes the proxy's client when another process owns it).
    """
    mount = public_mount(fl.settings)
    return build_dispatcher(
        fl.api,
        with_static_offload(proxy, mount=mount),
        api_prefix=fl.api_prefix,
        root_mount=mount,
        access_log=fl.settings.enable_gateway_access_log,
        max_request_body_bytes=fl.settings.max_request_body_bytes,
        lifespan_apps=[
            fl.api,
            lifespan,
            # The gateway serves Streamlit's static files itself, on the same threads.
            ReserveUiThreads(fl.settings.api_concurrency, fl.settings.ui_thread_reserve),
            FreezeStartupHeap(),
        ],
        observability=GatewayObservability.from_settings(fl.settings, fl.api),
        policy=GatewayPolicy.from_settings(
            fl.settings, ws_origins=streamlit_ws_origins(fl.settings, dev=dev)
        ),
    )
