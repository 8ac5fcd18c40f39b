"""Small URL-path helpers shared by the app object, URL builders and the gateway."""

from __future__ import annotations

import re

DEFAULT_API_PREFIX = "/api"
_SEGMENT_RE = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+"
_SEGMENT = re.compile(_SEGMENT_RE)
_NAMED = rf"(?!\.\.?(?:/|$)){_SEGMENT_RE}"  # a segment that is not '.' or '..'
URL_PATH_PATTERN = rf"^/*(?:{_NAMED}(?:/{_NAMED})*)?/*$"
"""What ``url_path_problem`` accepts (without surrounding spaces), as a JSON Schema pattern."""


def url_path_problem(value: str) -> str | None:
    """Why ``value`` is not a plain URL path prefix such as ``/api`` or ``/apps/demo``.

    Segments may hold RFC 3986 path characters only: no spaces, quotes, backslashes,
    ``?``, ``#``, braces, empty segments (``//``) or ``.``/``..``. ``None`` when fine.
    """
    text = value.strip().strip("/")
    if not text:
        return None
    for segment in text.split("/"):
        if segment in {"", ".", ".."}:
            return f"{value!r} has an empty, '.' or '..' segment"
        if not _SEGMENT.fullmatch(segment):
            return (
                f"{value!r} is not a URL path: use letters, digits and - . _ ~ "
                "between '/' (other characters percent-encoded)"
            )
    return None


def normalize_api_prefix(value: str | None) -> str:
    """Return the API prefix with one leading ``/`` and no trailing ``/`` (``/`` stays).

    Empty or blank values fall back to ``/api``; a value that is not a URL path
    (see ``url_path_problem``) raises ``ValueError``.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_API_PREFIX
    problem = url_path_problem(text)
    if problem:
        raise ValueError(f"api_mount_path {problem}")
    return "/" + text.strip("/")


def normalize_public_mount(value: str | None) -> str:
    """Return a public path prefix such as ``/apps/demo``, or ``""`` when unset or ``/``."""
    text = (value or "").strip().strip("/")
    return "/" + text if text else ""


def public_api_path(root_path: str | None, api_prefix: str | None, path: str) -> str:
    """The public URL path of API route ``path``: public mount, then API prefix, then path.

    ``public_api_path("/demo", "/backend", "/healthz")`` is ``/demo/backend/healthz``.
    """
    prefix = normalize_api_prefix(api_prefix)
    base = normalize_public_mount(root_path) + ("" if prefix == "/" else prefix)
    return join_url_path(base, path)


def join_url_path(base: str, path: str) -> str:
    """Join ``base`` and ``path`` with exactly one ``/`` between them."""
    return base.rstrip("/") + "/" + path.strip().lstrip("/")
