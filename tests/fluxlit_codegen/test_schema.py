"""The JSON Schema is current, valid draft 2020-12, described, and agrees with the loader."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluxlit.paths import URL_PATH_PATTERN, url_path_problem
from fluxlit_codegen.schema import (
    SCHEMA_PATH,
    manifest_json_schema,
    render_schema,
)
from tests.helpers.ci import require_module

jsonschema = require_module("jsonschema")
MANIFESTS = Path(__file__).parent / "manifests"


def test_checked_in_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "schemas/fluxlit.schema.json is stale: run python -m fluxlit_codegen.schema"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    schema = manifest_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            yield f"{where}.{name}", prop
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _properties(item, where)


def test_every_key_has_a_description() -> None:
    undescribed = [
        name for name, prop in _properties(manifest_json_schema()) if not prop.get("description")
    ]
    assert undescribed == []


@pytest.mark.parametrize("name", ["full.toml", "existing_apps.toml"])
def test_fixture_manifests_validate(name: str) -> None:
    data = tomllib.loads((MANIFESTS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(manifest_json_schema()).validate(data)


@pytest.mark.parametrize(
    "data",
    [
        {"titel": "x"},
        {"pages": [{"path": "/", "handler": "pages.home"}]},
        {"routes": [{"path": "/x", "handler": "a:b", "methods": ["FETCH"]}]},
        {"settings": {"runtime_mod": "sidecar"}},
        {"settings": {"jwt_hs256_secret": "inline"}},
        {"session_store": {"kind": "disk"}},
        {"gateway_port": 70000},
    ],
    ids=["unknown", "handler", "method", "setting", "secret-setting", "store", "port"],
)
def test_schema_rejects_what_the_loader_rejects(data: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(manifest_json_schema())
    assert list(validator.iter_errors(data)), data


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("/.a%4F ~-_\"'{}?#\\é:@")), max_size=12).map(str.strip)
)
def test_url_path_pattern_agrees_with_the_loader(value: str) -> None:
    """Editors flag exactly the paths the loader refuses (for values without spaces around)."""
    accepted_by_schema = re.fullmatch(URL_PATH_PATTERN, value) is not None
    assert accepted_by_schema == (url_path_problem(value) is None), value


def test_editors_flag_a_bad_api_mount_path() -> None:
    validator = jsonschema.Draft202012Validator(manifest_json_schema())
    assert validator.is_valid({"api_mount_path": "/backend", "root_path": "/apps/demo"})
    assert not validator.is_valid({"api_mount_path": '/x"""; import os'})
    assert not validator.is_valid({"root_path": "/apps/../etc"})
