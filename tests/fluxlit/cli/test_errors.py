"""The CLI's one error handler: user mistakes are one located line and exit 2."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fluxlit.cli import app as cli
from fluxlit.cli.failure import explain
from fluxlit.config.settings import load_settings
from fluxlit.config.settings_errors import SettingsError
from fluxlit.errors import FluxLitError, UserError
from fluxlit.user_code import import_user_module
from tests.helpers.cli import run_fluxlit

HEAD = "from fluxlit import FluxLit\n\napp = FluxLit()\n"


def fluxlit(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``fluxlit ARGS`` in ``cwd`` with ``env`` added to our environment."""
    return run_fluxlit(cwd, *args, env={**os.environ, **env})


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


USER_MISTAKES = {
    "syntax": (
        "from fluxlit import FluxLit\n\nx = = 1\n",
        "error: app.py:3: SyntaxError: invalid syntax",
    ),
    "key_error": (
        HEAD + "\n\nimport os\nX = os.environ['NOT_SET_ANYWHERE']\n",
        "error: app.py:7: KeyError: 'NOT_SET_ANYWHERE' (while importing app)",
    ),
    "runtime_error": (
        HEAD + "raise RuntimeError('no database')\n",
        "error: app.py:4: RuntimeError: no database (while importing app)",
    ),
    "our_error_raised_for_their_line": (
        HEAD + "\n\n@app.page('/a?b')\ndef home(st, client):\n    pass\n",
        "error: app.py:6: PagePathError: page path '/a?b' is not a URL path",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(USER_MISTAKES))
def test_run_reports_errors_in_the_users_module_as_one_located_line(
    clean_fluxlit_env: Path, case: str, unused_port: int
) -> None:
    source, expected = USER_MISTAKES[case]
    (clean_fluxlit_env / "app.py").write_text(source)
    line = one_line(fluxlit(clean_fluxlit_env, "run", "--port", str(unused_port)))
    assert line.startswith(expected), line


@pytest.mark.slow
@pytest.mark.parametrize("command", [["compile"], ["pages", "manifest"]])
def test_other_commands_locate_them_too(clean_fluxlit_env: Path, command: list[str]) -> None:
    source, expected = USER_MISTAKES["key_error"]
    (clean_fluxlit_env / "app.py").write_text(source)
    assert one_line(fluxlit(clean_fluxlit_env, *command)) == expected


@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback(clean_fluxlit_env: Path, how: str) -> None:
    (clean_fluxlit_env / "app.py").write_text(USER_MISTAKES["key_error"][0])
    if how == "flag":
        result = fluxlit(clean_fluxlit_env, "--debug", "compile")
    else:
        result = fluxlit(clean_fluxlit_env, "compile", FLUXLIT_DEBUG="1")
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == USER_MISTAKES["key_error"][1]


@pytest.mark.slow
def test_a_bad_setting_is_one_line_per_variable(clean_fluxlit_env: Path, unused_port: int) -> None:
    (clean_fluxlit_env / "app.py").write_text(HEAD)
    result = fluxlit(
        clean_fluxlit_env,
        "run",
        FLUXLIT_GATEWAY_PORT="abc",
        FLUXLIT_RUNTIME_MODE="sidecr",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "error: FLUXLIT_GATEWAY_PORT: not an integer ('abc')",
        "FLUXLIT_RUNTIME_MODE: expected auto, inprocess or sidecar, got 'sidecr'",
    ]


def test_doctor_reports_a_bad_setting_as_a_failed_check(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "abc")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1, result.output
    assert "FAIL  env: FLUXLIT_GATEWAY_PORT: not an integer ('abc')" in result.output


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"FLUXLIT_GATEWAY_PORT": "99999"}, "FLUXLIT_GATEWAY_PORT: must be <= 65535, got '99999'"),
        ({"FLUXLIT_DEBUG": "maybe"}, "FLUXLIT_DEBUG: not a boolean (use true or false) ('maybe')"),
        (
            {"FLUXLIT_SHUTDOWN_GRACE_S": "soon"},
            "FLUXLIT_SHUTDOWN_GRACE_S (or FLUXLIT_UVICORN_GRACEFUL_SHUTDOWN_TIMEOUT_S): "
            "not a number ('soon')",
        ),
        (
            {"FLUXLIT_CORS_ALLOW_ORIGINS": "https://a.example"},
            "FLUXLIT_CORS_ALLOW_ORIGINS: not valid JSON (lists and mappings are given as JSON, "
            'e.g. \'["a", "b"]\')',
        ),
    ],
)
def test_load_settings_names_the_variable_and_what_it_accepts(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], line: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line
    assert isinstance(caught.value, UserError) and isinstance(caught.value, ValueError)


def test_explain_sorts_user_mistakes_from_our_bugs() -> None:
    assert explain(UserError("fluxlit.toml:1:1: bad")) == ("fluxlit.toml:1:1: bad", 2)
    assert explain(FluxLitError("nope")) == ("nope", 2)
    try:
        {}["x"]  # raised here, in a test file: counts as the user's code
    except KeyError as exc:
        message, code = explain(exc)
    assert code == 2 and message.endswith("KeyError: 'x'") and "test_errors.py:" in message
    message, code = explain(ZeroDivisionError("division by zero"))  # no user frame at all
    assert code == 1
    assert message.startswith("internal error: ZeroDivisionError: division by zero")
    assert "--debug" in message


def test_settings_built_in_the_users_module_name_the_variable(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"settings_app_{uuid.uuid4().hex[:8]}"
    (clean_fluxlit_env / f"{name}.py").write_text(
        "from fluxlit import FluxLit, FluxlitSettings\n\n"
        "app = FluxLit(settings=FluxlitSettings(title='x'))\n"
    )
    monkeypatch.syspath_prepend(str(clean_fluxlit_env))
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "abc")
    with pytest.raises(SettingsError) as caught:
        import_user_module(name)
    assert str(caught.value) == "FLUXLIT_GATEWAY_PORT: not an integer ('abc')"
