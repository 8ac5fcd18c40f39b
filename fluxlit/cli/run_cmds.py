"""``fluxlit dev|run|workbench|shutdown|doctor|config``: run and inspect the stack."""

from __future__ import annotations

import json
from typing import Any

import typer

from fluxlit.cli.diagnostics import Check, effective_config, run_checks
from fluxlit.cli.options import PIDFILE, TARGET, reported, serve_command, serve_options
from fluxlit.cli.strict_startup import refuse_warnings_when_strict
from fluxlit.runtime.options import ServeOptions


def _serve(options: ServeOptions) -> None:
    from fluxlit.runtime.unified import serve

    with reported():
        code = serve(options, check=refuse_warnings_when_strict)
    raise typer.Exit(code)


def dev(**options: Any) -> None:
    """Run the unified stack for local development (reloads on code changes; a manifest
    app is recompiled on each change)."""
    _serve(serve_options(options))


def run_cmd(**options: Any) -> None:
    """Run the unified stack for production-style use (no reload)."""
    _serve(serve_options(options, reload=False))


def workbench_cmd(**options: Any) -> None:
    """Run behind Posit Workbench / Connect-style path proxies (proxy headers on)."""
    _serve(serve_options(options, reload=False, workbench=True, proxy_headers=True))


serve_command(dev, hidden=("workers",))
serve_command(run_cmd, hidden=("reload", "reload_scope"))
serve_command(
    workbench_cmd, hidden=("reload", "reload_scope", "proxy_headers", "workbench", "workers")
)


def shutdown(
    pidfile: PIDFILE = None,
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
    with reported():
        data: dict[str, Any] = effective_config(target)
    if json_output:
        typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        keys = ("target", "title", "host", "port", "log_level", "runtime_mode", "internal_api_base")
        for key in keys:
            typer.echo(f"{key}: {data[key]}")
        typer.echo("settings:")
        for key, value in sorted(data["settings"].items()):
            typer.echo(f"  {key} = {value!r}")
        for warning in data["warnings"]:
            typer.echo(f"WARN {warning}")
    if strict and data["warnings"]:
        raise typer.Exit(1)
