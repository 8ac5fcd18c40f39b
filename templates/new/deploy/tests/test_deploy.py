"""The container and Kubernetes files fit this app, and `fluxlit build` still writes them."""

import json
import re
import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

from fluxlit.testing import FluxLitTestClient

from app import app

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
KUBERNETES = (ROOT / "k8s" / "app.yaml").read_text()
PROBE = re.compile(r"/[\w./-]*(?:healthz|readyz)")


def fluxlit(*args: str) -> str:
    """Run the fluxlit CLI in the project folder, as the image build does."""
    result = subprocess.run(
        [sys.executable, "-m", "fluxlit.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_image_runs_this_app(tmp_path: Path) -> None:
    command = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, flags=re.M).group(1))
    assert command[:2] == ["fluxlit", "run"], "the image serves as `fluxlit run` does"
    target = command[2]
    module, _, attribute = target.partition(":")
    assert getattr(import_module(module), attribute) is app
    assert (ROOT / f"{module}.py").is_file(), "COPY . /app brings the app along"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dependencies = project["project"]["dependencies"]
    assert any(d.startswith("fluxlit") for d in dependencies), "pip install . brings FluxLit"
    fluxlit("compile", target, "--out-dir", str(tmp_path))
    gateway = (tmp_path / "gateway.py").read_text()
    assert target in gateway.splitlines()[0], "the build header names the app"
    assert app.settings.title in gateway, "and carries its title"


def test_probes_hit_routes_the_app_serves() -> None:
    client = FluxLitTestClient(app)
    probes = set(PROBE.findall(DOCKERFILE)) | set(PROBE.findall(KUBERNETES))
    assert f"{app.api_prefix}/healthz" in probes and f"{app.api_prefix}/readyz" in probes
    assert client.api.get(f"{app.api_prefix}/healthz").json() == {"status": "ok"}
    for path in probes:
        assert client.api.get(path).status_code != 404, f"{path} is not served"


def test_kubernetes_runs_the_image_the_readme_builds() -> None:
    image = re.search(r"docker build -t (\S+) \.", (ROOT / "README.md").read_text()).group(1)
    name, _, tag = image.partition(":")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert tag == version, "the image is tagged with the project's version"
    assert f"image: {image}" in KUBERNETES
    assert set(re.findall(r"^  name: (\S+)$", KUBERNETES, flags=re.M)) == {name}
    assert "affinity: cookie" in KUBERNETES and "USER 10001" in DOCKERFILE


def test_fluxlit_build_writes_the_same_files(tmp_path: Path) -> None:
    """Fails once the app changes what `fluxlit build` writes: regenerate with --force."""
    fluxlit("build", "--output", str(tmp_path), "--kubernetes", "--compose")
    names = ("Dockerfile", ".dockerignore", "k8s/app.yaml", "compose.yaml", "nginx.conf")
    for name in names:
        assert (tmp_path / name).read_text() == (ROOT / name).read_text(), f"{name} is stale"
