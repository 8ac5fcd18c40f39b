"""JSON Schema for ``fluxlit.toml``, generated from the manifest models.

``python -m fluxlit_codegen.schema`` rewrites ``schemas/fluxlit.schema.json`` and the
docs' ``manifest-tables/`` pages; a test fails when either checked-in copy is stale.
Wheels carry the file as package data in ``fluxlit_codegen.schemas`` (see
``pyproject.toml``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fluxlit_codegen.manifest_schema import ManifestModel

SCHEMA_ID = "https://fluxlit.dev/schemas/fluxlit.schema.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "fluxlit.schema.json"
"""The checked-in copy in a source checkout."""


def manifest_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) editors use to validate ``fluxlit.toml``."""
    schema = ManifestModel.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def render_schema() -> str:
    """The schema as the exact text checked in (sorted keys, trailing newline)."""
    return json.dumps(manifest_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    from fluxlit_codegen.manifest_pages import write_pages

    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    pages = write_pages()  # the docs site's page per table comes from the same schema
    print(f"wrote {len(pages)} pages in docs/manifest-tables/")
