"""Resolve the app a folder holds, once per command: the one object every entry point uses.

``resolve_app`` reads the project file once (``fluxlit.toml`` or ``[tool.fluxlit]``),
picks a manifest app or a Python target, imports the Python app with the project file
installed as the lowest settings layer, and applies the command's flags on top. The
precedence is documented in docs/running.md.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxlit.config.env_vars import unknown_variable_warnings
from fluxlit.config.overrides import with_overrides
from fluxlit.config.project import DEFAULT_TARGET, ProjectConfig
from fluxlit.config.settings import FluxlitSettings, load_settings, project_settings
from fluxlit.errors import UserError
from fluxlit.model import AppModel
from fluxlit_codegen.manifest import manifest_model, project_config, read_project_file

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


class ProjectError(UserError):
    """The folder holds no app FluxLit can load (message says what to do)."""


@dataclass
class ResolvedApp:
    """The app a command works on: its model, where it came from, and its settings.

    ``settings`` is the effective configuration (defaults, project file, ``.env``,
    environment, settings given in code, the command's flags); ``project_settings`` is
    the project file's layer alone; ``fluxlit`` is the imported Python app (``None``
    for a manifest app); ``warnings`` lists unknown ``FLUXLIT_*`` variables.
    """

    model: AppModel
    source_label: str
    source_hash: str
    project_root: Path
    manifest_path: Path | None = None
    fluxlit: FluxLit[Any] | None = None
    settings: FluxlitSettings = field(default_factory=FluxlitSettings)
    project_settings: dict[str, Any] = field(default_factory=dict)
    project: ProjectConfig | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def is_manifest(self) -> bool:
        return self.manifest_path is not None

    @property
    def target(self) -> str | None:
        """``module:attr`` of a Python app (``None`` for a manifest app)."""
        return None if self.is_manifest else self.source_label


def resolve_app(
    target: str | None, cwd: Path, *, overrides: Mapping[str, Any] | None = None
) -> ResolvedApp:
    """A manifest app when the project file declares pages/routes/mounts, else a Python app.

    Python apps are found by ``target``, then the project file's ``target``, then
    ``app:app``. ``overrides`` are settings from the command line (highest layer).
    Raises ``ManifestError`` for a bad project file and ``ProjectError`` otherwise.
    """
    root = cwd.resolve()
    found = read_project_file(root)
    declared = manifest_model(found) if found is not None else None  # also seed-only files
    layer = dict(declared.settings) if declared is not None else {}
    common: dict[str, Any] = {
        "project_root": root,
        "project_settings": layer,
        "project": project_config(found),
        "warnings": unknown_variable_warnings(os.environ),
    }
    with project_settings(layer):
        environment = load_settings()  # a bad FLUXLIT_* value: one line each, before any import
        if found is not None and declared is not None and found.declarative and not target:
            settings = with_overrides(environment, overrides or {})
            return ResolvedApp(
                declared,
                found.path.name,
                found.source_hash,
                manifest_path=found.path,
                settings=settings,
                **common,
            )
        chosen = target or (declared.target if declared is not None else None) or DEFAULT_TARGET
        fl = _import_app(chosen, root, has_project_file=found is not None)
        if overrides:
            fl.settings = with_overrides(fl.settings, overrides)
        model = fl.model(target=chosen)
    digest = hashlib.sha256(model.to_json().encode()).hexdigest()
    return ResolvedApp(model, chosen, digest, fluxlit=fl, settings=fl.settings, **common)


def _import_app(target: str, root: Path, *, has_project_file: bool) -> FluxLit[Any]:
    from fluxlit.loading import AppTargetError, load_fluxlit

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return load_fluxlit(target)
    except AppTargetError as exc:
        hint = "" if has_project_file else " (or add a fluxlit.toml declaring [[pages]]/[[routes]])"
        raise ProjectError(f"cannot load the app {target!r}: {exc}{hint}") from None
