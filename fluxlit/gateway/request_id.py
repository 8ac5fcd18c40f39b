"""Request ids at the gateway: accept a sane client value or mint one, then enforce it."""

from __future__ import annotations

import re

from starlette.types import Message, Send

from fluxlit.logging.context import new_request_id

HEADER = b"x-request-id"
MAX_LENGTH = 128
_SAFE = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,%d}" % MAX_LENGTH)

Headers = list[tuple[bytes, bytes]]


def pick_request_id(headers: Headers) -> tuple[str, bool]:
    """Return ``(request_id, headers_ok)`` for a request's headers.

    The client's ``X-Request-ID`` is kept when it is at most 128 characters of a safe
    charset; otherwise a new id is generated. ``headers_ok`` is true when the headers
    already carry exactly that id once, so they can be passed on untouched.
    """
    found: bytes | None = None
    count = 0
    for name, value in headers:
        if name == HEADER:
            count += 1
            if found is None:
                found = value
    if found is not None and _SAFE.fullmatch(found):
        return found.decode("ascii"), count == 1
    return new_request_id(), False


def with_request_id(headers: Headers, request_id: str) -> Headers:
    """Copy ``headers`` with every ``X-Request-ID`` replaced by ``request_id``."""
    kept = [pair for pair in headers if pair[0] != HEADER]
    kept.append((HEADER, request_id.encode("ascii")))
    return kept


def send_with_request_id(send: Send, request_id: str) -> Send:
    """Wrap ``send`` so the response start carries ``X-Request-ID: request_id``."""
    pair = (HEADER, request_id.encode("ascii"))

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [h for h in message.get("headers", ()) if h[0].lower() != HEADER]
            headers.append(pair)
            message["headers"] = headers
        await send(message)

    return wrapped
