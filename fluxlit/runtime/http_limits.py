"""Limits on the HTTP request head, enforced in Uvicorn before any ASGI app runs.

Uvicorn's ``httptools`` parser accepts request lines and headers of any size and
waits forever for a head that never ends. ``LimitedHttpToolsProtocol`` counts the
bytes of each request head as they arrive and answers 431 once they pass
``h11_max_incomplete_event_size`` (the same limit Uvicorn's ``h11`` parser enforces
itself), and closes a connection whose head is not complete within
``timeout_keep_alive`` seconds with 408. Both values come from the Uvicorn ``Config``,
so the class pickles by name into ``--reload`` children. The header *count* is
checked later, in the gateway (``fluxlit.gateway.header_limits``).

This subclasses Uvicorn's protocol class (``uvicorn.protocols.http.httptools_impl``),
the class its ``--http httptools`` option names: Uvicorn has no setting for these
limits. When ``httptools`` is missing, Uvicorn's ``h11`` protocol is used with the
same byte limit (and no head timeout).
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any

from fluxlit.config.settings import FluxlitSettings
from fluxlit.metrics.registry import record_gateway_refusal

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is not installed
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

HEAD_TOO_LARGE = 431
HEAD_TIMEOUT = 408


def _plain_response(status: int, reason: str, text: str) -> bytes:
    body = (text + "\n").encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode() + body


TOO_LARGE_RESPONSE = _plain_response(
    HEAD_TOO_LARGE,
    "Request Header Fields Too Large",
    "Request line and headers are too large; see FLUXLIT_MAX_REQUEST_HEADER_BYTES.",
)
TIMEOUT_RESPONSE = _plain_response(
    HEAD_TIMEOUT,
    "Request Timeout",
    "The request headers did not arrive in time; see FLUXLIT_REQUEST_HEADER_TIMEOUT_S.",
)

if HttpToolsProtocol is not None:

    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        """Uvicorn's ``httptools`` protocol with a byte limit and a deadline per request head."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._head_limit: int = self.config.h11_max_incomplete_event_size or 65536
            self._head_bytes = 0
            self._tail = b""
            self._in_head = True
            self._refused = False
            self._head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_head_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_head_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                if self._head_timer is None:
                    self._start_head_timer()
                room = self._head_limit - self._head_bytes
                self._head_bytes += len(data)
                # Over the limit only if the head does not end within it (a body may
                # follow the head in the same chunk).
                window = self._tail + data[: max(room, 0) + 4]
                if self._head_bytes > self._head_limit and b"\r\n\r\n" not in window:
                    self._refuse(TOO_LARGE_RESPONSE)
                    return
                self._tail = data[-3:]
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._head_bytes = 0
            self._tail = b""
            self._stop_head_timer()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._in_head = True  # what arrives next starts a new request head

        def _start_head_timer(self) -> None:
            self._head_timer = self.loop.call_later(self.timeout_keep_alive, self._head_late)

        def _stop_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_late(self) -> None:
            self._head_timer = None
            if self._in_head and not self.transport.is_closing():
                # A connection that never sent a byte is closed silently, like an idle
                # keep-alive one; a partial head gets 408.
                self._refuse(TIMEOUT_RESPONSE if self._head_bytes else b"")

        def _refuse(self, response: bytes) -> None:
            self._refused = True
            self._stop_head_timer()
            if response:
                too_large = response is TOO_LARGE_RESPONSE
                record_gateway_refusal("header_limit" if too_large else "header_timeout")
                self.transport.write(response)
            self.transport.close()


def uvicorn_limit_options(settings: FluxlitSettings) -> dict[str, Any]:
    """Uvicorn ``Config`` keyword arguments for the head limits and the connection cap.

    ``timeout_keep_alive`` bounds both an idle keep-alive connection and the time a
    request head may take; ``limit_concurrency`` answers 503 once that many
    connections and tasks are open (``FLUXLIT_MAX_CONNECTIONS``, 0: no cap).
    """
    options: dict[str, Any] = {
        "h11_max_incomplete_event_size": settings.max_request_header_bytes,
        "timeout_keep_alive": settings.request_header_timeout_s,
        "limit_concurrency": settings.max_connections or None,
        "server_header": False,
    }
    if HttpToolsProtocol is not None:
        options["http"] = LimitedHttpToolsProtocol
    return options


def raise_open_file_limit() -> tuple[int, int]:
    """Raise this process's soft open-file limit to its hard limit; return both.

    Every connection holds a descriptor; the common soft default (1024) would let a
    thousand idle sockets lock everyone else out long before the connection cap does.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # e.g. an unlimited hard limit on macOS
            pass
    return soft, hard
