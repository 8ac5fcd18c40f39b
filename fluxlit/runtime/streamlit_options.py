"""Streamlit server options FluxLit sets, for both the in-process and sidecar modes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fluxlit.config.settings import FluxlitSettings
from fluxlit.errors import ConfigurationError
from fluxlit.logging.output import STREAMLIT_LINE_FORMAT, apply_log_format, effective_log_format
from fluxlit.paths import normalize_public_mount


def public_mount(settings: FluxlitSettings) -> str:
    """The browser-visible prefix (``root_path`` or ``streamlit_public_path``)."""
    return normalize_public_mount(settings.root_path or settings.streamlit_public_path)


def cli_pairs(args: Sequence[str]) -> list[tuple[str, str]]:
    """Turn ``["--theme.base", "dark", "--a.b=c"]`` into ``[("theme.base", "dark"), ...]``."""
    pairs: list[tuple[str, str]] = []
    items = list(args)
    index = 0
    while index < len(items):
        token = items[index]
        if not token.startswith("--"):
            raise ConfigurationError(
                f"streamlit_run_cli_args: expected an option like --theme.base, got {token!r}"
            )
        key, sep, value = token[2:].partition("=")
        if not sep:
            if index + 1 >= len(items):
                raise ConfigurationError(f"streamlit_run_cli_args: {token} needs a value")
            index += 1
            value = items[index]
        pairs.append((key, value))
        index += 1
    return pairs


def streamlit_options(settings: FluxlitSettings, *, dev: bool = False) -> dict[str, Any]:
    """Streamlit config options, the same in both runtime modes: base path, headless, no
    usage statistics, no "view your app at" banner (the gateway prints the public URL),
    file watching only in dev, error details only in dev (or with the
    debug setting), no WebSocket compression, and the user's ``streamlit_run_cli_args``
    (which win)."""
    options: dict[str, Any] = {
        "server.baseUrlPath": public_mount(settings).strip("/"),
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "logger.hideWelcomeMessage": True,
        "server.fileWatcherType": "auto" if dev else "none",
        "server.runOnSave": dev,
        "client.showErrorDetails": "full" if dev or settings.debug else "none",
        "server.enableWebsocketCompression": False,
    }
    if effective_log_format(settings) == "json":
        # Streamlit's text lines become JSON records; this format keeps level and logger.
        options["logger.messageFormat"] = STREAMLIT_LINE_FORMAT
    options.update(cli_pairs(settings.streamlit_run_cli_args))
    return options


def streamlit_cli_flags(settings: FluxlitSettings, *, dev: bool = False) -> list[str]:
    """The same options as ``streamlit run`` flags, for the sidecar."""
    flags: list[str] = []
    for key, value in streamlit_options(settings, dev=dev).items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        flags += [f"--{key}", text]
    return flags


def configure_inprocess_streamlit(settings: FluxlitSettings, *, dev: bool = False) -> None:
    """Apply FluxLit's options to this process's Streamlit config (before ``st.App``)."""
    from streamlit import config

    config.get_config_options(
        force_reparse=True, options_from_flags=streamlit_options(settings, dev=dev)
    )
    silence_uvicorn_access_log()
    apply_log_format(settings)  # Streamlit re-attached its handlers: adopt them again


def inprocess_websocket_options(settings: FluxlitSettings, *, dev: bool = False) -> dict[str, Any]:
    """Uvicorn WebSocket settings as ``streamlit run`` sets them, from Streamlit's config.

    In-process, Uvicorn (not Streamlit's own server) terminates the browser's
    WebSocket, so without these it would compress every message (Streamlit does not
    by default) and ignore ``server.websocketPingInterval``. Incoming messages are
    capped at ``inbound_message_limit``.
    """
    from streamlit import config
    from uvicorn.config import WS_PROTOCOLS

    configure_inprocess_streamlit(settings, dev=dev)
    interval = config.get_option("server.websocketPingInterval")
    ping = int(interval) if interval is not None else 30  # Streamlit's default
    return {
        "ws": "websockets-sansio" if "websockets-sansio" in WS_PROTOCOLS else "auto",
        "ws_max_size": inbound_message_limit(settings, dev=dev),
        "ws_per_message_deflate": bool(config.get_option("server.enableWebsocketCompression")),
        "ws_ping_interval": float(ping),
        "ws_ping_timeout": float(ping),
    }


def inbound_message_limit(settings: FluxlitSettings, *, dev: bool = False) -> int:
    """The largest WebSocket message a browser may send, in bytes, in both modes.

    Streamlit closes a client message over ``server.maxWidgetStateSize`` (MB) with
    1009 after reading it whole; ``server.maxMessageSize`` (200 MB) only bounds what
    Streamlit sends. Uvicorn gets this limit as ``ws_max_size``, so a larger message
    is refused from its frame header, before it is buffered.
    """
    from streamlit import config

    configure_inprocess_streamlit(settings, dev=dev)
    return int(config.get_option("server.maxWidgetStateSize")) * 1_000_000


def silence_uvicorn_access_log() -> None:
    """Keep Uvicorn's per-request access log off after Streamlit re-attaches handlers.

    Uvicorn logs a request whenever ``uvicorn.access`` has handlers; Streamlit adds one
    when it (re)configures logging. FluxLit's own access log is
    ``FLUXLIT_ENABLE_GATEWAY_ACCESS_LOG`` (structured, redacted).
    """
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
