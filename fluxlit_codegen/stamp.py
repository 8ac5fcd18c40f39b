"""A build stamp so an unchanged project recompiles in milliseconds (stdlib only).

The stamp records the manifest's hash, a fingerprint of the generator (FluxLit's
version and its build templates) and the hash of every generated file. If all of
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


def generator_fingerprint() -> str:
    """FluxLit's version plus the content of the build templates."""
    from fluxlit import __version__

    digest = hashlib.sha256(__version__.encode())
    spec = util.find_spec("fluxlit_codegen.templates")
    for location in (spec.submodule_search_locations or []) if spec else []:
        for template in sorted(Path(location, "build").glob("*.j2")):
            digest.update(template.read_bytes())
    return digest.hexdigest()


def write_stamp(out_dir: Path, source: Path, files: dict[str, str]) -> None:
    """Record what ``out_dir`` was generated from (called after a successful write)."""
    stamp = {
        "source": source.name,
        "source_sha256": _sha256(source.read_bytes()),
        "generator": generator_fingerprint(),
        "files": {name: _sha256(text.encode()) for name, text in sorted(files.items())},
    }
    (out_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n")


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
