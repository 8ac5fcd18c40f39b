"""``FLUXLIT_STRICT_STARTUP``: a start with configuration warnings stops at one line, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fluxlit.cli.strict_startup import StrictStartupError, refuse_warnings_when_strict
from fluxlit.config.settings import FluxlitSettings
from fluxlit.errors import UserError
from tests.helpers.cli import run_fluxlit

APP = "from fluxlit import FluxLit\napp = FluxLit(import_target='strictapp:app')\n"


def test_strict_startup_refuses_every_warning(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXLIT_SECURTY_HEADERS", "1")
    monkeypatch.setenv("FLUXLIT_JWT_ISSUER", "https://idp.example")
    assert refuse_warnings_when_strict(FluxlitSettings()) is None, "not strict: no error"
    monkeypatch.setenv("FLUXLIT_STRICT_STARTUP", "true")
    with pytest.raises(StrictStartupError) as error:
        refuse_warnings_when_strict(FluxlitSettings())
    assert isinstance(error.value, UserError)
    message = str(error.value)
    assert "\n" not in message and message.startswith("FLUXLIT_STRICT_STARTUP is on")
    assert "FLUXLIT_SECURTY_HEADERS is not a FluxLit setting" in message
    assert "did you mean FLUXLIT_SECURITY_HEADERS?" in message
    assert "FLUXLIT_JWT_AUDIENCE" in message


def test_strict_startup_with_a_clean_configuration_passes(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXLIT_STRICT_STARTUP", "1")
    monkeypatch.setenv("FLUXLIT_ENABLE_SECURITY_HEADERS", "1")  # an alias is no warning
    settings = FluxlitSettings()
    assert settings.strict_startup and settings.security_headers
    refuse_warnings_when_strict(settings)


def test_fluxlit_run_stops_before_serving(clean_fluxlit_env: Path, unused_port: int) -> None:
    (clean_fluxlit_env / "strictapp.py").write_text(APP)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLIT_")}
    env.update(FLUXLIT_STRICT_STARTUP="1", FLUXLIT_SECURTY_HEADERS="1", FLUXLIT_NO_PIDFILE="1")
    result = run_fluxlit(
        clean_fluxlit_env, "run", "strictapp:app", "--port", str(unused_port), env=env
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean FLUXLIT_SECURITY_HEADERS?" in lines[0]
    assert "Traceback" not in result.stderr and not (clean_fluxlit_env / ".fluxlit.pid").exists()
