"""Helpers to redact secrets from headers and query strings before logging or tracing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote_plus

REDACTED = "<redacted>"
SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
SENSITIVE_QUERY_KEYS = frozenset(
    {
        "access_token",
        "auth_code",
        "code",
        "fluxlit_sid",
        "id_token",
        "password",
        "refresh_token",
        "secret",
        "state",
        "token",
    }
)


def redact_authorization(value: str | None) -> str:
    """Return a placeholder for an ``Authorization`` value, keeping only the scheme."""
    if not value:
        return ""
    scheme, _, rest = value.strip().partition(" ")
    return f"{scheme} {REDACTED}" if rest else REDACTED


def redact_query_string(query_string: str, *, sensitive_keys: Iterable[str] | None = None) -> str:
    """Return ``query_string`` with the sensitive keys' values replaced by ``<redacted>``.

    ``query_string`` is the raw ``key=value&...`` part (a leading ``?`` is tolerated).
    Segments are handled one by one: a sensitive ``key=value`` loses its value, and
    every other segment, malformed or not, comes back byte for byte. ``sensitive_keys``
    replaces the default list; ``[]`` redacts nothing. Keys match case-insensitively
    after percent-decoding.
    """
    if not query_string:
        return query_string
    keys = SENSITIVE_QUERY_KEYS if sensitive_keys is None else frozenset(sensitive_keys)
    lowered = {k.lower() for k in keys}
    if not lowered:
        return query_string
    segments = query_string.split("&")
    for index, segment in enumerate(segments):
        raw_key, eq, _value = segment.partition("=")
        if not eq:
            continue
        lead = "?" if index == 0 and raw_key.startswith("?") else ""
        name = unquote_plus(raw_key[len(lead) :]).lower()
        if name in lowered:
            segments[index] = f"{raw_key}={REDACTED}"
    return "&".join(segments)


def sanitize_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Copy headers with ``Authorization``, ``Cookie`` and similar values redacted."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for name, value in items:
        lowered = name.lower()
        if lowered in {"authorization", "proxy-authorization"}:
            result[name] = redact_authorization(value)
        elif lowered in SENSITIVE_HEADERS:
            result[name] = REDACTED
        else:
            result[name] = value
    return result
