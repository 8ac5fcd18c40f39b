"""Load optional project defaults from ``fluxlit.toml`` or ``pyproject.toml``."""

from __future__ import annotations

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

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> ProjectConfig:
        """The known keys of ``table`` that have the right type (others are ignored)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = table.get(f.name)
            expected = _KNOWN_TYPES[f.name]
            if isinstance(raw, expected) and not (expected is int and isinstance(raw, bool)):
                values[f.name] = raw
        return cls(**values)


_KNOWN_TYPES: dict[str, type] = {
    "target": str,
    "gateway_host": str,
    "gateway_port": int,
    "log_level": str,
    "api_mount_path": str,
    "root_path": str,
}


def load_project_config(cwd: str | Path | None = None) -> ProjectConfig | None:
    """Parse ``fluxlit.toml`` or ``[tool.fluxlit]`` in ``pyproject.toml``.

    ``fluxlit.toml`` takes precedence when both exist. Returns ``None`` when neither
    file exists, the section is missing, the TOML is invalid or the value is not a table.
    Keys of the wrong type are ignored like unknown keys. A view on the one project-file
    reader, ``fluxlit_codegen.manifest.read_project_file``.
    """
    from fluxlit_codegen.errors import ManifestError
    from fluxlit_codegen.manifest import project_config, read_project_file

    base = Path(cwd) if cwd is not None else Path.cwd()
    try:
        return project_config(read_project_file(base))
    except ManifestError:
        return None


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
