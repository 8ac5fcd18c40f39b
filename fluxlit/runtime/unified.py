"""``serve``: the one serve path of ``fluxlit run``, ``dev`` and ``workbench``.

It resolves the app once (``fluxlit_codegen.project.resolve_app``), compiles a manifest
app, and serves the ASGI app ``build_asgi`` makes from it with Uvicorn. With reload,
Uvicorn's worker gets the ``ServeOptions`` inside its pickled config (no environment
variable) and resolves and compiles again on every change; a manifest mistake is
printed, located, and the last good build keeps serving.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from fluxlit.config.settings import FluxlitSettings, project_settings
from fluxlit.errors import ConfigurationError, UserError
from fluxlit.logging.output import apply_log_format, uvicorn_log_options
from fluxlit.runtime import pidfile as pidfiles
from fluxlit.runtime.http_limits import raise_open_file_limit, uvicorn_limit_options
from fluxlit.runtime.options import RELOAD_SCOPES, ServeOptions
from fluxlit.runtime.ports import check_port_free, internal_api_base_url
from fluxlit.runtime.serve import asgi_for_build, build_asgi, choose_mode, streamlit_main_path
from fluxlit.runtime.shutdown import end_shutdown
from fluxlit.runtime.sidecar import SIDECAR_EXIT_CODE, SIDECAR_FAILURES
from fluxlit.runtime.streamlit_options import (
    inbound_message_limit,
    inprocess_websocket_options,
    public_mount,
)
from fluxlit.runtime.workers import WorkerConfig, mode_for_workers, serve_workers
from fluxlit.streamlit.context import ScriptContext

BUILD_DIR = Path(".fluxlit") / "build"
WATCHED = ["*.py", "fluxlit.toml", "pyproject.toml"]
WATCHED_FULL = [*WATCHED, "*.toml", "*.md", "*.css"]


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


def resolve_for_serving(options: ServeOptions) -> Any:
    """The resolved app with the command's flags and the internal API base applied."""
    from fluxlit.config.overrides import with_overrides
    from fluxlit_codegen.project import resolve_app

    resolved = resolve_app(options.target, options.root, overrides=options.settings_overrides())
    settings = resolved.settings
    if not settings.internal_api_base:
        base = internal_api_base_url(
            bind_host=settings.gateway_host,
            port=settings.gateway_port,
            api_mount_path=settings.api_mount_path,
        )
        resolved.settings = with_overrides(settings, {"internal_api_base": base})
        if resolved.fluxlit is not None:
            resolved.fluxlit.settings = resolved.settings
    return resolved


def compile_if_manifest(resolved: Any) -> Path | None:
    """Compile a manifest app into ``.fluxlit/build``; ``None`` for a Python app."""
    if not resolved.is_manifest:
        return None
    from fluxlit_codegen.compile import compile_resolved

    return compile_resolved(resolved).out_dir


def asgi_for_resolved(resolved: Any, build_dir: Path | None, *, dev: bool) -> Any:
    """The ASGI app for a resolved app (a Python app, or a compiled manifest app)."""
    if build_dir is not None:
        with project_settings(resolved.project_settings):
            return asgi_for_build(
                resolved.model,
                project_root=resolved.project_root,
                entrypoint=build_dir / "streamlit_app.py",
                settings=resolved.settings,
                dev=dev,
            )
    context = ScriptContext.of(
        resolved.settings, target=resolved.target, project_root=resolved.project_root, dev=dev
    )
    return build_asgi(resolved.fluxlit, Path(streamlit_main_path()), context)


def worker_app() -> Any:
    """ASGI factory of a Uvicorn worker process (reload or ``--workers``), from the
    ``ServeOptions`` its config carried: resolve and compile again.

    With reload, a manifest mistake prints the located error and serves the last good
    build.
    """
    from fluxlit_codegen.errors import ManifestError

    options = _WORKER_OPTIONS[-1]
    try:
        resolved = resolve_for_serving(options)
        return asgi_for_resolved(resolved, compile_if_manifest(resolved), dev=options.reload)
    except ManifestError as exc:
        build = options.root / BUILD_DIR
        if not options.reload or not (build / "model.json").is_file():
            raise
        print(f"{exc}\nfluxlit dev: serving the last good build", file=sys.stderr, flush=True)
        return _last_good_build(options, build)


def _last_good_build(options: ServeOptions, build: Path) -> Any:
    from fluxlit.config.overrides import with_overrides
    from fluxlit.config.settings import FluxlitSettings
    from fluxlit.model import AppModel

    model = AppModel.from_json((build / "model.json").read_text(encoding="utf-8"))
    with project_settings(model.settings):
        settings = with_overrides(FluxlitSettings(), options.settings_overrides())
    return asgi_for_build(
        model,
        project_root=options.root,
        entrypoint=build / "streamlit_app.py",
        settings=settings,
        dev=True,
    )


_WORKER_OPTIONS: list[ServeOptions] = []


class ServeConfig(uvicorn.Config):
    """Uvicorn config that carries the ``ServeOptions`` to its worker processes (it is
    pickled into each; ``load`` runs there before the app is built)."""

    def __init__(self, options: ServeOptions, **kwargs: Any) -> None:
        super().__init__(f"{__name__}:worker_app", factory=True, **kwargs)
        self.serve_options = options

    def load(self) -> None:
        _WORKER_OPTIONS.append(self.serve_options)
        super().load()


class ServeWorkersConfig(ServeConfig, WorkerConfig):
    """``ServeConfig`` for ``--workers``: each worker builds the gateway only."""


def serve(options: ServeOptions, *, check: Callable[[FluxlitSettings], None] | None = None) -> int:
    """Serve the app ``options`` name until told to stop; return the exit code.

    ``check`` sees the resolved settings before anything starts (the CLI refuses
    warnings there with ``strict_startup``). Writes a PID file (unless disabled) and
    removes it on exit; stops every child.
    """
    if options.reload_scope not in RELOAD_SCOPES:
        raise ConfigurationError("reload_scope must be 'gateway' or 'full'")
    if options.workers > 1 and options.reload:
        raise UserError("--workers cannot be combined with --reload (fluxlit dev)")
    resolved = resolve_for_serving(options)
    if check is not None:
        check(resolved.settings)
    apply_log_format(resolved.settings)  # every line from here on, in the chosen format
    build_dir = compile_if_manifest(resolved)
    settings = resolved.settings
    chosen = choose_mode(mode_for_workers(settings.runtime_mode, options.workers))
    if chosen != settings.runtime_mode and options.workers > 1:
        settings = resolved.settings = with_mode(resolved, chosen)
    websocket: dict[str, Any] = (
        inprocess_websocket_options(settings, dev=options.reload) if chosen == "inprocess" else {}
    )
    # Head limits, connection cap and the browser's WebSocket message cap: both modes.
    websocket.update(uvicorn_limit_options(settings))
    websocket["ws_max_size"] = inbound_message_limit(settings, dev=options.reload)
    raise_open_file_limit()
    server_options: dict[str, Any] = {
        "host": settings.gateway_host,
        "port": settings.gateway_port,
        "log_level": settings.log_level.lower(),
        "proxy_headers": settings.trust_proxy,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "access_log": False,
        "timeout_graceful_shutdown": int(settings.shutdown_grace_s) or None,
        "lifespan": "on",
        **websocket,
        **uvicorn_log_options(settings),
    }
    path = pidfiles.default_pidfile_path(options.pidfile)
    keep_pidfile = not options.no_pidfile and not pidfiles.pidfile_disabled()
    check_port_free(settings.gateway_host, settings.gateway_port)
    if keep_pidfile:
        pidfiles.write_pidfile(path)
    for warning in resolved.warnings:  # once nothing can stop the start any more
        print(f"warning: {warning}", file=sys.stderr)
    if options.workbench:
        print("Workbench mode: proxy headers on; set FLUXLIT_ROOT_PATH for subpath publishing.")
    api_prefix = resolved.fluxlit.api_prefix if resolved.fluxlit else _prefix(settings)
    mount = public_mount(settings)
    _banner(settings.gateway_host, settings.gateway_port, mount, api_prefix, chosen)
    try:
        if options.reload:
            _run_with_reload(options, server_options)
            return 0
        if options.workers > 1:
            return _run_workers(resolved, build_dir, options, server_options)
        server = uvicorn.Server(
            uvicorn.Config(asgi_for_resolved(resolved, build_dir, dev=False), **server_options)
        )
        with _signals_end_in_cleanup():
            server.run()
        code = SIDECAR_EXIT_CODE if SIDECAR_FAILURES else 0 if server.started else 1
        if keep_pidfile:
            pidfiles.remove_pidfile(path)
        end_shutdown(settings.shutdown_grace_s, code)
        return code
    finally:
        if keep_pidfile:
            pidfiles.remove_pidfile(path)


def with_mode(resolved: Any, mode: str) -> Any:
    """The resolved settings with ``runtime_mode`` set (``--workers`` picks the sidecar)."""
    from fluxlit.config.overrides import with_overrides

    settings = with_overrides(resolved.settings, {"runtime_mode": mode})
    if resolved.fluxlit is not None:
        resolved.fluxlit.settings = settings
    return settings


def _run_workers(
    resolved: Any, build_dir: Path | None, options: ServeOptions, server: dict[str, Any]
) -> int:
    """``--workers N``: this process runs the Streamlit child, N workers the gateway."""
    script = build_dir / "streamlit_app.py" if build_dir else Path(streamlit_main_path())
    context = ScriptContext.of(
        resolved.settings, target=resolved.target, project_root=resolved.project_root, dev=False
    )
    config = ServeWorkersConfig(options, workers=options.workers, **server)
    app_like = resolved.fluxlit or _SettingsOnly(resolved.settings)
    return serve_workers(app_like, script, config, context)


class _SettingsOnly:
    """What the Streamlit child of ``--workers`` needs of a manifest app."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.api_prefix = _prefix(settings)


def _prefix(settings: Any) -> str:
    from fluxlit.paths import normalize_api_prefix

    return normalize_api_prefix(settings.api_mount_path)


def _run_with_reload(options: ServeOptions, server_options: dict[str, Any]) -> None:
    """Uvicorn's reloader over ``DevConfig``: every change starts a fresh worker."""
    from uvicorn.supervisors import ChangeReload

    root = str(options.root)
    includes = WATCHED_FULL if options.reload_scope == "full" else WATCHED
    generated = options.root / ".fluxlit"  # compiling writes there: not a change to react to
    config = ServeConfig(
        options,
        reload=True,
        reload_dirs=[root],
        reload_includes=includes,
        reload_excludes=[str(generated.resolve())] if generated.is_dir() else None,
        **server_options,
    )
    server = uvicorn.Server(config)
    sock = config.bind_socket()
    ChangeReload(config, target=server.run, sockets=[sock]).run()


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
    workers: int = 1,
) -> int:
    """Serve ``target`` (``module:attr``) on ``host:port``: FastAPI under the API prefix,
    Streamlit everywhere else, in-process or as a supervised sidecar.

    The same path as ``fluxlit run`` (``serve``): the app is resolved once, the
    arguments are its highest settings layer. Writes a PID file (unless disabled), and
    on exit stops every child and removes the PID file. ``reload`` restarts the whole
    stack on code changes (``full`` also watches non-Python files). ``workers`` > 1
    runs that many gateway processes over one Streamlit child (sidecar mode, see
    ``fluxlit.runtime.workers``). Returns the exit code.
    """
    return serve(
        ServeOptions(
            target=target,
            host=host,
            port=port,
            log_level=log_level,
            mode=mode,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
            reload=reload,
            reload_scope=reload_scope,
            pidfile=pidfile,
            no_pidfile=not write_pidfile,
            workbench=workbench_mode,
            workers=workers,
        )
    )
