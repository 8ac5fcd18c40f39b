"""What a real browser sees when Redis dies under a running app, in both runtime modes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.servers import redis_server, stop_process

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
MODES = ["inprocess", "sidecar"]


# Finding 9: Redis down ----------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private redis-server; the test may stop it."""
    with redis_server(tmp_path) as running:
        yield running


@pytest.mark.live
@pytest.mark.parametrize("mode", MODES)
def test_pages_keep_rendering_when_redis_dies(
    browser, launch, page_text, private_redis, mode: str
) -> None:
    url, redis_process = private_redis
    server = launch(mode, {"HARD_REDIS_URL": url})
    assert "Visits: 1" in page_text(browser, server.base + "/", "Hardening home")
    stop_process(redis_process, timeout=10)
    for _ in range(2):
        text = page_text(browser, server.base + "/", "Hardening home")
        assert "Visits: 1" in text
        assert "ConnectionError" not in text and "Traceback" not in text
    log = server.output()
    assert log.count("is unreachable") == 1, "one clear warning, naming the store"
    assert "RedisSessionStore" in log
    assert "Traceback" not in log
