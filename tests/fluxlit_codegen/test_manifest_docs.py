"""The manifest examples in the docs are real: each one loads, the error example is exact."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "manifest.md").read_text(encoding="utf-8")
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", DOC, flags=re.S)
ERRORS_AT = DOC.index("## Errors")


def manifest_examples() -> dict[str, str]:
    """``{"file:line": block}`` for every TOML block in the README and docs/.

    All of them are (parts of) manifests, except the error example in docs/manifest.md.
    """
    found = {}
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"```toml\n(.*?)```", text, flags=re.S):
            if path.name == "manifest.md" and match.start() > ERRORS_AT:
                continue
            line = text.count("\n", 0, match.start()) + 2
            found[f"{path.relative_to(ROOT)}:{line}"] = match.group(1)
    return found


EXAMPLES = manifest_examples()


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=[str(i) for i in range(len(TOML_BLOCKS))])
def test_every_toml_example_parses(block: str) -> None:
    tomllib.loads(block)


JWT = """
[auth.jwt]
issuer = "https://login.example.com/"
audience = "demo"
hs256_secret_env = "DEMO_JWT_SECRET"
"""


def completed(block: str) -> str:
    """A documented fragment made a whole manifest with the least it needs.

    ``[pages.page_meta]`` belongs to a ``[[pages]]`` entry above it and a ``[navigation]``
    order names pages that must exist: both get script pages in front. Routes that
    require auth get the ``[auth.jwt]`` table that checks their tokens.
    """
    table = tomllib.loads(block)
    paths: list[str] = []
    if not isinstance(table.get("pages", []), list):
        paths = ["/"]  # [pages.page_meta] alone
    elif "pages" not in table:
        paths = table.get("navigation", {}).get("order", [])
    pages = "".join(f'[[pages]]\npath = "{path}"\nscript = "page.py"\n\n' for path in paths)
    needs_jwt = any(route.get("auth") for route in table.get("routes", []))
    return pages + block + (JWT if needs_jwt and "auth" not in table else "")


@pytest.mark.parametrize("where", sorted(EXAMPLES))
def test_every_example_loads_as_a_manifest(tmp_path: Path, where: str) -> None:
    """Each example goes through the real front end, and every entry it declares survives."""
    text = completed(EXAMPLES[where])
    manifest = tmp_path / "fluxlit.toml"
    manifest.write_text(text, encoding="utf-8")
    model = load_manifest(manifest)
    table = tomllib.loads(text)
    assert len(model.pages) == len(table.get("pages", []))
    assert len(model.routes) == len(table.get("routes", []))
    assert len(model.mounts) == len(table.get("mounts", []))
    if "title" in table:
        assert model.title == table["title"]


def test_examples_cover_the_documented_tables() -> None:
    """The loaded examples show every table of the manifest at least once."""
    shown = {key for block in EXAMPLES.values() for key in tomllib.loads(block)}
    assert {"settings", "pages", "navigation", "routes", "mounts", "auth"} <= shown
    assert {"session_store", "title", "target"} <= shown


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
