"""``fluxlit compile|build|new|pages``: compile, package, scaffold and inspect apps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fluxlit_codegen.project import ResolvedApp

from fluxlit.cli.options import TARGET

TARGET_OPTION = typer.Option(
    None, "--target", help="Same as the TARGET argument (kept for older scripts)."
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _resolve(target: str | None) -> ResolvedApp:
    from fluxlit_codegen.errors import ManifestError
    from fluxlit_codegen.project import ProjectError, resolve_app

    try:
        return resolve_app(target, Path.cwd())
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except ProjectError as exc:
        raise _fail(str(exc)) from None


def compile_cmd(
    target: str | None = TARGET,
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if stale."),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Default: .fluxlit/build"),
) -> None:
    """Check handlers, then render .fluxlit/build/ (entrypoint, gateway, page manifest)."""
    from fluxlit_codegen.compile import compile_resolved
    from fluxlit_codegen.errors import ManifestError
    from fluxlit_codegen.write import WriteError

    resolved = _resolve(target)
    try:
        result = compile_resolved(resolved, out_dir=out_dir, check=check)
    except ManifestError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    except WriteError as exc:
        raise _fail(str(exc)) from None
    if check:
        if result.stale:
            for name in result.stale:
                typer.echo(f"stale: {name}")
            raise typer.Exit(1)
        typer.echo("up to date")
        return
    typer.echo(
        f"compiled {resolved.source_label}: {len(result.written)} written, "
        f"{len(result.unchanged)} unchanged -> {result.out_dir}"
    )


def _one_target(positional: str | None, option: str | None) -> str | None:
    if positional and option and positional != option:
        from fluxlit.errors import UserError

        raise UserError(f"--target: got {option!r} and TARGET {positional!r}; give one")
    return positional or option


def pages_manifest(target: str | None = TARGET_OPTION, target_arg: str | None = TARGET) -> None:
    """Print the JSON page manifest (manifest_version 1) for the resolved app."""
    from fluxlit.pages.manifest import build_page_manifest
    from fluxlit.paths import normalize_api_prefix

    resolved = _resolve(_one_target(target_arg, target))
    model = resolved.model
    manifest = build_page_manifest(
        model.pages,
        title=model.title,
        api_prefix=normalize_api_prefix(resolved.settings.api_mount_path),
        navigation=model.navigation,
    )
    typer.echo(json.dumps(manifest, indent=2, sort_keys=True))


def pages_validate(
    target: str | None = TARGET_OPTION,
    strict: bool = typer.Option(False, "--strict", help="Warnings count as errors."),
    target_arg: str | None = TARGET,
) -> None:
    """Check handlers and that the page manifest is JSON-serialisable.

    Prints every problem at once; exits 1 on errors (and on warnings with --strict).
    """
    from fluxlit_codegen.validate import validate_pages

    errors, warnings = validate_pages(_resolve(_one_target(target_arg, target)))
    for line in errors:
        typer.echo(f"ERROR {line}")
    for line in warnings:
        typer.echo(f"WARN  {line}")
    if errors or (strict and warnings):
        raise typer.Exit(1)
    typer.echo(f"ok ({len(warnings)} warning(s))")


def build(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder to write the files to (default: here)."),
    ] = None,
    target: str | None = TARGET,
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    kubernetes: bool = typer.Option(
        False, "--kubernetes", help="Also k8s/app.yaml (Deployment, Service, Ingress, PDB)."
    ),
    compose: bool = typer.Option(
        False, "--compose", help="Also compose.yaml and nginx.conf (replicas, nginx, Redis)."
    ),
    replicas: int = typer.Option(2, "--replicas", help="Replicas (Kubernetes and compose)."),
    host: str | None = typer.Option(None, "--host", help="Host name the Ingress serves."),
    image: str | None = typer.Option(
        None, "--image", help="Image NAME[:TAG] (default: app name, tagged with the version)."
    ),
) -> None:
    """Emit a Dockerfile and .dockerignore (plus Kubernetes and compose files on request)."""
    from fluxlit_codegen.deploy import DeployOptions, write_deploy_files

    resolved = _resolve(target)
    options = DeployOptions(
        kubernetes=kubernetes, compose=compose, replicas=replicas, host=host, image=image
    )
    result = write_deploy_files(resolved, output or Path.cwd(), options, force=force)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for path in result.written:
        typer.echo(f"wrote {path}")


def new(
    name: str = typer.Argument(..., help="Folder to create."),
    profile: str = typer.Option(
        "minimal", "--profile", help="minimal, manifest, multipage, auth, deploy."
    ),
) -> None:
    """Create a new FluxLit project from a profile (with a README and tests)."""
    from fluxlit_codegen.scaffold import ScaffoldError, scaffold

    try:
        created = scaffold(Path(name), profile)
    except ScaffoldError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"created {created} ({profile}); next: cd {name} && fluxlit run")
