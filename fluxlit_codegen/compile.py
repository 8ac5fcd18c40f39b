"""``fluxlit compile``: check the resolved app's handlers, render it into ``.fluxlit/build``."""

from __future__ import annotations

from pathlib import Path

from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.render import render_build
from fluxlit_codegen.stamp import write_stamp
from fluxlit_codegen.write import WriteResult, stale_files, write_files

BUILD_DIR = Path(".fluxlit") / "build"


def check_resolved(resolved: ResolvedApp) -> None:
    """Raise ``ManifestError`` listing every handler problem (imports user code)."""
    from fluxlit_codegen.checks import check_handlers

    problems = check_handlers(resolved.model, resolved.project_root, resolved.manifest_path)
    if problems:
        raise ManifestError(problems)


def compile_resolved(
    resolved: ResolvedApp, *, out_dir: Path | None = None, check: bool = False
) -> WriteResult:
    """Write (or with ``check`` only compare) the generated files; returns what changed.

    Writing first checks the handlers (``ManifestError`` on problems, nothing written);
    ``check`` only compares output, so it imports no user code.
    """
    target = out_dir or resolved.project_root / BUILD_DIR
    if not check:
        check_resolved(resolved)
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
