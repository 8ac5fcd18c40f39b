"""Assembling a FluxLit app from the model: manifest declarations on top of a target."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fluxlit.assemble import fluxlit_from_model
from fluxlit.testing import FluxLitTestClient
from fluxlit_codegen.manifest import load_manifest


def test_manifest_with_target_adds_onto_the_python_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_fluxlit_env: Path
) -> None:
    (tmp_path / "base_app.py").write_text(
        "from fluxlit import FluxLit\n"
        "app = FluxLit(title='Base', import_target='base_app:app')\n"
        "@app.api.get('/from-python')\n"
        "def from_python():\n    return 'python'\n"
    )
    (tmp_path / "extra.py").write_text("def from_manifest():\n    return 'manifest'\n")
    (tmp_path / "fluxlit.toml").write_text(
        'target = "base_app:app"\n\n[[routes]]\npath = "/from-manifest"\n'
        'handler = "extra:from_manifest"\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("base_app", "extra"):
        sys.modules.pop(name, None)
    fl = fluxlit_from_model(load_manifest(tmp_path / "fluxlit.toml"), tmp_path)
    client = FluxLitTestClient(fl)
    assert client.api_get("/from-python").json() == "python"
    assert client.api_get("/from-manifest").json() == "manifest"
