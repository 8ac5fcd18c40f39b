"""Streamlit server options FluxLit sets, for both the in-process and sidecar modes."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from fluxlit.config.settings import FluxlitSettings
from fluxlit.paths import normalize_public_mount


def public_mount(settings: FluxlitSettings) -> str:
    """The browser-visible prefix (``root_path`` or ``streamlit_public_path``)."""
    return normalize_public_mount(settings.root_path or settings.streamlit_public_path)


def streamlit_env(settings: FluxlitSettings, *, dev: bool = False) -> dict[str, str]:
    """``STREAMLIT_*`` variables: base path, headless, no telemetry, file watching."""
    return {
        "STREAMLIT_SERVER_BASE_URL_PATH": public_mount(settings).strip("/"),
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto" if dev else "none",
        "STREAMLIT_SERVER_RUN_ON_SAVE": "true" if dev else "false",
    }


def cli_pairs(args: Sequence[str]) -> list[tuple[str, str]]:
    """Turn ``["--theme.base", "dark", "--a.b=c"]`` into ``[("theme.base", "dark"), ...]``."""
    pairs: list[tuple[str, str]] = []
    items = list(args)
    index = 0
    while index < len(items):
        token = items[index]
        if not token.startswith("--"):
            raise ValueError(
                f"streamlit_run_cli_args: expected an option like --theme.base, got {token!r}"
            )
        key, sep, value = token[2:].partition("=")
        if not sep:
            if index + 1 >= len(items):
                raise ValueError(f"streamlit_run_cli_args: {token} needs a value")
            index += 1
            value = items[index]
        pairs.append((key, value))
        index += 1
    return pairs


def configure_inprocess_streamlit(settings: FluxlitSettings, *, dev: bool = False) -> None:
    """Apply FluxLit's options (and ``streamlit_run_cli_args``) to this process's Streamlit."""
    from streamlit import config

    os.environ.update(streamlit_env(settings, dev=dev))
    config.get_config_options(force_reparse=True)
    for key, value in cli_pairs(settings.streamlit_run_cli_args):
        config.set_option(key, value)
    silence_uvicorn_access_log()


def silence_uvicorn_access_log() -> None:
    """Keep Uvicorn's per-request access log off after Streamlit re-attaches handlers.

    Uvicorn logs a request whenever ``uvicorn.access`` has handlers; Streamlit adds one
    when it (re)configures logging. FluxLit's own access log is
    ``FLUXLIT_ENABLE_GATEWAY_ACCESS_LOG`` (structured, redacted).
    """
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
