"""docs/manifest.md documents every key of the manifest schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fluxlit_codegen.schema import manifest_json_schema

DOC = (Path(__file__).resolve().parents[2] / "docs" / "manifest.md").read_text(encoding="utf-8")


def _keys(schema: dict[str, Any]) -> set[str]:
    keys = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        keys |= set(definition.get("properties", {}))
    return keys


def test_every_key_is_documented() -> None:
    missing = sorted(key for key in _keys(manifest_json_schema()) if f"`{key}`" not in DOC)
    assert missing == [], f"document these keys in docs/manifest.md: {missing}"
