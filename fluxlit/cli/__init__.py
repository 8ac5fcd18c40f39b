"""The ``fluxlit`` console script: run, compile, inspect and scaffold FluxLit apps."""

from __future__ import annotations

import typer

from fluxlit.cli.compile_cmds import build, compile_cmd, new, pages_manifest, pages_validate
from fluxlit.cli.run_cmds import config, dev, doctor, run_cmd, shutdown, workbench_cmd

app = typer.Typer(
    name="fluxlit",
    help="FastAPI and Streamlit on one port.",
    no_args_is_help=True,
    add_completion=False,
)
pages_app = typer.Typer(help="Inspect and validate registered pages.", no_args_is_help=True)
app.add_typer(pages_app, name="pages")

app.command("dev")(dev)
app.command("run")(run_cmd)
app.command("workbench")(workbench_cmd)
app.command("shutdown")(shutdown)
app.command("doctor")(doctor)
app.command("config")(config)
app.command("compile")(compile_cmd)
app.command("build")(build)
app.command("new")(new)
pages_app.command("manifest")(pages_manifest)
pages_app.command("validate")(pages_validate)


def main() -> None:
    """Invoke the root Typer application (console script entrypoint)."""
    app()


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
