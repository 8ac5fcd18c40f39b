"""``fluxlit dev|run|workbench|shutdown|doctor|config``: run and inspect the stack."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import typer

from fluxlit.cli.diagnostics import Check, effective_config, run_checks
from fluxlit.cli.strict_startup import refuse_warnings_when_strict
from fluxlit.config.project import load_project_config, resolve_binding, resolve_target

TARGET = typer.Argument(None, help="App as module:attr (default: project file, then app:app).")
HOST = typer.Option(None, "--host", help="Bind address (default: project file, settings).")
PORT = typer.Option(None, "--port", help="Public port (default: project file, settings).")
LOG_LEVEL = typer.Option(None, "--log-level", help="Uvicorn log level.")
PROXY_HEADERS = typer.Option(False, "--proxy-headers", help="Trust X-Forwarded-* headers.")
FORWARDED_IPS = typer.Option(None, "--forwarded-allow-ips", help="IPs trusted for proxy headers.")
NO_PIDFILE = typer.Option(False, "--no-pidfile", help="Do not write a PID file.")
WORKBENCH = typer.Option(False, "--workbench", help="Posit Workbench / Connect path proxies.")
DEBUG = typer.Option(False, "--debug", help="Debug mode (FLUXLIT_DEBUG=1).")
MODE = typer.Option(None, "--mode", help="Runtime mode: auto, inprocess or sidecar.")


def _serve(
    target: str | None,
    host: str | None,
    port: int | None,
    log_level: str | None,
    *,
    reload: bool,
    reload_scope: str,
    proxy_headers: bool,
    forwarded_allow_ips: str | None,
    pidfile: Path | None,
    no_pidfile: bool,
    workbench: bool,
    debug: bool,
    mode: str | None,
    workers: int = 1,
) -> None:
    from fluxlit.config.settings import load_settings
    from fluxlit.runtime import run_unified

    if debug:
        os.environ["FLUXLIT_DEBUG"] = "1"
    pc = load_project_config()
    resolved = resolve_target(target, pc)
    build_dir = _compile_manifest_app(target)
    settings = load_settings()
    refuse_warnings_when_strict(settings)
    bind_host, bind_port, level = resolve_binding(
        cli_host=host,
        cli_port=port,
        cli_log_level=log_level,
        pc=pc,
        settings_gateway_host=settings.gateway_host,
        settings_gateway_port=settings.gateway_port,
        settings_log_level=settings.log_level,
    )
    if pc is not None and pc.api_mount_path and "FLUXLIT_API_MOUNT_PATH" not in os.environ:
        os.environ["FLUXLIT_API_MOUNT_PATH"] = pc.api_mount_path
    if pc is not None and pc.root_path and "FLUXLIT_ROOT_PATH" not in os.environ:
        os.environ["FLUXLIT_ROOT_PATH"] = pc.root_path
    try:
        code = run_unified(
            resolved,
            host=bind_host,
            port=bind_port,
            reload=reload,
            reload_scope=reload_scope,
            log_level=level,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
            pidfile=pidfile,
            write_pidfile=not no_pidfile,
            workbench_mode=workbench,
            mode=mode,
            build_dir=build_dir,
            workers=workers,
        )
    except (ValueError, ModuleNotFoundError, AttributeError, TypeError, RuntimeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _compile_manifest_app(target: str | None) -> Path | None:
    """For a declarative ``fluxlit.toml`` app, compile it and return the build folder."""
    if target:
        return None
    from fluxlit_codegen.compile import compile_resolved
    from fluxlit_codegen.errors import ManifestError
    from fluxlit_codegen.manifest import find_manifest, is_declarative, read_table
    from fluxlit_codegen.project import resolve_app

    try:
        manifest = find_manifest(Path.cwd())
        if manifest is None or not is_declarative(read_table(manifest)[0]):
            return None
        return compile_resolved(resolve_app(None, Path.cwd())).out_dir
    except ManifestError as exc:  # manifest or handler problems, located
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def dev(
    target: str | None = TARGET,
    host: str | None = HOST,
    port: int | None = PORT,
    log_level: str | None = LOG_LEVEL,
    proxy_headers: bool = PROXY_HEADERS,
    forwarded_allow_ips: str | None = FORWARDED_IPS,
    reload: bool = typer.Option(True, "--reload/--no-reload", help="Restart on code changes."),
    reload_scope: str = typer.Option(
        "gateway", "--reload-scope", help="gateway, or full (also watch non-Python files)."
    ),
    pidfile: Path | None = None,
    no_pidfile: bool = NO_PIDFILE,
    workbench: bool = WORKBENCH,
    debug: bool = DEBUG,
    mode: str | None = MODE,
) -> None:
    """Run the unified stack for local development (reloads on code changes)."""
    _serve(
        target,
        host,
        port,
        log_level,
        reload=reload,
        reload_scope=reload_scope,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        pidfile=pidfile,
        no_pidfile=no_pidfile,
        workbench=workbench,
        debug=debug,
        mode=mode,
    )


def run_cmd(
    target: str | None = TARGET,
    host: str | None = HOST,
    port: int | None = PORT,
    log_level: str | None = LOG_LEVEL,
    proxy_headers: bool = PROXY_HEADERS,
    forwarded_allow_ips: str | None = FORWARDED_IPS,
    pidfile: Path | None = None,
    no_pidfile: bool = NO_PIDFILE,
    workbench: bool = WORKBENCH,
    debug: bool = DEBUG,
    mode: str | None = MODE,
    workers: int = typer.Option(
        1, "--workers", help="Gateway processes sharing the port (sidecar mode; auto picks it)."
    ),
) -> None:
    """Run the unified stack for production-style use (no reload)."""
    _serve(
        target,
        host,
        port,
        log_level,
        reload=False,
        reload_scope="gateway",
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        pidfile=pidfile,
        no_pidfile=no_pidfile,
        workbench=workbench,
        debug=debug,
        mode=mode,
        workers=workers,
    )


def workbench_cmd(
    target: str | None = TARGET,
    host: str | None = HOST,
    port: int | None = PORT,
    log_level: str | None = LOG_LEVEL,
    forwarded_allow_ips: str | None = FORWARDED_IPS,
    pidfile: Path | None = None,
    no_pidfile: bool = NO_PIDFILE,
    debug: bool = DEBUG,
    mode: str | None = MODE,
) -> None:
    """Run behind Posit Workbench / Connect-style path proxies (proxy headers on)."""
    _serve(
        target,
        host,
        port,
        log_level,
        reload=False,
        reload_scope="gateway",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        pidfile=pidfile,
        no_pidfile=no_pidfile,
        workbench=True,
        debug=debug,
        mode=mode,
    )


def shutdown(
    pidfile: Path | None = None,
    force: bool = typer.Option(False, "--force", help="SIGKILL if still running after --wait."),
    wait_s: float = typer.Option(5.0, "--wait", help="Seconds to wait after SIGTERM."),
) -> None:
    """Stop ``fluxlit dev`` / ``fluxlit run`` using the PID file they wrote."""
    from fluxlit.runtime import shutdown_unified_process

    try:
        stopped = shutdown_unified_process(pidfile, force=force, wait_s=wait_s)
    except FileNotFoundError as exc:  # no PID file: the wrong folder or --pidfile
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if not stopped:
        typer.echo("still running; retry with --force", err=True)
        raise typer.Exit(1)
    typer.echo("stopped")


def _print_checks(checks: list[Check], *, json_output: bool, verbose: bool) -> None:
    if json_output:
        typer.echo(json.dumps([c.as_dict() for c in checks], indent=2))
        return
    for check in checks:
        detail = check.detail if (verbose or check.status != "PASS") else check.summary
        typer.echo(f"{check.status:<4}  {check.name}: {detail}")


def doctor(
    target: str | None = TARGET,
    warnings_only: bool = typer.Option(False, "--warnings-only", help="Never exit 1."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
    verbose: bool = typer.Option(False, "--verbose", help="Show details for passing checks."),
    check_pages: bool = typer.Option(False, "--check-pages", help="Also check page handlers."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as failures."),
) -> None:
    """Print PASS/WARN/FAIL diagnostics (imports, dependencies, bind, env, mode)."""
    checks = run_checks(target, check_pages=check_pages)
    _print_checks(checks, json_output=json_output, verbose=verbose)
    failing = {"FAIL", "WARN"} if strict else {"FAIL"}
    if not warnings_only and any(c.status in failing for c in checks):
        raise typer.Exit(1)


def config(
    target: str | None = TARGET,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when there are warnings."),
) -> None:
    """Print the effective configuration (env, project file, app) with secrets redacted."""
    data: dict[str, Any] = effective_config(target)
    if json_output:
        typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        for key in ("target", "host", "port", "log_level", "runtime_mode", "internal_api_base"):
            typer.echo(f"{key}: {data[key]}")
        typer.echo("settings:")
        for key, value in sorted(data["settings"].items()):
            typer.echo(f"  {key} = {value!r}")
        for warning in data["warnings"]:
            typer.echo(f"WARN {warning}")
    if strict and data["warnings"]:
        raise typer.Exit(1)
