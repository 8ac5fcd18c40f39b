"""Ports and waiting for servers: the one poll loop every test that starts a server uses."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
NOT_YET = (httpx.HTTPError, OSError)


def free_port() -> int:
    """Return a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _exited(process: subprocess.Popen[Any], what: str) -> AssertionError:
    """The failure for a process that ended early, with the end of its piped output."""
    output = ""
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            data = stream.read()
            output += data.decode(errors="replace") if isinstance(data, bytes) else data
    tail = "\n" + output[-4000:] if output else ""
    return AssertionError(f"{process.args!r} exited with {process.returncode} before {what}{tail}")


def wait_until(
    probe: Callable[[], T | None],
    what: str,
    *,
    timeout: float = 60,
    interval: float = 0.2,
    process: subprocess.Popen[Any] | None = None,
    errors: tuple[type[BaseException], ...] = NOT_YET,
) -> T:
    """Call ``probe`` until it returns something other than ``None``/``False``; return that.

    ``errors`` raised by the probe count as "not yet". When ``process`` exits first, or
    ``timeout`` seconds pass, the wait fails with an assertion naming ``what``.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise _exited(process, what)
        try:
            result = probe()
        except errors:
            result = None
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def answer_200(url: str) -> httpx.Response | None:
    """The response to ``GET url`` when it is 200, else ``None``."""
    response = httpx.get(url, timeout=1)
    return response if response.status_code == 200 else None


def wait_for_200(
    url: str, *, process: subprocess.Popen[Any] | None = None, timeout: float = 60
) -> httpx.Response:
    """Wait until ``GET url`` answers 200 (while ``process``, if given, keeps running)."""
    return wait_until(
        lambda: answer_200(url), f"{url} to answer 200", process=process, timeout=timeout
    )


def statuses_until_exit(
    url: str, process: subprocess.Popen[Any], *, timeout: float = 20, interval: float = 0.05
) -> list[int]:
    """``GET url`` again and again until ``process`` exits (or ``timeout`` passes).

    Returns every status seen, ``0`` where nothing answered: what a load balancer's
    readiness probe saw while the server went down.
    """
    statuses = []
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            statuses.append(httpx.get(url, timeout=1).status_code)
        except NOT_YET:
            statuses.append(0)
        time.sleep(interval)
    return statuses
