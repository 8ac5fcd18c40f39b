"""``run_unified``: serve API and UI on one port with Uvicorn until told to stop."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from fluxlit.errors import UserError
from fluxlit.runtime import pidfile as pidfiles
from fluxlit.runtime.http_limits import raise_open_file_limit, uvicorn_limit_options
from fluxlit.runtime.loading import load_fluxlit
from fluxlit.runtime.ports import check_port_free, internal_api_base_url
from fluxlit.runtime.serve import DEV_ENV, choose_mode, streamlit_main_path
from fluxlit.runtime.shutdown import end_shutdown
from fluxlit.runtime.sidecar import SIDECAR_EXIT_CODE, SIDECAR_FAILURES
from fluxlit.runtime.streamlit_options import (
    inbound_message_limit,
    inprocess_websocket_options,
    public_mount,
)
from fluxlit.runtime.workers import WorkerConfig, mode_for_workers, serve_workers

FACTORY = "fluxlit.runtime.serve:create_unified_app"


class _BuildSettings:
    """What ``run_unified`` needs of an app: its settings and API prefix."""

    def __init__(self, settings: Any) -> None:
        from fluxlit.paths import normalize_api_prefix

        self.settings = settings
        self.api_prefix = normalize_api_prefix(settings.api_mount_path)


def _known(values: dict[str, Any]) -> dict[str, Any]:
    from fluxlit.config.settings import FluxlitSettings

    return {k: v for k, v in values.items() if k in FluxlitSettings.model_fields}


@contextlib.contextmanager
def _signals_end_in_cleanup() -> Iterator[None]:
    """Let SIGTERM/SIGINT end in our ``finally`` blocks instead of killing the process.

    Uvicorn shuts down gracefully on these signals, restores the previous handlers and
    re-raises the signal; with Python handlers in place, that re-raise is a no-op and
    the PID file and children are cleaned up normally.
    """
    received: list[int] = []

    def note(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _banner(host: str, port: int, mount: str, api_prefix: str, mode: str) -> None:
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    base = f"http://{shown}:{port}{mount}"
    print(f"FluxLit ({mode}): UI {base}/  API {base}{api_prefix}  docs {base}{api_prefix}/docs")


def run_unified(
    target: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    reload: bool = False,
    reload_scope: str = "gateway",
    log_level: str = "info",
    proxy_headers: bool = False,
    forwarded_allow_ips: str | None = None,
    pidfile: Path | None = None,
    write_pidfile: bool = True,
    workbench_mode: bool = False,
    mode: str | None = None,
    build_dir: Path | None = None,
    workers: int = 1,
) -> int:
    """Serve ``target`` (``module:attr``) on ``host:port``: FastAPI under the API prefix,
    Streamlit everywhere else, in-process or as a supervised sidecar.

    Sets ``FLUXLIT_APP`` and ``FLUXLIT_INTERNAL_API_BASE`` for the Streamlit side,
    writes a PID file (unless disabled), and on exit stops every child and removes
    the PID file. ``reload`` restarts the whole stack on code changes (both scopes:
    ``full`` also watches non-Python files and needs ``watchfiles``). ``workers`` > 1
    runs that many gateway processes over one Streamlit child (sidecar mode, see
    ``fluxlit.runtime.workers``). Returns the exit code.
    """
    if reload_scope not in {"gateway", "full"}:
        raise ValueError("reload_scope must be 'gateway' or 'full'")
    if workers > 1 and reload:
        raise UserError("--workers cannot be combined with --reload (fluxlit dev)")
    if mode:
        os.environ["FLUXLIT_RUNTIME_MODE"] = mode
    if os.getcwd() not in sys.path:  # like uvicorn: the app is imported from here
        sys.path.insert(0, os.getcwd())
    fl: Any
    if build_dir is None:
        os.environ["FLUXLIT_APP"] = target
        fl = load_fluxlit(target)
        app_ref, factory, app_dir = FACTORY, True, None
    else:
        from fluxlit.config.settings import FluxlitSettings
        from fluxlit.model import AppModel

        model = AppModel.from_json((build_dir / "model.json").read_text(encoding="utf-8"))
        fl = _BuildSettings(FluxlitSettings.model_validate(_known(model.settings)))
        app_ref, factory, app_dir = "gateway:app", False, str(build_dir)
    requested = os.environ.get("FLUXLIT_RUNTIME_MODE") or fl.settings.runtime_mode
    chosen = choose_mode(mode_for_workers(requested, workers))
    os.environ["FLUXLIT_INTERNAL_API_BASE"] = internal_api_base_url(
        bind_host=host, port=port, api_mount_path=fl.settings.api_mount_path
    )
    os.environ["FLUXLIT_GATEWAY_PORT"] = str(port)
    os.environ["FLUXLIT_GATEWAY_HOST"] = host
    if reload:
        os.environ[DEV_ENV] = "1"
    websocket_options: dict[str, Any] = (
        inprocess_websocket_options(fl.settings, dev=reload) if chosen == "inprocess" else {}
    )
    # Head limits, connection cap and the browser's WebSocket message cap: both modes.
    websocket_options.update(uvicorn_limit_options(fl.settings))
    websocket_options["ws_max_size"] = inbound_message_limit(fl.settings, dev=reload)
    raise_open_file_limit()
    use_proxy_headers = proxy_headers or workbench_mode or fl.settings.trust_proxy
    allow_ips = forwarded_allow_ips or fl.settings.forwarded_allow_ips
    path = pidfiles.default_pidfile_path(pidfile)
    keep_pidfile = write_pidfile and not pidfiles.pidfile_disabled()
    check_port_free(host, port)
    if keep_pidfile:
        pidfiles.write_pidfile(path)
    if workbench_mode:
        print("Workbench mode: proxy headers on; set FLUXLIT_ROOT_PATH for subpath publishing.")
    _banner(host, port, public_mount(fl.settings), fl.api_prefix, chosen)
    try:
        if reload:
            reload_kwargs: dict[str, object] = {"reload_dirs": [os.getcwd()]}
            if reload_scope == "full":
                try:
                    import watchfiles  # noqa: F401
                except ImportError as exc:
                    raise RuntimeError(
                        '--reload-scope full needs watchfiles: pip install "fluxlit[dev]"'
                    ) from exc
                reload_kwargs["reload_includes"] = ["*.py", "*.toml", "*.md", "*.css"]
            uvicorn.run(
                app_ref,
                factory=factory,
                app_dir=app_dir,
                host=host,
                port=port,
                log_level=log_level,
                reload=True,
                proxy_headers=use_proxy_headers,
                forwarded_allow_ips=allow_ips,
                access_log=False,
                **websocket_options,
                **reload_kwargs,  # type: ignore[arg-type]
            )
            return 0
        if app_dir and app_dir not in sys.path:
            sys.path.insert(0, app_dir)
        config_type = WorkerConfig if workers > 1 else uvicorn.Config
        config = config_type(
            app_ref,
            factory=factory,
            host=host,
            port=port,
            log_level=log_level,
            proxy_headers=use_proxy_headers,
            forwarded_allow_ips=allow_ips,
            access_log=False,
            timeout_graceful_shutdown=int(fl.settings.shutdown_grace_s) or None,
            lifespan="on",
            workers=workers,
            **websocket_options,
        )
        if workers > 1:
            script = build_dir / "streamlit_app.py" if build_dir else Path(streamlit_main_path())
            code = serve_workers(fl, script, config)
            if keep_pidfile:
                pidfiles.remove_pidfile(path)
            return code
        server = uvicorn.Server(config)
        with _signals_end_in_cleanup():
            server.run()
        code = SIDECAR_EXIT_CODE if SIDECAR_FAILURES else 0 if server.started else 1
        if keep_pidfile:
            pidfiles.remove_pidfile(path)
        end_shutdown(fl.settings.shutdown_grace_s, code)
        return code
    finally:
        if keep_pidfile:
            pidfiles.remove_pidfile(path)
