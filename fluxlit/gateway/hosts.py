"""The ``Host`` header check: exactly one, and (when configured) an allowed name."""

from __future__ import annotations

from urllib.parse import urlsplit

Headers = list[tuple[bytes, bytes]]


def host_name(value: str) -> str | None:
    """The lowercase host name of a ``Host`` value (port dropped), ``None`` if malformed."""
    try:
        parts = urlsplit("//" + value)
        _ = parts.port  # validates the port
    except ValueError:
        return None
    if not parts.hostname or parts.username or parts.password or parts.path or parts.query:
        return None
    return parts.hostname.lower().rstrip(".")


def host_allowed(name: str, allowed: tuple[str, ...]) -> bool:
    """``name`` matches an entry of ``allowed`` (``example.com``, ``*.example.com``, ``*``)."""
    for pattern in allowed:
        pattern = pattern.rstrip(".")
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def host_problem(headers: Headers, allowed: tuple[str, ...]) -> str | None:
    """Why the request's ``Host`` is refused (the 400 text), or ``None`` when it is fine.

    More than one ``Host`` is always refused. With ``allowed`` empty any single Host
    (or none, as HTTP/1.0 allows) passes; otherwise it must name an allowed host.
    """
    values = [value for name, value in headers if name == b"host"]
    if len(values) > 1:
        return "More than one Host header."
    if not allowed:
        return None
    name = host_name(values[0].decode("latin-1")) if values else None
    if name is None or not host_allowed(name, allowed):
        return "Host not allowed; add it to FLUXLIT_ALLOWED_HOSTS."
    return None
