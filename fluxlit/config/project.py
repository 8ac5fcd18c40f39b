"""Load optional project defaults from ``fluxlit.toml`` or ``pyproject.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_TARGET = "app:app"


@dataclass(frozen=True)
class ProjectConfig:
    """Structured defaults read from a project file (not environment).

    Filled from top-level keys of ``fluxlit.toml`` or ``[tool.fluxlit]`` in
    ``pyproject.toml``; only the known keys below are kept.
    """

    target: str | None = None
    gateway_host: str | None = None
    gateway_port: int | None = None
    log_level: str | None = None
    api_mount_path: str | None = None
    root_path: str | None = None


_KNOWN_TYPES: dict[str, type] = {
    "target": str,
    "gateway_host": str,
    "gateway_port": int,
    "log_level": str,
    "api_mount_path": str,
    "root_path": str,
}


def _read_toml(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return data


def project_table(cwd: str | Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """Return ``(file, table)`` for the project's FluxLit table, or ``None``.

    ``fluxlit.toml`` wins over ``pyproject.toml`` ``[tool.fluxlit]``.
    """
    base = Path(cwd) if cwd is not None else Path.cwd()
    manifest = base / "fluxlit.toml"
    if manifest.is_file():
        data = _read_toml(manifest)
        return (manifest, data) if isinstance(data, dict) else None
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        if not isinstance(data, dict):
            return None
        tool = data.get("tool")
        section = tool.get("fluxlit") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            return pyproject, section
    return None


def load_project_config(cwd: str | Path | None = None) -> ProjectConfig | None:
    """Parse ``fluxlit.toml`` or ``[tool.fluxlit]`` in ``pyproject.toml``.

    ``fluxlit.toml`` takes precedence when both exist. Returns ``None`` when neither
    file exists, the section is missing, the TOML is invalid or the value is not a table.
    Keys of the wrong type are ignored like unknown keys.
    """
    found = project_table(cwd)
    if found is None:
        return None
    _, table = found
    values: dict[str, Any] = {}
    for f in fields(ProjectConfig):
        raw = table.get(f.name)
        expected = _KNOWN_TYPES[f.name]
        if isinstance(raw, expected) and not (expected is int and isinstance(raw, bool)):
            values[f.name] = raw
    return ProjectConfig(**values)


def resolve_binding(
    *,
    cli_host: str | None,
    cli_port: int | None,
    cli_log_level: str | None,
    pc: ProjectConfig | None,
    settings_gateway_host: str,
    settings_gateway_port: int,
    settings_log_level: str,
) -> tuple[str, int, str]:
    """Resolve host, port and log level: CLI, then project file, then settings."""
    host = cli_host or (pc.gateway_host if pc else None) or settings_gateway_host
    if cli_port is not None:
        port = cli_port
    elif pc is not None and pc.gateway_port is not None:
        port = pc.gateway_port
    else:
        port = settings_gateway_port
    log_level = cli_log_level or (pc.log_level if pc else None) or settings_log_level
    return host, port, log_level


def resolve_target(cli_target: str | None, pc: ProjectConfig | None) -> str:
    """Pick the app import target: CLI argument, then project file, then ``app:app``."""
    if cli_target:
        return cli_target
    if pc is not None and pc.target:
        return pc.target
    return DEFAULT_TARGET
