"""``fluxlit new NAME --profile P``: copy a project scaffold from the packaged templates."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from fluxlit_codegen.deploy import k8s_name
from fluxlit_codegen.render import render_template

PROFILES = ("minimal", "manifest", "multipage", "auth", "deploy")


class ScaffoldError(Exception):
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
    _copy(
        resources.files("fluxlit_codegen.templates").joinpath("new", profile), target, replacements
    )
    if profile == "deploy":
        (target / "Dockerfile").write_text(
            render_template("deploy/Dockerfile.j2", title=title, target="app:app"), encoding="utf-8"
        )
        (target / ".dockerignore").write_text(render_template("deploy/dockerignore.j2"))
        (target / "k8s").mkdir()
        (target / "k8s" / "app.yaml").write_text(
            render_template("deploy/kubernetes.yaml.j2", title=title, name=k8s_name(title))
        )
    return target
