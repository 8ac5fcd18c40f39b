"""Assembling a FluxLit app from the model, and the one rule for ``target`` in a manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from fluxlit.runtime.assemble import fluxlit_from_model
from fluxlit.testing import FluxLitTestClient
from fluxlit_codegen.errors import ManifestError
from fluxlit_codegen.manifest import load_manifest

MANIFEST = '[[routes]]\npath = "/from-manifest"\nhandler = "extra:from_manifest"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_fluxlit_env: Path) -> Path:
    (tmp_path / "base_app.py").write_text(
        "from fluxlit import FluxLit\n"
        "app = FluxLit(title='Base', import_target='base_app:app')\n"
        "@app.api.get('/from-python')\n"
        "def from_python():\n    return 'python'\n"
    )
    (tmp_path / "extra.py").write_text("def from_manifest():\n    return 'manifest'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("base_app", "extra"):
        sys.modules.pop(name, None)
    return tmp_path


def test_a_manifest_app_serves_its_declarations(project: Path) -> None:
    (project / "fluxlit.toml").write_text(MANIFEST)
    fl = fluxlit_from_model(load_manifest(project / "fluxlit.toml"), project)
    assert FluxLitTestClient(fl).api_get("/from-manifest").json() == "manifest"


def test_target_with_declarations_is_one_located_error(project: Path) -> None:
    """A manifest with its own declarations is the app: naming a Python app as well is
    refused where it is written, by every command (one rule, no half-merged app)."""
    (project / "fluxlit.toml").write_text('title = "T"\ntarget = "base_app:app"\n\n' + MANIFEST)
    with pytest.raises(ManifestError) as caught:
        load_manifest(project / "fluxlit.toml")
    line = str(caught.value)
    assert line.startswith("fluxlit.toml:2:1: target: a manifest that declares [[pages]]")
    for command in (["pages", "manifest"], ["compile"], ["run"], ["config"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2 and line in result.output, command
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1 and f"FAIL  project file: {line}" in result.output
