"""``ServeOptions``: what ``fluxlit run``, ``dev`` and ``workbench`` were asked to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

RELOAD_SCOPES = ("gateway", "full")


@dataclass(frozen=True)
class ServeOptions:
    """One serve request: the app, flags that override settings, and how to serve.

    ``host``, ``port``, ``log_level``, ``log_format``, ``mode``, ``debug``,
    ``proxy_headers`` and ``forwarded_allow_ips`` are settings given on the command line
    (``None``/``False`` leave the setting alone); the rest only concern this run.
    """

    target: str | None = None
    host: str | None = None
    port: int | None = None
    log_level: str | None = None
    mode: str | None = None
    debug: bool = False
    proxy_headers: bool = False
    forwarded_allow_ips: str | None = None
    reload: bool = False
    reload_scope: str = "gateway"
    pidfile: Path | None = None
    no_pidfile: bool = False
    workbench: bool = False
    workers: int = 1
    log_format: str | None = None
    project_root: Path | None = None

    def settings_overrides(self) -> dict[str, Any]:
        """The flags as ``FluxlitSettings`` fields (the highest settings layer)."""
        values: dict[str, Any] = {
            "gateway_host": self.host,
            "gateway_port": self.port,
            "log_level": self.log_level,
            "log_format": self.log_format,
            "runtime_mode": self.mode,
            "forwarded_allow_ips": self.forwarded_allow_ips,
        }
        overrides = {key: value for key, value in values.items() if value is not None}
        if self.debug:
            overrides["debug"] = True
        if self.proxy_headers or self.workbench:
            overrides["trust_proxy"] = True
        return overrides

    @property
    def root(self) -> Path:
        """The project folder (the working directory unless given)."""
        return self.project_root or Path.cwd()
