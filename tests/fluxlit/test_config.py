"""Settings loading and the documented precedence of project-file defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxlit.config import (
    FluxlitSettings,
    ProjectConfig,
    load_project_config,
    resolve_binding,
    resolve_target,
)


def test_settings_read_env_with_prefix(clean_fluxlit_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "9123")
    monkeypatch.setenv("fluxlit_title", "From env")
    monkeypatch.setenv("FLUXLIT_STREAMLIT_RUN_CLI_ARGS", '["--theme.base", "dark"]')
    monkeypatch.setenv("FLUXLIT_STREAMLIT_PAGE_CONFIG", '{"layout": "wide"}')
    monkeypatch.setenv("FLUXLIT_NOT_A_FIELD", "ignored")
    settings = FluxlitSettings()
    assert settings.gateway_port == 9123
    assert settings.title == "From env"
    assert settings.streamlit_run_cli_args == ["--theme.base", "dark"]
    assert settings.streamlit_page_config == {"layout": "wide"}
    assert not hasattr(settings, "not_a_field")


def test_settings_read_dotenv_and_env_wins(clean_fluxlit_env: Path, monkeypatch) -> None:
    (clean_fluxlit_env / ".env").write_text("FLUXLIT_LOG_LEVEL=debug\nFLUXLIT_DEBUG=true\n")
    assert FluxlitSettings().log_level == "debug"
    assert FluxlitSettings().debug is True
    monkeypatch.setenv("FLUXLIT_LOG_LEVEL", "warning")
    assert FluxlitSettings().log_level == "warning"


def test_settings_defaults(clean_fluxlit_env: Path) -> None:
    settings = FluxlitSettings()
    assert (settings.gateway_host, settings.gateway_port) == ("127.0.0.1", 8000)
    assert settings.api_mount_path == "/api"
    assert settings.runtime_mode == "auto"
    assert settings.session_param == "fluxlit_sid"


def test_settings_reject_bad_values(clean_fluxlit_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "70000")
    with pytest.raises(ValueError, match="gateway_port"):
        FluxlitSettings()


def test_load_project_config_from_fluxlit_toml(tmp_path: Path) -> None:
    (tmp_path / "fluxlit.toml").write_text(
        'target = "main:app"\ngateway_port = 9000\nunknown = 1\nlog_level = 3\n'
    )
    assert load_project_config(tmp_path) == ProjectConfig(target="main:app", gateway_port=9000)


def test_fluxlit_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fluxlit]\ntarget = "py:app"\n')
    assert load_project_config(tmp_path) == ProjectConfig(target="py:app")
    (tmp_path / "fluxlit.toml").write_text('target = "toml:app"\n')
    assert load_project_config(tmp_path) == ProjectConfig(target="toml:app")


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({}, "no file"),
        ({"pyproject.toml": "[project]\nname='x'\n"}, "no [tool.fluxlit]"),
        ({"pyproject.toml": "[tool]\nfluxlit = 3\n"}, "not a table"),
        ({"fluxlit.toml": "target = \n"}, "invalid TOML"),
    ],
)
def test_load_project_config_returns_none(tmp_path: Path, files: dict[str, str], why: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert load_project_config(tmp_path) is None, why


def test_boolean_is_not_a_port(tmp_path: Path) -> None:
    (tmp_path / "fluxlit.toml").write_text("gateway_port = true\n")
    assert load_project_config(tmp_path) == ProjectConfig()


def test_resolve_binding_precedence() -> None:
    pc = ProjectConfig(gateway_host="0.0.0.0", gateway_port=9000, log_level="debug")
    base = {
        "settings_gateway_host": "127.0.0.1",
        "settings_gateway_port": 8000,
        "settings_log_level": "info",
    }
    assert resolve_binding(cli_host=None, cli_port=None, cli_log_level=None, pc=None, **base) == (
        "127.0.0.1",
        8000,
        "info",
    )
    assert resolve_binding(cli_host=None, cli_port=None, cli_log_level=None, pc=pc, **base) == (
        "0.0.0.0",
        9000,
        "debug",
    )
    assert resolve_binding(cli_host="::1", cli_port=0, cli_log_level="error", pc=pc, **base) == (
        "::1",
        0,
        "error",
    )


def test_resolve_target_precedence() -> None:
    assert resolve_target(None, None) == "app:app"
    assert resolve_target(None, ProjectConfig(target="main:fl")) == "main:fl"
    assert resolve_target("cli:app", ProjectConfig(target="main:fl")) == "cli:app"
