"""What the deployment files say about one app: image, command, probes, grace, Redis."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

from fluxlit.errors import UserError
from fluxlit.paths import normalize_public_mount, public_api_path
from fluxlit_codegen.manifest_schema import HANDLER_PATTERN
from fluxlit_codegen.project import ResolvedApp

#: The port the app listens on inside the container (and every file that reaches it).
CONTAINER_PORT = 8000
#: Seconds the pod keeps serving after Kubernetes starts removing it from endpoints.
PRESTOP_PAUSE_S = 5
#: Where the read-only container may write: HOME and TMPDIR point here (an emptyDir).
WRITABLE_DIR = "/tmp"
#: The numeric user and group the container runs as (never root).
CONTAINER_UID = 10001
#: Tag used when the project states no version (a warning says so).
FALLBACK_VERSION = "0.1.0"

Install = Literal["pyproject", "requirements", "fluxlit"]

_NAME_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?"
IMAGE_PATTERN = re.compile(
    rf"(?P<name>(?:{_REGISTRY}/)?{_NAME_COMPONENT}(?:/{_NAME_COMPONENT})*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?P<digest>@sha256:[0-9a-f]{64})?"
)
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HOST_PATTERN = re.compile(
    r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)


class DeployOptionError(UserError, ValueError):
    """A ``fluxlit build`` option has a value the files cannot use (message names it)."""


@dataclass(frozen=True)
class DeployOptions:
    """What ``fluxlit build`` was asked for, beyond the app itself."""

    kubernetes: bool = False
    compose: bool = False
    replicas: int = 2
    host: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class DeployPlan:
    """Every value the Dockerfile, Kubernetes and compose templates need, checked."""

    title: str
    name: str
    image: str
    target: str | None
    command: list[str]
    install: Install
    requirement: str
    health_path: str
    ready_path: str
    public_root: str
    shutdown_grace_s: float
    termination_grace_s: int
    redis_env: str | None
    replicas: int
    host: str | None
    warnings: list[str] = field(default_factory=list)


def k8s_name(title: str) -> str:
    """A DNS-1123 label derived from the app title (``My App`` -> ``my-app``)."""
    name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].strip("-")
    return name or "fluxlit-app"


def public_root(resolved: ResolvedApp) -> str:
    """The public mount the app serves under (``/`` when it owns the whole host)."""
    settings = resolved.settings
    return normalize_public_mount(settings.root_path or settings.streamlit_public_path) or "/"


def probe_path(resolved: ResolvedApp, route: str) -> str:
    """Public path of an API health route (``/healthz``): public mount, API prefix, route."""
    settings = resolved.settings
    root = settings.root_path or settings.streamlit_public_path
    return public_api_path(root, settings.api_mount_path, route)


def container_command(target: str | None) -> list[str]:
    """The container's command: ``fluxlit run``, the path a developer runs by hand."""
    return [
        "fluxlit",
        "run",
        *([target] if target else []),
        "--host",
        "0.0.0.0",
        "--port",
        str(CONTAINER_PORT),
        "--no-pidfile",
    ]


def install_mode(project_root: Path) -> Install:
    """``pyproject`` (``pip install .``), ``requirements`` (``-r``), else FluxLit alone."""
    if (project_root / "pyproject.toml").is_file():
        return "pyproject"
    if (project_root / "requirements.txt").is_file():
        return "requirements"
    return "fluxlit"


NOTHING_TO_INSTALL = (
    "{root} has neither pyproject.toml nor requirements.txt: the Dockerfile installs "
    "{requirement} alone (see its TODO line); list the app's dependencies in a "
    "pyproject.toml (see `fluxlit new`) or a requirements.txt and build again"
)


def fluxlit_requirement(resolved: ResolvedApp) -> str:
    """``fluxlit`` with the extras the app uses, pinned to the version generating the files."""
    extras = []
    if resolved.model.auth is not None:
        extras.append("auth")
    if redis_env(resolved) is not None:
        extras.append("redis")
    try:
        pin = f"=={version('fluxlit')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        pin = ""
    return "fluxlit" + (f"[{','.join(extras)}]" if extras else "") + pin


def redis_env(resolved: ResolvedApp) -> str | None:
    """The variable the app reads its Redis URL from, when its session store is Redis."""
    store = resolved.model.session_store
    if store is None or store.kind != "redis":
        return None
    env = store.url_env or "FLUXLIT_REDIS_URL"
    if not ENV_NAME.fullmatch(env):
        raise DeployOptionError(
            f"session_store.url_env: {env!r} is not an environment variable name; "
            "use letters, digits and _ (e.g. REDIS_URL)"
        )
    return env


def project_version(project_root: Path) -> str | None:
    """``[project] version`` from pyproject.toml, when stated there (not dynamic)."""
    try:
        data = tomllib.loads((project_root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = data.get("project", {}).get("version")
    return value if isinstance(value, str) and value else None


def image_tag(text: str) -> str:
    """A version as a Docker tag (``1.0+local`` -> ``1.0-local``)."""
    tag = re.sub(r"[^A-Za-z0-9_.-]", "-", text).lstrip(".-")[:128]
    return tag or FALLBACK_VERSION


def image_reference(option: str | None, name: str, project_root: Path) -> tuple[str, list[str]]:
    """The image to run: ``--image`` (tagged with the version when it has no tag) or NAME:VERSION.

    ``latest`` is refused: a rollout must name the image it rolls out.
    """
    warnings = []
    stated = project_version(project_root)
    if stated is None and not (option and (":" in option.rsplit("/", 1)[-1] or "@" in option)):
        warnings.append(
            f"no [project] version in {project_root / 'pyproject.toml'}: the image is tagged "
            f"{FALLBACK_VERSION}; set the version or pass --image NAME:TAG"
        )
    tag = image_tag(stated or FALLBACK_VERSION)
    if option is None:
        return f"{name}:{tag}", warnings
    match = IMAGE_PATTERN.fullmatch(option)
    if match is None:
        raise DeployOptionError(
            f"--image: {option!r} is not an image reference; expected NAME[:TAG], "
            "e.g. registry.example.com/team/app:1.2.0"
        )
    if match["tag"] == "latest":
        raise DeployOptionError(
            f"--image: {option!r} uses the tag 'latest'; name a version (e.g. "
            f"{match['name']}:{tag}) so a rollout knows which image it runs"
        )
    if match["tag"] or match["digest"]:
        return option, []
    return f"{option}:{tag}", warnings


def termination_grace(shutdown_grace_s: float) -> int:
    """Seconds Kubernetes waits before SIGKILL: the preStop pause, then the app's shutdown.

    The app may take ``shutdown_grace_s`` to close connections and, in sidecar mode,
    as long again to stop its Streamlit child; five seconds more cover the rest.
    """
    return PRESTOP_PAUSE_S + 2 * math.ceil(shutdown_grace_s) + 5


def check_options(options: DeployOptions) -> None:
    """Refuse option values no file could hold, naming the flag and what it accepts."""
    if not 1 <= options.replicas <= 50:
        raise DeployOptionError(f"--replicas: expected 1 to 50, not {options.replicas}")
    if options.host is not None and (
        len(options.host) > 253 or not HOST_PATTERN.fullmatch(options.host)
    ):
        raise DeployOptionError(
            f"--host: {options.host!r} is not a DNS host name; expected e.g. app.example.com "
            "(lowercase letters, digits, dots and dashes)"
        )


def plan_deploy(resolved: ResolvedApp, options: DeployOptions) -> DeployPlan:
    """Check ``options`` and derive every value the deployment files state."""
    check_options(options)
    target = resolved.target
    if target is not None and not re.match(HANDLER_PATTERN, target):
        raise DeployOptionError(f"target {target!r} must look like module:attribute")
    title = resolved.model.title
    name = k8s_name(title)
    image, warnings = image_reference(options.image, name, resolved.project_root)
    install = install_mode(resolved.project_root)
    requirement = fluxlit_requirement(resolved)
    if install == "fluxlit":
        root = resolved.project_root
        warnings.append(NOTHING_TO_INSTALL.format(root=root, requirement=requirement))
    grace = resolved.settings.shutdown_grace_s
    return DeployPlan(
        title=title,
        name=name,
        image=image,
        target=target,
        command=container_command(target),
        install=install,
        requirement=requirement,
        health_path=probe_path(resolved, "/healthz"),
        ready_path=probe_path(resolved, "/readyz"),
        public_root=public_root(resolved),
        shutdown_grace_s=grace,
        termination_grace_s=termination_grace(grace),
        redis_env=redis_env(resolved),
        replicas=options.replicas,
        host=options.host,
        warnings=warnings,
    )
