"""What a real browser sees when a page raises or Redis dies, in both runtime modes."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require_program
from tests.helpers.net import free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
MODES = ["inprocess", "sidecar"]


def page_text(browser, url: str, wait_for: str, *, element: str | None = None) -> str:
    """Open ``url`` in a fresh context, wait for the text ``wait_for`` (and the
    ``element`` selector, if given), return the page's text."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.get_by_text(wait_for).first.wait_for(timeout=60_000)
        if element:
            page.locator(element).first.wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # let the rest of the script's output arrive
        return page.inner_text("body")
    finally:
        context.close()


# Finding 7: no traceback in the browser ---------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_failing_page_shows_no_traceback(browser, launch, mode: str) -> None:
    server = launch(mode)
    text = page_text(
        browser, server.base + "/boom", "Boom page", element='[data-testid="stException"]'
    )
    assert "encountered an error" in text, "the user is told something went wrong"
    for secret in ("kaboom-secret-detail", "Traceback", "hardapp.py", "RuntimeError", "/"):
        if secret == "/":
            assert "site-packages" not in text and str(Path.home()) not in text
        else:
            assert secret not in text, f"{secret!r} reached the browser"
    time.sleep(0.5)
    log = re.sub(r"\x1b\[[0-9;]*m", "", server.output())  # Streamlit colours tracebacks
    assert log.count("RuntimeError: kaboom-secret-detail") == 1, "the log keeps it, once"


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
def test_pages_keep_rendering_when_redis_dies(browser, launch, redis_server, mode: str) -> None:
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
