"""Request-id context shared by the gateway, the API and the page client."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

request_id_ctx: ContextVar[str | None] = ContextVar("fluxlit_request_id", default=None)
MAX_REQUEST_ID_LENGTH = 128
_SANE_ID = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,%d}" % MAX_REQUEST_ID_LENGTH)


def is_sane_request_id(value: bytes) -> bool:
    """Whether a client's ``X-Request-ID`` may be kept: 1-128 characters of a safe set."""
    return _SANE_ID.fullmatch(value) is not None


def new_request_id() -> str:
    """Generate a new opaque request ID (UUID4 string)."""
    return str(uuid.uuid4())


def set_request_id(value: str | None) -> Token[str | None]:
    """Bind ``value`` into ``request_id_ctx``; returns a token for ``reset_request_id``."""
    return request_id_ctx.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    """Restore the previous context after ``set_request_id`` (typically in ``finally``)."""
    request_id_ctx.reset(token)


def get_request_id() -> str | None:
    """Return the request ID bound to the current context, if any."""
    return request_id_ctx.get()
