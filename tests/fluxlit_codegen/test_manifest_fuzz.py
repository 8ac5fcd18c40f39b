"""Whatever the manifest holds, loading gives a model or a ManifestError, never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fluxlit.model import AppModel
from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

SCALARS = st.one_of(
    st.integers(-(2**31), 2**31),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["/", "/x", "a:b", "pages.home", "GET", "redis", "memory", "FETCH"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
TOP = ["title", "gateway_port", "log_level", "target", "titel", "runtime_mode"]
ENTRY = ["path", "handler", "script", "methods", "auth", "app", "static", "html", "tags", "x"]
TABLES = st.sampled_from(["pages", "routes", "mounts"])


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value)


@settings(max_examples=150, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(TOP), VALUES, max_size=3),
    entries=st.lists(
        st.tuples(TABLES, st.dictionaries(st.sampled_from(ENTRY), VALUES, max_size=4)),
        max_size=4,
    ),
    store=st.dictionaries(st.sampled_from(["kind", "url_env", "ttl_seconds", "url"]), VALUES),
)
def test_load_never_raises_anything_else(
    top: dict[str, Any], entries: list[tuple[str, dict[str, Any]]], store: dict[str, Any]
) -> None:
    lines = [f"{key} = {_value(value)}" for key, value in top.items()]
    for table, values in entries:
        lines.append(f"[[{table}]]")
        lines += [f"{key} = {_value(value)}" for key, value in values.items()]
    if store:
        lines.append("[session_store]")
        lines += [f"{key} = {_value(value)}" for key, value in store.items()]
    with tempfile.TemporaryDirectory() as folder:
        manifest = Path(folder) / "fluxlit.toml"
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            assert isinstance(load_manifest(manifest), AppModel)
        except ManifestError as error:
            assert error.problems, "a ManifestError always lists at least one problem"
            assert all(p.line >= 1 and p.column >= 1 for p in error.problems)
