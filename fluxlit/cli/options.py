"""Command-line options shared by ``run``, ``dev`` and ``workbench``, checked once.

Each serve command is ``ServeOptions`` filled from the same option list: the commands
differ only in which options they show and which values they fix.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from fluxlit.errors import UserError
from fluxlit.runtime.options import RELOAD_SCOPES, ServeOptions

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
MODES = ("inprocess", "sidecar", "auto")
LOG_FORMATS = ("text", "json")


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Print a project-file error (every problem, located, one per line) and exit 2.

    Other mistakes reach the CLI's one error handler (``fluxlit.console.guarded``).
    """
    from fluxlit_codegen.errors import ManifestError

    try:
        yield
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def check_port(value: int | None) -> int | None:
    """``--port`` is a TCP port, 1-65535."""
    if value is not None and not 1 <= value <= 65535:
        raise UserError(f"--port: expected 1-65535, got {value}")
    return value


def check_mode(value: str | None) -> str | None:
    """``--mode`` is inprocess, sidecar or auto."""
    if value is not None and value not in MODES:
        raise UserError(f"--mode: expected inprocess, sidecar or auto, got {value!r}")
    return value


def check_log_level(value: str | None) -> str | None:
    """``--log-level`` is one of Uvicorn's levels."""
    if value is not None and value.lower() not in LOG_LEVELS:
        raise UserError(f"--log-level: expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return value.lower() if value is not None else None


def check_log_format(value: str | None) -> str | None:
    """``--log-format`` is text or json."""
    if value is not None and value not in LOG_FORMATS:
        raise UserError(f"--log-format: expected text or json, got {value!r}")
    return value


def check_reload_scope(value: str) -> str:
    """``--reload-scope`` is gateway or full."""
    if value not in RELOAD_SCOPES:
        raise UserError(f"--reload-scope: expected gateway or full, got {value!r}")
    return value


TARGET = typer.Argument(None, help="App as module:attr (default: project file, then app:app).")
PIDFILE = Annotated[
    Path | None,
    typer.Option("--pidfile", help="PID file path (default: FLUXLIT_PIDFILE, else .fluxlit.pid)."),
]

SERVE_OPTIONS: dict[str, tuple[Any, Any]] = {
    "target": (str | None, TARGET),
    "host": (str | None, typer.Option(None, "--host", help="Bind address.")),
    "port": (
        int | None,
        typer.Option(None, "--port", help="Public port, 1-65535.", callback=check_port),
    ),
    "log_level": (
        str | None,
        typer.Option(
            None,
            "--log-level",
            help="Uvicorn log level: " + ", ".join(LOG_LEVELS) + ".",
            callback=check_log_level,
        ),
    ),
    "proxy_headers": (
        bool,
        typer.Option(False, "--proxy-headers", help="Trust X-Forwarded-* headers."),
    ),
    "forwarded_allow_ips": (
        str | None,
        typer.Option(None, "--forwarded-allow-ips", help="IPs trusted for proxy headers."),
    ),
    "reload": (
        bool,
        typer.Option(True, "--reload/--no-reload", help="Restart on code changes."),
    ),
    "reload_scope": (
        str,
        typer.Option(
            "gateway",
            "--reload-scope",
            help="gateway, or full (also watch non-Python files).",
            callback=check_reload_scope,
        ),
    ),
    "pidfile": (PIDFILE, None),
    "no_pidfile": (bool, typer.Option(False, "--no-pidfile", help="Do not write a PID file.")),
    "workbench": (
        bool,
        typer.Option(False, "--workbench", help="Posit Workbench / Connect path proxies."),
    ),
    "debug": (bool, typer.Option(False, "--debug", help="Debug mode (the debug setting).")),
    "mode": (
        str | None,
        typer.Option(
            None, "--mode", help="Runtime mode: inprocess, sidecar or auto.", callback=check_mode
        ),
    ),
    "workers": (
        int,
        typer.Option(
            1, "--workers", help="Gateway processes sharing the port (sidecar mode; auto picks it)."
        ),
    ),
    "log_format": (
        str | None,
        typer.Option(
            None,
            "--log-format",
            help="text, or json: every line of every process one JSON record.",
            callback=check_log_format,
        ),
    ),
}
"""Name: (annotation, default), in the order the reference documents the parameters."""


def serve_command(
    function: Callable[..., None], *, hidden: tuple[str, ...] = ()
) -> Callable[..., None]:
    """Give ``function(**options)`` the shared option list, less ``hidden`` ones, as its
    signature (Typer reads the signature to build the command)."""
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=default,
                annotation=annotation,
            )
            for name, (annotation, default) in SERVE_OPTIONS.items()
            if name not in hidden
        ]
    )
    return function


def serve_options(values: dict[str, Any], **fixed: Any) -> ServeOptions:
    """``ServeOptions`` from a command's parsed options and the values it fixes."""
    return ServeOptions(**{**values, **fixed})
