"""The docs site builds with ``mkdocs build --strict``, and its generated pages are current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fluxlit_codegen.manifest_pages import PAGES_DIR, render_pages, write_pages
from tests.helpers.ci import require_module

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_table_pages_are_in_sync_with_the_schema() -> None:
    checked_in = {p.name: p.read_text(encoding="utf-8") for p in PAGES_DIR.glob("*.md")}
    assert checked_in == render_pages(), (
        "docs/manifest-tables/ is stale: run `python -m fluxlit_codegen.schema`"
    )


def test_every_table_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    missing = [name for name in render_pages() if f"manifest-tables/{name}" not in config]
    assert missing == [], f"add these to the nav in mkdocs.yml: {missing}"


def test_a_table_page_names_each_key_its_type_and_default() -> None:
    pages = render_pages()
    assert (
        "| `gateway_port` | integer (≥ 1, ≤ 65535) |  | Port the server listens on. |"
        in (pages["top-level.md"])
    )
    assert "| `path` | string | required |" in pages["pages.md"]
    assert "[`[pages.page_meta]`](pages-page_meta.md)" in pages["pages.md"]
    assert '| `kind` | one of `"memory"`, `"redis"` | `"memory"` |' in pages["session_store.md"]
    assert "| `runtime_mode` |" in pages["settings.md"]
    assert "jwt_hs256_secret" not in pages["settings.md"], "secrets are not manifest settings"


def test_write_pages_removes_pages_of_tables_that_are_gone(tmp_path: Path) -> None:
    (tmp_path / "old-table.md").write_text("stale")
    written = write_pages(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == written
    assert "old-table.md" not in written


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    require_module("mkdocs", extra="docs")
    require_module("mkdocstrings_handlers.python", extra="docs")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "reference" / "app" / "index.html").read_text().count("make_jwt_bearer")
    assert (tmp_path / "manifest-tables" / "pages" / "index.html").is_file()
    assert not (tmp_path / "examples").exists(), "docs/examples/ holds code, not pages"
