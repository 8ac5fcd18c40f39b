"""Refuse requests with too many header fields (the byte size is bounded by the server)."""

from __future__ import annotations

Headers = list[tuple[bytes, bytes]]

TOO_MANY_HEADERS = "Too many request headers; see FLUXLIT_MAX_REQUEST_HEADERS."


def too_many_headers(headers: Headers, limit: int) -> bool:
    """True when ``headers`` has more than ``limit`` fields."""
    return len(headers) > limit
