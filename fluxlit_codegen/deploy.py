"""``fluxlit build``: container and Kubernetes files for the resolved app."""

from __future__ import annotations

import re
from pathlib import Path

from fluxlit.errors import UserError
from fluxlit.paths import public_api_path
from fluxlit_codegen.manifest_schema import HANDLER_PATTERN
from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.render import render_template
from fluxlit_codegen.write import WriteError, write_files


class DeployError(UserError):
    """Deployment files could not be written (existing files, or a write failure)."""


def k8s_name(title: str) -> str:
    """A DNS-1123 label derived from the app title (``My App`` -> ``my-app``)."""
    name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].strip("-")
    return name or "fluxlit-app"


def probe_path(resolved: ResolvedApp, route: str) -> str:
    """Public path of an API health route (``/healthz``): public mount, API prefix, route.

    Python apps answer with their own settings, manifest apps with the model's.
    """
    if resolved.fluxlit is not None:
        settings = resolved.fluxlit.settings
        root = settings.root_path or settings.streamlit_public_path
        return public_api_path(root, resolved.fluxlit.api_prefix, route)
    values = resolved.model.settings
    root = str(values.get("root_path") or values.get("streamlit_public_path") or "")
    return public_api_path(root, str(values.get("api_mount_path") or ""), route)


INSTALL_HELP = (
    "the container installs the project's dependencies, but {root} has neither "
    "pyproject.toml nor requirements.txt: add a pyproject.toml whose [project] "
    'dependencies name "fluxlit" (see `fluxlit new`), or a requirements.txt listing fluxlit'
)


def install_mode(project_root: Path) -> str:
    """``pyproject`` (``pip install .``) or ``requirements`` (``pip install -r``); else refuse."""
    if (project_root / "pyproject.toml").is_file():
        return "pyproject"
    if (project_root / "requirements.txt").is_file():
        return "requirements"
    raise DeployError(INSTALL_HELP.format(root=project_root))


def write_deploy_files(
    resolved: ResolvedApp, out_dir: Path, *, force: bool = False, kubernetes: bool = False
) -> list[Path]:
    """Write Dockerfile and .dockerignore (and ``k8s/app.yaml``); refuse to overwrite."""
    target = None if resolved.is_manifest else resolved.source_label
    if target is not None and not re.match(HANDLER_PATTERN, target):
        raise DeployError(f"target {target!r} must look like module:attribute")
    title = resolved.model.title
    health = probe_path(resolved, "/healthz")
    ready = probe_path(resolved, "/readyz")
    files = {
        "Dockerfile": render_template(
            "deploy/Dockerfile.j2",
            title=title,
            target=target,
            install=install_mode(resolved.project_root),
            health_path=health,
        ),
        ".dockerignore": render_template("deploy/dockerignore.j2"),
    }
    if kubernetes:
        files["k8s/app.yaml"] = render_template(
            "deploy/kubernetes.yaml.j2",
            title=title,
            name=k8s_name(title),
            health_path=health,
            ready_path=ready,
        )
    existing = [name for name in files if (out_dir / name).exists()]
    if existing and not force:
        raise DeployError(f"{', '.join(existing)} already exist; pass --force to overwrite")
    by_folder: dict[Path, dict[str, str]] = {}
    for name, text in files.items():
        path = out_dir / name
        by_folder.setdefault(path.parent, {})[path.name] = text
    try:
        for folder, batch in by_folder.items():
            write_files(batch, folder)
    except WriteError as exc:
        raise DeployError(str(exc)) from None
    return [out_dir / name for name in files]
