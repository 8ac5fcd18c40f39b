"""What a real browser sees when Redis dies under a running app, in both runtime modes."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require_program
from tests.helpers.net import free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
MODES = ["inprocess", "sidecar"]


# Finding 9: Redis down ----------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private redis-server; the test may stop it."""
    import redis

    binary = require_program("redis-server")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield url, process
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.live
@pytest.mark.parametrize("mode", MODES)
def test_pages_keep_rendering_when_redis_dies(
    browser, launch, page_text, redis_server, mode: str
) -> None:
    url, redis_process = redis_server
    server = launch(mode, {"HARD_REDIS_URL": url})
    assert "Visits: 1" in page_text(browser, server.base + "/", "Hardening home")
    redis_process.terminate()
    redis_process.wait(timeout=10)
    for _ in range(2):
        text = page_text(browser, server.base + "/", "Hardening home")
        assert "Visits: 1" in text
        assert "ConnectionError" not in text and "Traceback" not in text
    log = server.output()
    assert log.count("is unreachable") == 1, "one clear warning, naming the store"
    assert "RedisSessionStore" in log
    assert "Traceback" not in log
