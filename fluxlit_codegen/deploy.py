"""``fluxlit build``: container, compose and Kubernetes files for the resolved app."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from fluxlit.errors import UserError
from fluxlit_codegen.deploy_plan import (
    CONTAINER_PORT,
    CONTAINER_UID,
    PRESTOP_PAUSE_S,
    WRITABLE_DIR,
    DeployOptions,
    DeployPlan,
    k8s_name,
    plan_deploy,
)
from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.render import render_template
from fluxlit_codegen.write import WriteError, write_files

__all__ = ["DeployError", "DeployOptions", "DeployResult", "k8s_name", "write_deploy_files"]


class DeployError(UserError):
    """Deployment files could not be written (existing files, or a write failure)."""


@dataclass
class DeployResult:
    """The files written, and what the user should know about them (for stderr)."""

    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def probe_host_header(host: str | None) -> str:
    """The probes' ``httpHeaders`` (in flow style) naming the Ingress host, when there is one.

    With ``FLUXLIT_ALLOWED_HOSTS`` set, a probe with the pod's IP as ``Host`` would fail.
    """
    if host is None or host.startswith("*"):
        return ""
    return f", httpHeaders: [{{name: Host, value: {host}}}]"


def render_deploy_files(plan: DeployPlan, options: DeployOptions) -> dict[str, str]:
    """``{relative path: text}`` for the files ``options`` ask for."""
    context = {
        "title": plan.title,
        "name": plan.name,
        "image": plan.image,
        "install": plan.install,
        "requirement_arg": shlex.quote(plan.requirement),
        "target": plan.target,
        "command_json": json.dumps(plan.command),
        "health_path": plan.health_path,
        "ready_path": plan.ready_path,
        "public_root": plan.public_root,
        "shutdown_grace": f"{plan.shutdown_grace_s:g}",
        "termination_grace": plan.termination_grace_s,
        "redis_env": plan.redis_env,
        "replicas": plan.replicas,
        "host": plan.host,
        "probe_host": probe_host_header(plan.host),
        "port": CONTAINER_PORT,
        "uid": CONTAINER_UID,
        "prestop": PRESTOP_PAUSE_S,
        "writable": WRITABLE_DIR,
    }
    files = {
        "Dockerfile": render_template("deploy/Dockerfile.j2", **context),
        ".dockerignore": render_template("deploy/dockerignore.j2"),
    }
    if options.compose:
        compose_context = {**context, "redis_env": plan.redis_env or "FLUXLIT_REDIS_URL"}
        files["compose.yaml"] = render_template("deploy/compose.yaml.j2", **compose_context)
        files["nginx.conf"] = render_template("deploy/nginx.conf.j2", **context)
    if options.kubernetes:
        files["k8s/app.yaml"] = render_template("deploy/kubernetes.yaml.j2", **context)
    return files


def write_deploy_files(
    resolved: ResolvedApp,
    out_dir: Path,
    options: DeployOptions | None = None,
    *,
    force: bool = False,
) -> DeployResult:
    """Write the Dockerfile and .dockerignore (plus compose/Kubernetes files on request).

    Existing files are kept unless ``force``; all files are written, or none.
    """
    options = options or DeployOptions()
    plan = plan_deploy(resolved, options)
    files = render_deploy_files(plan, options)
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
    return DeployResult([out_dir / name for name in files], plan.warnings)
