"""A non-editable install carries the templates and schema: new, compile and build work."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from fluxlit_codegen.schema import render_schema

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_templates_and_runs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("fluxlit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "fluxlit_codegen/templates/build/gateway.py.j2" in names
    assert "fluxlit_codegen/templates/new/manifest/fluxlit.toml" in names
    assert "fluxlit_codegen/schemas/fluxlit.schema.json" in names
    shipped = zipfile.ZipFile(wheel).read("fluxlit_codegen/schemas/fluxlit.schema.json")
    assert shipped.decode("utf-8") == render_schema(), "the wheel's schema is current"
    for profile in ("minimal", "manifest", "multipage", "auth"):
        assert f"fluxlit_codegen/templates/new/{profile}/pyproject.toml" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies come from the test environment; the editable finder there is not
    # activated by a plain path entry, so fluxlit itself comes from the wheel.
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    fluxlit = venv / "bin" / "fluxlit"
    work = tmp_path / "work"
    work.mkdir()
    env_cwd = {"cwd": work, "capture_output": True, "text": True, "timeout": 120}
    location = subprocess.run(
        [str(python), "-c", "import fluxlit_codegen; print(fluxlit_codegen.__file__)"], **env_cwd
    )
    assert str(venv) in location.stdout, "the wheel, not the checkout, is imported"
    assert (
        subprocess.run([str(fluxlit), "new", "demo", "--profile", "manifest"], **env_cwd).returncode
        == 0
    )
    project = {**env_cwd, "cwd": work / "demo"}
    compiled = subprocess.run([str(fluxlit), "compile"], **project)
    assert compiled.returncode == 0, compiled.stderr
    assert (work / "demo/.fluxlit/build/gateway.py").is_file()
    built = subprocess.run([str(fluxlit), "build", "--kubernetes", "--compose"], **project)
    assert built.returncode == 0, built.stderr
    for name in ("Dockerfile", "k8s/app.yaml", "compose.yaml", "nginx.conf"):
        assert (work / "demo" / name).is_file(), f"the wheel ships the {name} template"
