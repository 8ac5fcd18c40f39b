"""`fluxlit compile|pages|build|new` through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli

MANIFEST = (
    '[[pages]]\npath = "/"\nhandler = "handlers:home"\n\n'
    '[[routes]]\npath = "/x"\nhandler = "handlers:x"\n'
)
HANDLERS = "def home(st, client):\n    st.write('hi')\n\ndef x():\n    return 1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "fluxlit.toml").write_text(MANIFEST)
    (tmp_path / "handlers.py").write_text(HANDLERS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("handlers", None)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_compile_then_check(project: Path) -> None:
    assert run("compile", "--check")[0] == 1, "missing output is stale"
    code, out = run("compile")
    assert code == 0 and "3 written" not in out and "4 written" in out
    assert run("compile", "--check") == (0, "up to date\n")
    (project / "fluxlit.toml").write_text(MANIFEST.replace('"/x"', '"/y"'))
    code, out = run("compile", "--check")
    assert code == 1 and "stale: gateway.py" in out
    before = (project / ".fluxlit/build/gateway.py").read_text()
    assert "/y" not in before, "--check wrote nothing"


def test_bad_manifest_exits_2_without_traceback(project: Path) -> None:
    (project / "fluxlit.toml").write_text('[[pages]]\npath = "/"\nhandlr = "a:b"\n')
    code, out = run("compile")
    assert code == 2
    assert "fluxlit.toml:3:1: pages[0].handlr: unknown key 'handlr'" in out
    assert "Traceback" not in out


def test_pages_manifest_and_validate(project: Path) -> None:
    code, out = run("pages", "manifest")
    assert code == 0 and '"manifest_version": 1' in out and '"slug": "home"' in out
    assert run("pages", "validate")[0] == 0
    (project / "handlers.py").write_text("def home(st):\n    pass\n\ndef x():\n    return 1\n")
    sys.modules.pop("handlers", None)
    code, out = run("pages", "validate")
    assert code == 1 and "must accept (st, client)" in out


def test_build_refuses_to_overwrite(project: Path) -> None:
    assert run("build", "--kubernetes")[0] == 0
    assert "USER app" in (project / "Dockerfile").read_text()
    assert "sessionAffinity: ClientIP" in (project / "k8s/app.yaml").read_text()
    code, out = run("build")
    assert code == 1 and "--force" in out
    assert run("build", "--force")[0] == 0


def test_new_rejects_unknown_profile_and_non_empty_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("new", "x", "--profile", "huge")
    assert code == 2 and "minimal, manifest" in out
    assert run("new", "shop")[0] == 0 and (tmp_path / "shop/app.py").is_file()
    assert run("new", "shop")[0] == 2


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["minimal", "manifest", "multipage", "auth", "deploy"])
def test_scaffold_tests_pass(tmp_path: Path, profile: str) -> None:
    target = tmp_path / f"my-{profile}"
    assert run("new", str(target), "--profile", profile)[0] == 0
    assert (target / "README.md").is_file() and list((target / "tests").glob("test_*.py"))
    secret = {"FLUXLIT_JWT_HS256_SECRET": "compile-" + "x" * 32}  # the auth app needs one
    compiled = subprocess.run(
        [sys.executable, "-m", "fluxlit.cli", "compile", "--out-dir", str(tmp_path / "build")],
        cwd=target,
        env={**os.environ, **secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert compiled.returncode == 0, "the scaffold holds an app: " + compiled.stderr
    assert (tmp_path / "build" / "streamlit_app.py").is_file()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


def test_stamp_fast_path(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from fluxlit.console import main
    from fluxlit_codegen.stamp import build_is_current

    assert not build_is_current(project)
    assert run("compile")[0] == 0
    assert build_is_current(project)
    monkeypatch.setattr(sys, "argv", ["fluxlit", "compile"])
    main()
    assert "up to date" in capsys.readouterr().out
    gateway = project / ".fluxlit/build/gateway.py"
    gateway.write_text(gateway.read_text() + "# hand edit\n")
    assert not build_is_current(project), "a hand-edited output is not current"
    (project / "fluxlit.toml").write_text(MANIFEST + "\n")
    assert not build_is_current(project), "a changed manifest is not current"


def test_seed_only_manifest_is_validated_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fluxlit.toml").write_text('target = "app:app"\ngateway_prot = 9000\n')
    code, out = run("compile")
    assert code == 2
    assert "gateway_prot: unknown key 'gateway_prot' (did you mean 'gateway_port'?)" in out
