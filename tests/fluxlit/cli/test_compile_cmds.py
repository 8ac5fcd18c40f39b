"""`fluxlit compile|pages|build|new` through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from tests.helpers.cli import run_fluxlit

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
    assert code == 1, "the reference: exit 1 on errors"
    assert "fluxlit.toml:3:11: pages[0].handler: home must accept (st, client)" in out


PYTHON_APP = """
from fluxlit import FluxLit

app = FluxLit(title="Py", import_target="pyapp:app")


@app.page("/reports", title="Reports")
def reports(st, client):
    st.write("r")


@app.page("/dup", title="Reports")
def dup(st, client):
    st.write("d")
"""


@pytest.fixture
def python_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyapp.py").write_text(PYTHON_APP)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("pyapp", None)
    return tmp_path


def test_pages_commands_for_a_python_app(python_project: Path, clean_fluxlit_env: Path) -> None:
    code, out = run("pages", "manifest", "--target", "pyapp:app")
    assert code == 0
    manifest = json.loads(out)
    assert manifest["title"] == "Py"
    assert [p["path"] for p in manifest["pages"]] == ["/reports", "/dup"]
    code, out = run("pages", "validate", "--target", "pyapp:app")
    assert code == 0, out
    assert "WARN  no page at '/'" in out and "WARN  2 pages share the title 'Reports'" in out
    assert "ok (2 warning(s))" in out
    code, out = run("pages", "validate", "--target", "pyapp:app", "--strict")
    assert code == 1 and "ok (" not in out


def test_strict_fails_a_manifest_app_on_warnings_only(project: Path) -> None:
    (project / "fluxlit.toml").write_text(MANIFEST.replace('path = "/"', 'path = "/start"'))
    assert run("pages", "validate")[0] == 0
    code, out = run("pages", "validate", "--strict")
    assert code == 1 and "WARN  no page at '/'" in out


BROKEN = (
    '[[pages]]\npath = "/"\nhandler = "no_such_module_abc:home"\n'  # 1-3
    '[[pages]]\npath = "/r"\nscript = "missing.py"\n'  # 4-6
    '[[routes]]\npath = "/x"\nhandler = "handlers:x"\n'  # 7-9
    '[[mounts]]\npath = "/files"\nstatic = "nowhere"\n'  # 10-12
)


def test_compile_checks_handlers_and_reports_every_problem(project: Path) -> None:
    (project / "fluxlit.toml").write_text(BROKEN)
    result = CliRunner().invoke(cli, ["compile"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "fluxlit.toml:3:11: pages[0].handler: cannot import module 'no_such_module_abc'"
        " (needed by 'no_such_module_abc:home')",
        "fluxlit.toml:6:10: pages[1].script: script file 'missing.py' not found",
        "fluxlit.toml:12:10: mounts[0].static: folder 'nowhere' not found",
    ]
    assert not (project / ".fluxlit").exists(), "nothing is written"
    code, out = run("compile", "--check")
    assert code == 1 and "stale:" in out, "--check compares output and imports nothing"


def test_run_checks_handlers_before_serving(project: Path) -> None:
    (project / "fluxlit.toml").write_text(BROKEN)
    code, out = run("run")
    assert code == 2 and "fluxlit.toml:3:11: pages[0].handler: cannot import" in out
    assert "Traceback" not in out


def test_a_route_fastapi_cannot_serve_is_a_located_problem(project: Path) -> None:
    (project / "handlers.py").write_text(
        HANDLERS + "\nclass Thing:\n    pass\n\ndef x(thing: Thing):\n    return 1\n"
    )
    sys.modules.pop("handlers", None)
    code, out = run("compile")
    assert code == 2
    assert out.splitlines() == [
        "fluxlit.toml:7:11: routes[0].handler: FastAPI cannot serve 'handlers:x' at '/x': "
        "Invalid args for response field! Hint: check that "
        "<class 'handlers.Thing'> is a valid Pydantic field type."
    ]


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
    compiled = run_fluxlit(
        target, "compile", "--out-dir", str(tmp_path / "build"), env={**os.environ, **secret}
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


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("fluxlit.toml", b'title = "\xff"\n', "fluxlit.toml:1:10: not UTF-8 text: byte 0xff"),
        ("pyproject.toml", b"[project\n", "pyproject.toml:1:9: invalid TOML: Expected ']'"),
    ],
    ids=["not utf-8", "broken pyproject"],
)
def test_unreadable_manifests_exit_2_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    for command in (["compile"], ["pages", "manifest"]):
        code, out = run(*command)
        assert code == 2 and out.startswith(expected), out
        assert "Traceback" not in out and "cannot load the app" not in out
