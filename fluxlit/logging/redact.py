"""Helpers to redact secrets from headers and query strings before logging or tracing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

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

    ``query_string`` is the raw ``key=value&...`` part (no ``?``). Unparseable input
    is returned unchanged.
    """
    if not query_string:
        return query_string
    keys = {k.lower() for k in (sensitive_keys or SENSITIVE_QUERY_KEYS)}
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return query_string
    cleaned = [(k, REDACTED if k.lower() in keys else v) for k, v in pairs]
    return urlencode(cleaned, safe="<>")


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
