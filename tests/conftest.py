"""Shared fixtures: free ports and real external programs (Redis, nginx, Chromium, node)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_program(name: str, *candidates: str) -> str:
    """Return the path of an external program, or skip (locally) / fail (in CI).

    CI installs every program the suite needs (see ``tests/setup/``), so a missing
    program there is a broken setup, not a reason to skip.
    """
    for candidate in (name, *candidates):
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    message = f"{name} is not installed; run `bash tests/setup/system.sh` to install it"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


@pytest.fixture
def clean_fluxlit_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Remove every ``FLUXLIT_*`` variable and run in an empty directory (no .env)."""
    for key in list(os.environ):
        if key.startswith("FLUXLIT_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def program() -> object:
    """Fixture form of ``require_program``: ``program("redis-server")`` returns a path."""
    return require_program


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
    chromium = os.environ.get("FLUXLIT_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).is_file():
        message = "Chromium is not installed; run `bash tests/setup/system.sh`"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
