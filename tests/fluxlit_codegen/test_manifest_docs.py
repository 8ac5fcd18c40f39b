"""The examples in docs/manifest.md are real: TOML blocks parse, the error example is exact."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

DOC = (Path(__file__).resolve().parents[2] / "docs" / "manifest.md").read_text(encoding="utf-8")
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=[str(i) for i in range(len(TOML_BLOCKS))])
def test_every_toml_example_parses(block: str) -> None:
    tomllib.loads(block)


def test_the_first_example_is_a_valid_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(TOML_BLOCKS[1], encoding="utf-8")  # [0] is the schema comment
    assert load_manifest(manifest).pages


def test_the_error_example_prints_what_the_doc_says(tmp_path: Path) -> None:
    errors = DOC[DOC.index("## Errors") :]
    text, printed = re.findall(r"```(?:toml)?\n(.*?)```", errors, flags=re.S)[:2]
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_manifest(manifest)
    assert str(error.value) + "\n" == printed


SECTIONS = {
    "ManifestModel": "Top-level keys",
    "PageTable": "`[[pages]]`",
    "PageMetaTable": "`[pages.page_meta]`",
    "NavigationTable": "`[navigation]`",
    "RouteTable": "`[[routes]]`",
    "RouteAuthTable": "Route `auth` table",
    "MountTable": "`[[mounts]]`",
    "JWTTable": "`[auth.jwt]`",
    "OIDCTable": "`[auth.oidc]`",
    "SessionStoreTable": "`[session_store]`",
}
"""Each manifest table (pydantic model) and the docs section that documents its keys."""
OWN_SECTION = {
    ("ManifestModel", "settings"): "`[settings]`",
    ("ManifestModel", "pages"): "`[[pages]]`",
    ("ManifestModel", "navigation"): "`[navigation]`",
    ("ManifestModel", "routes"): "`[[routes]]`",
    ("ManifestModel", "mounts"): "`[[mounts]]`",
    ("ManifestModel", "session_store"): "`[session_store]`",
    ("ManifestModel", "auth"): "`[auth.jwt]`",
    ("AuthTable", "jwt"): "`[auth.jwt]`",
    ("AuthTable", "oidc"): "`[auth.oidc]`",
    ("PageTable", "page_meta"): "`[pages.page_meta]`",
}
"""Table-valued keys: documented by a section of their own rather than a table row."""


def section(heading: str) -> str:
    """The text under ``## heading`` / ``### heading``, up to the next heading."""
    match = re.search(rf"^#{{2,3}} {re.escape(heading)}\n(.*?)(?=^#{{2,3}} |\Z)", DOC, re.M | re.S)
    assert match, f"docs/manifest.md has no section {heading!r}"
    return match.group(1)


def documented_rows(text: str) -> set[str]:
    """Keys named in the first cell of a table's rows (``| `name`, `summary` | ...``)."""
    rows = re.findall(r"^\| ([^|]+) \|", text, flags=re.M)
    return {key for cell in rows for key in re.findall(r"`([^`]+)`", cell)}


def test_every_key_is_a_row_in_its_tables_section() -> None:
    from fluxlit_codegen import manifest_schema

    missing = []
    for model_name, heading in SECTIONS.items():
        rows = documented_rows(section(heading))
        for key in getattr(manifest_schema, model_name).model_fields:
            if (model_name, key) in OWN_SECTION:
                section(OWN_SECTION[(model_name, key)])
            elif key not in rows:
                missing.append(f"{heading}: {key}")
    assert missing == [], "add a table row for each key in its section"


def test_every_table_of_the_manifest_has_a_section() -> None:
    """A new table (pydantic model) in the manifest needs an entry in SECTIONS and docs."""
    from pydantic import BaseModel

    from fluxlit_codegen import manifest_schema

    tables = {
        name
        for name, obj in vars(manifest_schema).items()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__ == manifest_schema.__name__
        and not name.startswith("_")
    }
    assert tables - {"AuthTable"} == set(SECTIONS)
