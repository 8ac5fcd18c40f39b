"""The ``fluxlit`` console script: run, compile, inspect and scaffold FluxLit apps."""

from __future__ import annotations

import typer

from fluxlit.cli.compile_cmds import build, compile_cmd, new, pages_manifest, pages_validate
from fluxlit.cli.edit_cmds import (
    export,
    mounts_add,
    mounts_remove,
    pages_add,
    pages_remove,
    routes_add,
    routes_remove,
)
from fluxlit.cli.failure import request_tracebacks
from fluxlit.cli.run_cmds import config, dev, doctor, run_cmd, shutdown, workbench_cmd
from fluxlit.console import guarded

app = typer.Typer(
    name="fluxlit",
    help="FastAPI and Streamlit on one port.",
    no_args_is_help=True,
    add_completion=False,
)
pages_app = typer.Typer(help="Inspect, validate, add and remove pages.", no_args_is_help=True)
app.add_typer(pages_app, name="pages")
routes_app = typer.Typer(help="Add and remove manifest API routes.", no_args_is_help=True)
app.add_typer(routes_app, name="routes")
mounts_app = typer.Typer(help="Add and remove manifest mounts.", no_args_is_help=True)
app.add_typer(mounts_app, name="mounts")


def _version(value: bool) -> None:
    if value:
        import importlib.metadata

        typer.echo(f"fluxlit {importlib.metadata.version('fluxlit')}")
        raise typer.Exit()


@app.callback()
def global_options(
    debug: bool = typer.Option(
        False, "--debug", help="Show the full traceback when a command fails (or FLUXLIT_DEBUG=1)."
    ),
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """FastAPI and Streamlit on one port."""
    if debug:
        request_tracebacks()


app.command("dev")(dev)
app.command("run")(run_cmd)
app.command("workbench")(workbench_cmd)
app.command("shutdown")(shutdown)
app.command("doctor")(doctor)
app.command("config")(config)
app.command("compile")(compile_cmd)
app.command("build")(build)
app.command("new")(new)
app.command("export")(export)
pages_app.command("manifest")(pages_manifest)
pages_app.command("validate")(pages_validate)
pages_app.command("add")(pages_add)
pages_app.command("remove")(pages_remove)
routes_app.command("add")(routes_add)
routes_app.command("remove")(routes_remove)
mounts_app.command("add")(mounts_add)
mounts_app.command("remove")(mounts_remove)


def main() -> None:
    """Run the ``fluxlit`` command under the CLI's one error handler."""
    guarded(app)


__all__ = [
    "app",
    "build",
    "compile_cmd",
    "config",
    "dev",
    "doctor",
    "main",
    "new",
    "pages_manifest",
    "pages_validate",
    "run_cmd",
    "shutdown",
    "workbench_cmd",
]
