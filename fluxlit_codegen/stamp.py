"""A build stamp so an unchanged project recompiles in milliseconds (stdlib only).

The stamp records the manifest's hash, a fingerprint of the generator (FluxLit's
version, its build templates, and the size and mtime of the compiler's source files)
and the hash of every generated file. If all of
them still match, ``fluxlit compile`` has nothing to do and says so without
importing the compiler.
"""

from __future__ import annotations

import hashlib
import json
from importlib import util
from pathlib import Path

STAMP_NAME = ".stamp.json"
BUILD_DIR = Path(".fluxlit") / "build"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


RUNTIME_SOURCES = ("model.py", "paths.py", "pages/manifest.py")
"""Runtime modules (below ``fluxlit/``) whose code shapes the generated files."""


def compiler_sources() -> list[Path]:
    """The Python files whose code decides what ``fluxlit compile`` writes."""
    import fluxlit

    own = Path(__file__).resolve().parent
    runtime = Path(fluxlit.__file__).resolve().parent
    return sorted(own.glob("*.py")) + [runtime / name for name in RUNTIME_SOURCES]


def generator_fingerprint() -> str:
    """FluxLit's version, the build templates' content and the compiler sources' stat.

    Source files count by size and modification time (a ``stat``, not a read), which
    is enough to notice an upgrade or an edit and keeps the no-op compile fast.
    """
    from fluxlit import __version__

    digest = hashlib.sha256(__version__.encode())
    spec = util.find_spec("fluxlit_codegen.templates")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for template in sorted(Path(location, "build").glob("*.j2")):
            digest.update(template.read_bytes())
    for source in compiler_sources():
        try:
            info = source.stat()
        except OSError:
            continue
        digest.update(f"{source.name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()


def stamp_text(source: Path, files: dict[str, str]) -> str:
    """The stamp for ``files`` generated from ``source``, as deterministic JSON."""
    stamp = {
        "source": source.name,
        "source_sha256": _sha256(source.read_bytes()),
        "generator": generator_fingerprint(),
        "files": {name: _sha256(text.encode()) for name, text in sorted(files.items())},
    }
    return json.dumps(stamp, indent=2, sort_keys=True) + "\n"


def write_stamp(out_dir: Path, source: Path, files: dict[str, str]) -> bool:
    """Record what ``out_dir`` was generated from; atomic, and only when it changed.

    Returns whether the stamp file was (re)written.
    """
    from fluxlit_codegen.write import write_files

    return bool(write_files({STAMP_NAME: stamp_text(source, files)}, out_dir).written)


def build_is_current(project_root: Path) -> bool:
    """True when the manifest, the generator and every generated file match the stamp."""
    out_dir = project_root / BUILD_DIR
    try:
        stamp = json.loads((out_dir / STAMP_NAME).read_text())
        source = project_root / stamp["source"]
        if source.name != "fluxlit.toml" or _sha256(source.read_bytes()) != stamp["source_sha256"]:
            return False
        if stamp["generator"] != generator_fingerprint():
            return False
        return all(
            _sha256((out_dir / name).read_bytes()) == digest
            for name, digest in stamp["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
