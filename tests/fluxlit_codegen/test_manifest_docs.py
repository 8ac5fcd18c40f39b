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
