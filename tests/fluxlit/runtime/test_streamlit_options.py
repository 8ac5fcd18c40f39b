"""Streamlit options FluxLit applies, and the Uvicorn WebSocket settings derived from them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fluxlit.config.settings import FluxlitSettings
from fluxlit.runtime.streamlit_options import (
    configure_inprocess_streamlit,
    inprocess_websocket_options,
    streamlit_cli_flags,
)


@pytest.fixture(autouse=True)
def default_streamlit_config() -> Iterator[None]:
    """These tests reparse this process's Streamlit config; leave it as FluxLit's default."""
    yield
    configure_inprocess_streamlit(FluxlitSettings())


def test_websocket_options_follow_streamlit_defaults() -> None:
    options = inprocess_websocket_options(FluxlitSettings())
    assert options["ws_per_message_deflate"] is False, "Streamlit does not compress by default"
    # What Streamlit accepts from a browser (server.maxWidgetStateSize), not the 200 MB
    # of server.maxMessageSize, which bounds what Streamlit sends.
    assert options["ws_max_size"] == 25 * 1_000_000
    assert options["ws_ping_interval"] == options["ws_ping_timeout"] == 30.0
    assert options["ws"] == "websockets-sansio"


def test_websocket_options_honour_the_users_streamlit_flags() -> None:
    settings = FluxlitSettings(
        streamlit_run_cli_args=[
            "--server.enableWebsocketCompression=true",
            "--server.maxWidgetStateSize",
            "5",
            "--server.websocketPingInterval=12",
        ]
    )
    options = inprocess_websocket_options(settings)
    assert options["ws_per_message_deflate"] is True
    assert options["ws_max_size"] == 5_000_000
    assert options["ws_ping_interval"] == options["ws_ping_timeout"] == 12.0


def test_sidecar_flags_carry_the_same_options() -> None:
    flags = streamlit_cli_flags(FluxlitSettings(root_path="/apps/demo"), dev=True)
    pairs = dict(zip(flags[::2], flags[1::2], strict=True))
    assert pairs["--server.baseUrlPath"] == "apps/demo"
    assert pairs["--server.headless"] == "true" and pairs["--server.runOnSave"] == "true"
    assert pairs["--server.fileWatcherType"] == "auto"
    assert pairs["--client.showErrorDetails"] == "full", "dev keeps tracebacks"


def test_production_pages_hide_error_details() -> None:
    flags = streamlit_cli_flags(FluxlitSettings())
    pairs = dict(zip(flags[::2], flags[1::2], strict=True))
    assert pairs["--client.showErrorDetails"] == "none"
