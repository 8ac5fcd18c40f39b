"""Fixtures for every test: environment hygiene, free ports, programs, headless Chromium.

The helpers behind them live in ``tests/helpers/``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require_module, require_program
from tests.helpers.net import free_port


@pytest.fixture(autouse=True)
def restore_fluxlit_env() -> Iterator[None]:
    """Put ``FLUXLIT_*`` variables back after each test.

    Runtime code sets some of them in ``os.environ`` on purpose (``FLUXLIT_APP``, the
    internal API base), so without this one test's app would leak into the next.
    """
    saved = {k: v for k, v in os.environ.items() if k.startswith("FLUXLIT_")}
    yield
    for key in [k for k in os.environ if k.startswith("FLUXLIT_") and k not in saved]:
        del os.environ[key]
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def streamlit_error_details() -> Iterator[None]:
    """Give Streamlit its default config back after a test served an app in-process.

    Serving applies FluxLit's production options to this process's Streamlit config;
    ``client.showErrorDetails = none`` would then hide page errors from later AppTests.
    """
    yield
    config = sys.modules.get("streamlit.config")
    if config is not None and config.get_option("client.showErrorDetails") != "full":
        config.get_config_options(force_reparse=True)


@pytest.fixture
def clean_fluxlit_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Remove every ``FLUXLIT_*`` variable and run in an empty directory (no .env)."""
    for key in list(os.environ):
        if key.startswith("FLUXLIT_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def unused_port() -> int:
    """Fixture form of ``free_port``."""
    return free_port()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for one test module.

    Playwright's sync API keeps an event loop running in the main thread while it is
    open, so it is closed after the module rather than held for the whole session.
    """
    chromium = require_program(os.environ.get("FLUXLIT_CHROMIUM", "/usr/bin/chromium"))
    sync_api = require_module("playwright.sync_api", extra="e2e")

    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
