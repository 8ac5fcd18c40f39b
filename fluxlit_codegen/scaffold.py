"""``fluxlit new NAME --profile P``: copy a project scaffold from the packaged templates."""

from __future__ import annotations

import re
import secrets
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from fluxlit.errors import UserError
from fluxlit.model import AppModel
from fluxlit_codegen.deploy import DeployError, DeployOptions, k8s_name, write_deploy_files
from fluxlit_codegen.project import ResolvedApp

PROFILES = ("minimal", "manifest", "multipage", "auth", "deploy")
#: Template folders copied in order, later ones overwriting; default: the profile alone.
LAYERS = {"deploy": ("minimal", "deploy")}
#: The app each Python profile's ``app.py`` defines (what the deploy files run).
TARGET = "app:app"
#: What no project should commit: build output, the PID file, local secrets, caches.
GITIGNORE = (
    ".fluxlit/",
    ".fluxlit.pid",
    ".env",
    "__pycache__/",
    "*.py[cod]",
    ".pytest_cache/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".venv/",
)


class ScaffoldError(UserError):
    """The scaffold cannot be created (unknown profile, folder not empty, bad name)."""


def _copy(source: Traversable, target: Path, replacements: dict[str, str]) -> None:
    for item in source.iterdir():
        if item.name == "__pycache__":
            continue
        destination = target / item.name
        if item.is_dir():
            destination.mkdir(exist_ok=True)
            _copy(item, destination, replacements)
            continue
        text = item.read_text(encoding="utf-8")
        for placeholder, value in replacements.items():
            text = text.replace(placeholder, value)
        destination.write_text(text, encoding="utf-8")


def scaffold(target: Path, profile: str) -> Path:
    """Create ``target`` from ``profile``; returns the new folder."""
    if profile not in PROFILES:
        raise ScaffoldError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty; pick a new folder")
    title = target.name.replace("-", " ").replace("_", " ").strip().title()
    if not title or not re.fullmatch(r"[\w .-]+", title):
        raise ScaffoldError(
            f"use a simple folder name (letters, digits, - and _), not {target.name!r}"
        )
    target.mkdir(parents=True, exist_ok=True)
    replacements = {"__TITLE__": title, "__SLUG__": k8s_name(title)}
    templates = resources.files("fluxlit_codegen.templates").joinpath("new")
    for layer in LAYERS.get(profile, (profile,)):
        _copy(templates.joinpath(layer), target, replacements)
    (target / ".gitignore").write_text("\n".join(GITIGNORE) + "\n", encoding="utf-8")
    if profile == "auth":
        _write_dev_env(target)
    if profile == "deploy":
        _write_deploy_files(target, title)
    return target


def _write_dev_env(target: Path) -> None:
    """A ``.env`` with this project's own random development secret (git-ignored)."""
    text = (
        "# Development settings, read by FluxLit from this folder; never commit this file.\n"
        "# Production sets FLUXLIT_JWT_HS256_SECRET (or FLUXLIT_JWT_JWKS_URL) in the environment.\n"
        f"FLUXLIT_JWT_HS256_SECRET={secrets.token_urlsafe(48)}\n"
    )
    path = target / ".env"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def _write_deploy_files(target: Path, title: str) -> None:
    """What ``fluxlit build --kubernetes --compose`` writes for the app, without importing it."""
    model = AppModel(title=title, target=TARGET)
    resolved = ResolvedApp(model, TARGET, "", target.resolve())
    try:
        write_deploy_files(resolved, target, DeployOptions(kubernetes=True, compose=True))
    except DeployError as exc:
        raise ScaffoldError(str(exc)) from None
