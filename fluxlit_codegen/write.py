"""Write generated files atomically: all or nothing, and unchanged files left alone."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fluxlit.errors import UserError


class WriteError(UserError):
    """Generated files could not be written; nothing was replaced."""


@dataclass
class WriteResult:
    """Which files changed and which already matched."""

    out_dir: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def stale_files(files: dict[str, str], out_dir: Path) -> list[str]:
    """Names whose content on disk differs from ``files`` (missing counts as stale)."""
    return [name for name, text in files.items() if _current(out_dir / name) != text.encode()]


def _default_mode() -> int:
    """The mode ``open()`` would give a new file: 0o666 less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_files(files: dict[str, str], out_dir: Path) -> WriteResult:
    """Write changed files: every temp file first, then swap them all in.

    If any write fails (full disk, permissions), temp files are removed and no file in
    ``out_dir`` is replaced; ``WriteError`` names the path and the cause.
    """
    result = WriteResult(out_dir)
    changed = stale_files(files, out_dir)
    result.unchanged = [name for name in files if name not in changed]
    if not changed:
        return result
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create {out_dir}: {exc.strerror}") from None
    temps: dict[str, str] = {}
    mode = _default_mode()  # mkstemp creates 0600 files; generated files are ordinary ones
    try:
        for name in changed:
            fd, temp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            temps[name] = temp
            os.chmod(temp, mode)
            with os.fdopen(fd, "wb") as fh:
                fh.write(files[name].encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)
        target = out_dir / name
        raise WriteError(
            f"cannot write {target}: {exc.strerror or exc}; nothing was changed"
        ) from None
    for name in changed:
        os.replace(temps[name], out_dir / name)
    result.written = changed
    return result
