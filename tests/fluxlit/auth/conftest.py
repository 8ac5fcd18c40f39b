"""Fixtures for the auth tests: DEBUG log capture and a JWKS served on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.helpers.auth import KeySet, jwks_app
from tests.helpers.servers import serve_app


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, including those configured to a higher level."""
    manager = logging.Logger.manager
    loggers = [logging.getLogger(name) for name in list(manager.loggerDict)]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        yield caplog
    for lg, level in levels:
        lg.setLevel(level)


@pytest.fixture(scope="module")
def keyset() -> Iterator[tuple[KeySet, str]]:
    """A KeySet served at ``http://127.0.0.1:<port>/jwks.json`` by a real server."""
    keys = KeySet()
    with serve_app(jwks_app(keys)) as server:
        yield keys, server.url + "/jwks.json"


@pytest.fixture
def own_keyset() -> Iterator[tuple[KeySet, str]]:
    """Like ``keyset``, but fresh for one test, which may add and remove keys."""
    keys = KeySet()
    with serve_app(jwks_app(keys)) as server:
        yield keys, server.url + "/jwks.json"
