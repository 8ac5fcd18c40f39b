"""The checked-in JSON Schema matches the manifest models."""

from __future__ import annotations

import json

from fluxlit_codegen.schema import SCHEMA_PATH, manifest_json_schema, render_schema


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "schemas/fluxlit.schema.json is stale: run `python -m fluxlit_codegen.schema`"
    )


def test_schema_describes_every_table() -> None:
    schema = manifest_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"pages", "routes", "mounts", "auth", "session_store", "navigation", "settings"} <= set(
        schema["properties"]
    )
    assert schema["additionalProperties"] is False
    page = schema["$defs"]["PageTable"]
    assert page["required"] == ["path"] and "handler" in page["properties"]
    json.dumps(schema)
