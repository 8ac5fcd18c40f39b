"""Find out what app a folder holds: a declarative manifest app or a Python app."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxlit.config.project import DEFAULT_TARGET
from fluxlit.errors import UserError
from fluxlit.model import AppModel
from fluxlit_codegen.manifest import (
    find_manifest,
    is_declarative,
    load_manifest,
    manifest_source_hash,
    read_table,
)

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


class ProjectError(UserError):
    """The folder holds no app FluxLit can load (message says what to do)."""


@dataclass
class ResolvedApp:
    """An app ready to compile: its model, where it came from, and its hash."""

    model: AppModel
    source_label: str
    source_hash: str
    project_root: Path
    manifest_path: Path | None = None
    fluxlit: FluxLit[Any] | None = None

    @property
    def is_manifest(self) -> bool:
        return self.manifest_path is not None


def resolve_app(target: str | None, cwd: Path) -> ResolvedApp:
    """A manifest app when ``fluxlit.toml`` declares pages/routes/mounts, else a Python app.

    Python apps are found by ``target``, then the manifest's ``target``, then ``app:app``.
    Raises ``ManifestError`` for a bad manifest and ``ProjectError`` otherwise.
    """
    root = cwd.resolve()
    manifest = find_manifest(root)
    table: dict[str, Any] = {}
    if manifest is not None:
        table, _, _ = read_table(manifest)
        model = load_manifest(manifest)  # typos are reported even in seed-only files
        if is_declarative(table) and not target:
            digest = manifest_source_hash(manifest)
            return ResolvedApp(model, manifest.name, digest, root, manifest)
    chosen = target or (table.get("target") if isinstance(table.get("target"), str) else None)
    chosen = chosen or DEFAULT_TARGET
    from fluxlit.runtime.loading import load_fluxlit

    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("FLUXLIT_APP", chosen)
    try:
        fl = load_fluxlit(chosen)
    except (ValueError, ModuleNotFoundError, AttributeError, TypeError) as exc:
        hint = "" if manifest else " (or add a fluxlit.toml declaring [[pages]] and [[routes]])"
        raise ProjectError(f"cannot load the app {chosen!r}: {exc}{hint}") from None
    model = fl.model(target=chosen)
    digest = hashlib.sha256(model.to_json().encode()).hexdigest()
    return ResolvedApp(model, chosen, digest, root, None, fl)
