"""Every command starts from one resolved app: same source, same settings, same checks."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from fluxlit.config.env_vars import KNOWN_VARIABLES, unknown_variable_warnings
from fluxlit.config.settings import FluxlitSettings
from fluxlit.errors import UserError
from fluxlit.runtime.options import ServeOptions
from fluxlit_codegen.project import resolve_app
from fluxlit_codegen.scaffold import scaffold

CODE_SETTINGS_APP = (
    "from fluxlit import FluxLit, FluxlitSettings\n"
    "app = FluxLit(settings=FluxlitSettings(gateway_port=7777, title='In code', "
    "runtime_mode='sidecar'), import_target='codeapp:app')\n"
    "@app.page('/')\n"
    "def home(st, client):\n    st.write('home')\n"
)


@pytest.fixture(autouse=True)
def forget_imported_apps() -> Iterator[None]:
    """Drop the modules a test imported from its project (``app``, ``handlers``, ...)."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        module = sys.modules[name]
        if (getattr(module, "__file__", None) or "").startswith(tempfile.gettempdir()):
            del sys.modules[name]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if isinstance(result.exception, UserError):
        return 2, result.output + str(result.exception)
    return result.exit_code, result.output


@pytest.fixture
def code_app(clean_fluxlit_env: Path) -> Path:
    (clean_fluxlit_env / "codeapp.py").write_text(CODE_SETTINGS_APP)
    sys.modules.pop("codeapp", None)
    return clean_fluxlit_env


@pytest.mark.parametrize("profile", ["minimal", "manifest", "multipage", "auth", "deploy"])
def test_doctor_passes_on_every_fresh_scaffold(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    project = scaffold(clean_fluxlit_env / "demo", profile)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    for name in [m for m in sys.modules if m in {"app", "handlers"} or m.startswith("handlers.")]:
        sys.modules.pop(name)
    if profile == "auth" and not (project / ".env").is_file():
        monkeypatch.setenv("FLUXLIT_JWT_HS256_SECRET", "s" * 40)  # until the scaffold writes one
    code, out = run("doctor")
    assert code == 0 and "FAIL" not in out, out


def test_doctor_fails_on_an_invalid_fluxlit_toml(clean_fluxlit_env: Path) -> None:
    (clean_fluxlit_env / "fluxlit.toml").write_text('title = "x"\n[[pages]]\npath = "/"\n')
    code, out = run("doctor")
    assert code == 1
    assert "FAIL  project file: fluxlit.toml:2:1: pages[0]: give exactly one of" in out


def test_config_shows_what_run_serves_for_a_manifest_app(clean_fluxlit_env: Path) -> None:
    (clean_fluxlit_env / "handlers.py").write_text("def hi():\n    return 1\n")
    (clean_fluxlit_env / "fluxlit.toml").write_text(
        'title = "Shop"\ngateway_port = 9100\n\n[settings]\nruntime_mode = "sidecar"\n\n'
        '[[routes]]\npath = "/hi"\nhandler = "handlers:hi"\n'
    )
    code, out = run("config", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["target"], data["title"], data["port"]) == ("fluxlit.toml", "Shop", 9100)
    assert data["runtime_mode"] == "sidecar"
    options = ServeOptions(project_root=clean_fluxlit_env)
    resolved = resolve_app(None, options.root, overrides=options.settings_overrides())
    assert resolved.settings.runtime_mode == "sidecar" and resolved.is_manifest


def test_settings_given_in_code_reach_config_and_the_serve_path(code_app: Path) -> None:
    code, out = run("config", "codeapp:app", "--json")
    data = json.loads(out)
    assert code == 0 and data["port"] == 7777 and data["title"] == "In code"
    assert data["runtime_mode"] == "sidecar"
    from fluxlit.runtime.unified import resolve_for_serving

    resolved = resolve_for_serving(ServeOptions(target="codeapp:app"))
    assert resolved.settings.gateway_port == 7777
    assert resolved.settings.internal_api_base == "http://127.0.0.1:7777/api"
    flagged = resolve_for_serving(ServeOptions(target="codeapp:app", port=7001, mode="auto"))
    assert flagged.settings.gateway_port == 7001, "a flag wins over code"
    assert flagged.fluxlit is not None and flagged.fluxlit.settings is flagged.settings


def test_precedence_env_over_project_file_code_over_env(
    code_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (code_app / "fluxlit.toml").write_text(
        'target = "codeapp:app"\ngateway_host = "0.0.0.0"\nlog_level = "debug"\n'
    )
    monkeypatch.setenv("FLUXLIT_LOG_LEVEL", "warning")
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "9999")
    settings = resolve_app(None, code_app).settings
    assert settings.gateway_host == "0.0.0.0", "project file over the default"
    assert settings.log_level == "warning", "environment over the project file"
    assert settings.gateway_port == 7777, "code over the environment"


def test_project_file_reaches_settings_built_in_the_apps_own_code(
    clean_fluxlit_env: Path,
) -> None:
    (clean_fluxlit_env / "plain.py").write_text(
        "from fluxlit import FluxLit, FluxlitSettings\n"
        "SETTINGS = FluxlitSettings()\n"
        "app = FluxLit(settings=SETTINGS)\n"
    )
    (clean_fluxlit_env / "fluxlit.toml").write_text(
        'target = "plain:app"\nroot_path = "/apps/x"\n\n[settings]\nsecurity_headers = true\n'
    )
    sys.modules.pop("plain", None)
    resolved = resolve_app(None, clean_fluxlit_env)
    assert resolved.fluxlit is not None
    assert resolved.fluxlit.api.root_path == "/apps/x", "FastAPI was built with it"
    assert resolved.settings.security_headers is True
    assert FluxlitSettings().root_path == "", "outside the command the layer is gone"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--port", "99999"], "--port: expected 1-65535, got 99999"),
        (["dev", "--port", "0"], "--port: expected 1-65535, got 0"),
        (["run", "--mode", "sidecr"], "--mode: expected inprocess, sidecar or auto, got 'sidecr'"),
        (
            ["run", "--log-level", "verbose"],
            "--log-level: expected one of critical, error, warning, info, debug, trace, "
            "got 'verbose'",
        ),
        (["dev", "--reload-scope", "all"], "--reload-scope: expected gateway or full"),
    ],
)
def test_bad_flags_are_one_line(clean_fluxlit_env: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, UserError), result.output
    assert str(result.exception).startswith(message)
    assert "\n" not in str(result.exception)


def test_run_dev_and_workbench_share_one_option_list() -> None:
    import inspect

    from fluxlit.cli import dev, run_cmd, workbench_cmd

    names = {f.__name__: set(inspect.signature(f).parameters) for f in (dev, run_cmd)}
    assert names["run_cmd"] - {"workers"} == names["dev"] - {"reload", "reload_scope"}
    shown = set(inspect.signature(workbench_cmd).parameters)
    assert shown == names["run_cmd"] - {"proxy_headers", "workbench", "workers"}
    for command in ("run", "dev", "workbench", "shutdown", "build"):
        text = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
        for flag, help_text in (("--pidfile", "PID file"), ("--output", "Folder to write")):
            if flag in text:
                assert help_text in text, (command, flag)


def test_version() -> None:
    import importlib.metadata

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"fluxlit {importlib.metadata.version('fluxlit')}\n"


def test_build_output_is_an_option_and_the_target_positional(code_app: Path) -> None:
    (code_app / "requirements.txt").write_text("fluxlit\n")
    code, out = run("build", "codeapp:app", "-o", "out")
    assert code == 0, out
    assert (code_app / "out" / "Dockerfile").is_file()
    code, out = run("build", "codeapp:app", "--output", "out2")
    assert code == 0 and (code_app / "out2" / "Dockerfile").is_file()


def test_pages_take_the_target_positionally_and_with_target(code_app: Path) -> None:
    positional = run("pages", "manifest", "codeapp:app")
    option = run("pages", "manifest", "--target", "codeapp:app")
    assert positional == option and positional[0] == 0
    assert json.loads(positional[1])["title"] == "In code"
    assert run("pages", "validate", "codeapp:app")[0] == 0


def test_unknown_variables_get_a_did_you_mean(clean_fluxlit_env: Path, monkeypatch) -> None:
    assert unknown_variable_warnings({"FLUXLIT_SECURTY_HEADERS": "1", "FLUXLIT_APP": "x"}) == [
        "FLUXLIT_SECURTY_HEADERS is not a FluxLit setting; did you mean FLUXLIT_SECURITY_HEADERS?"
    ]
    assert "FLUXLIT_GATEWAY_PORT" in KNOWN_VARIABLES and "FLUXLIT_DEV" not in KNOWN_VARIABLES
    monkeypatch.setenv("FLUXLIT_SECURTY_HEADERS", "true")
    (clean_fluxlit_env / "app.py").write_text("from fluxlit import FluxLit\napp = FluxLit()\n")
    sys.modules.pop("app", None)
    for command in ("doctor", "config"):
        out = run(command)[1]
        assert "did you mean FLUXLIT_SECURITY_HEADERS?" in out, command


def test_every_variable_fluxlit_reads_is_named_in_one_module() -> None:
    import re

    root = Path(__file__).resolve().parents[3]
    found = set()
    for folder in ("fluxlit", "fluxlit_codegen"):
        for path in (root / folder).rglob("*.py"):
            for name in re.findall(
                r"environ(?:\.get)?\(\s*[\"'](FLUXLIT_[A-Z0-9_]+)", path.read_text()
            ):
                found.add(name)
    assert found <= KNOWN_VARIABLES, found - KNOWN_VARIABLES
