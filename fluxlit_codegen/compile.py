"""``fluxlit compile``: render the resolved app into ``.fluxlit/build``."""

from __future__ import annotations

from pathlib import Path

from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.render import render_build
from fluxlit_codegen.stamp import write_stamp
from fluxlit_codegen.write import WriteResult, stale_files, write_files

BUILD_DIR = Path(".fluxlit") / "build"


def compile_resolved(
    resolved: ResolvedApp, *, out_dir: Path | None = None, check: bool = False
) -> WriteResult:
    """Write (or with ``check`` only compare) the generated files; returns what changed."""
    target = out_dir or resolved.project_root / BUILD_DIR
    files = render_build(
        resolved.model,
        source=resolved.source_label,
        source_hash=resolved.source_hash,
        out_dir=target,
        project_root=resolved.project_root,
    )
    if check:
        result = WriteResult(target)
        result.stale = stale_files(files, target)
        return result
    written = write_files(files, target)
    if resolved.manifest_path is not None and resolved.manifest_path.name == "fluxlit.toml":
        write_stamp(target, resolved.manifest_path, files)
    return written
