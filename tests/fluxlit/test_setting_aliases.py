"""The published package's setting spellings work as aliases of ours (env, .env, code)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from fluxlit.cli.diagnostics import settings_warnings
from fluxlit.config.settings import SETTING_ALIASES, FluxlitSettings
from fluxlit.url_session import InMemorySessionStore, ensure_url_session

ROOT = Path(__file__).resolve().parents[2]

# A value for each aliased field that differs from its default, as text (env) and parsed.
SAMPLES: dict[str, tuple[str, Any]] = {
    "security_headers": ("true", True),
    "proxy_connect_timeout": ("7.5", 7.5),
    "proxy_read_timeout": ("9", 9.0),
    "max_proxy_body_bytes": ("1024", 1024),
    "max_concurrent_upstream_http": ("3", 3),
    "httpx_max_connections": ("11", 11),
    "httpx_max_keepalive_connections": ("4", 4),
    "ws_open_timeout_s": ("2.5", 2.5),
    "ws_ping_interval_s": ("20", 20.0),
    "ws_ping_timeout_s": ("21", 21.0),
    "ws_close_timeout_s": ("22", 22.0),
    "ws_max_message_bytes": ("65536", 65536),
    "forward_client_headers_http": ('["x-tenant"]', ["x-tenant"]),
    "session_param": ("sid", "sid"),
    "shutdown_grace_s": ("4", 4.0),
}
ALIASES = sorted(SETTING_ALIASES.items())


def test_every_alias_names_a_field_with_a_sample() -> None:
    assert set(SETTING_ALIASES.values()) == set(SAMPLES)
    assert set(SETTING_ALIASES.values()) <= set(FluxlitSettings.model_fields)
    assert not set(SETTING_ALIASES) & set(FluxlitSettings.model_fields)


@pytest.mark.parametrize(("alias", "field"), ALIASES)
def test_alias_as_environment_variable(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch, alias: str, field: str
) -> None:
    text, value = SAMPLES[field]
    monkeypatch.setenv(f"FLUXLIT_{alias.upper()}", text)
    assert getattr(FluxlitSettings(), field) == value


@pytest.mark.parametrize(("alias", "field"), ALIASES)
def test_alias_in_dotenv(clean_fluxlit_env: Path, alias: str, field: str) -> None:
    text, value = SAMPLES[field]
    (clean_fluxlit_env / ".env").write_text(f"FLUXLIT_{alias.upper()}={text}\n")
    assert getattr(FluxlitSettings(), field) == value


@pytest.mark.parametrize(("alias", "field"), ALIASES)
def test_alias_as_keyword(clean_fluxlit_env: Path, alias: str, field: str) -> None:
    _, value = SAMPLES[field]
    assert getattr(FluxlitSettings(**{alias: value}), field) == value
    assert getattr(FluxlitSettings(**{field: value}), field) == value


def test_our_spelling_wins_and_keywords_beat_the_environment(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXLIT_ENABLE_SECURITY_HEADERS", "true")
    monkeypatch.setenv("FLUXLIT_SECURITY_HEADERS", "false")
    assert FluxlitSettings().security_headers is False
    assert FluxlitSettings(enable_security_headers=True).security_headers is True
    both = FluxlitSettings(enable_security_headers=True, security_headers=False)
    assert both.security_headers is False
    monkeypatch.setenv("FLUXLIT_GATEWAY_READ_TIMEOUT", "5")
    assert FluxlitSettings(gateway_read_timeout=6).proxy_read_timeout == 6.0


def test_bare_names_without_the_prefix_are_not_read(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENABLE_SECURITY_HEADERS", "true")
    monkeypatch.setenv("SECURITY_HEADERS", "true")
    assert FluxlitSettings().security_headers is False


def test_aliases_reach_the_gateway_and_the_url_session(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch, fake_st: Any
) -> None:
    from fluxlit.gateway.options import GatewayProxyOptions

    monkeypatch.setenv("FLUXLIT_GATEWAY_CONNECT_TIMEOUT", "3")
    monkeypatch.setenv("FLUXLIT_GATEWAY_WS_MAX_MESSAGE_BYTES", "1000")
    options = GatewayProxyOptions.from_settings(FluxlitSettings())
    assert options.connect_timeout == 3.0 and options.ws_max_message_bytes == 1000
    monkeypatch.setenv("FLUXLIT_URL_SESSION_QUERY_PARAM", "published_sid")
    st = fake_st()
    sid = ensure_url_session(st, InMemorySessionStore())
    assert dict(st.query_params) == {"published_sid": sid}


def test_aliases_are_known_variables(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for alias in SETTING_ALIASES:
        monkeypatch.setenv(f"FLUXLIT_{alias.upper()}", SAMPLES[SETTING_ALIASES[alias]][0])
    monkeypatch.setenv("FLUXLIT_ENABLE_SECURTY_HEADERS", "1")
    warnings = [w for w in settings_warnings(FluxlitSettings()) if "not a FluxLit setting" in w]
    assert warnings == [
        "FLUXLIT_ENABLE_SECURTY_HEADERS is not a FluxLit setting; "
        "did you mean FLUXLIT_ENABLE_SECURITY_HEADERS?"
    ]


def test_docs_list_every_alias_with_the_preferred_name() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = {
        alias: preferred
        for preferred, alias in re.findall(r"^\| `FLUXLIT_(\w+)` \| `FLUXLIT_(\w+)` \|", doc, re.M)
    }
    assert {alias.upper(): field.upper() for alias, field in SETTING_ALIASES.items()} == rows
    assert "Prefer our name" in doc


def test_a_bad_value_names_the_variable_and_its_alias(
    clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluxlit.config.settings import load_settings
    from fluxlit.errors import UserError

    monkeypatch.setenv("FLUXLIT_GATEWAY_READ_TIMEOUT", "abc")
    with pytest.raises(UserError) as error:
        load_settings()
    assert str(error.value) == (
        "FLUXLIT_PROXY_READ_TIMEOUT (or FLUXLIT_GATEWAY_READ_TIMEOUT): not a number ('abc')"
    )
    monkeypatch.delenv("FLUXLIT_GATEWAY_READ_TIMEOUT")
    monkeypatch.setenv("FLUXLIT_GATEWAY_PORT", "x")
    with pytest.raises(UserError, match=r"^FLUXLIT_GATEWAY_PORT: not an integer"):
        load_settings()
