"""Small URL-path helpers shared by the app object, URL builders and the gateway."""

from __future__ import annotations

import re

from fluxlit.errors import ConfigurationError

DEFAULT_API_PREFIX = "/api"
_SEGMENT_RE = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+"
_SEGMENT = re.compile(_SEGMENT_RE)
_NAMED = rf"(?!\.\.?(?:/|$)){_SEGMENT_RE}"  # a segment that is not '.' or '..'
URL_PATH_PATTERN = rf"^/*(?:{_NAMED}(?:/+{_NAMED})*)?/*$"
"""What ``url_path_problem`` accepts (without surrounding spaces), as a JSON Schema pattern."""


def url_path_problem(value: str) -> str | None:
    """Why ``value`` is not a plain URL path prefix such as ``/api`` or ``/apps/demo``.

    Repeated slashes count as one. Segments may hold RFC 3986 path characters only:
    no spaces, quotes, backslashes, ``?``, ``#``, braces, or ``.``/``..`` segments.
    ``None`` when fine.
    """
    for segment in path_segments(value):
        if segment in {".", ".."}:
            return f"{value!r} has a '.' or '..' segment"
        if not _SEGMENT.fullmatch(segment):
            return (
                f"{value!r} is not a URL path: use letters, digits and - . _ ~ "
                "between '/' (other characters percent-encoded)"
            )
    return None


def path_segments(value: str) -> list[str]:
    """The non-empty ``/``-separated parts of ``value`` (surrounding spaces dropped)."""
    return [segment for segment in value.strip().split("/") if segment]


def normalize_api_prefix(value: str | None) -> str:
    """Return the API prefix with one leading ``/`` and no trailing ``/`` (``/`` stays).

    Repeated slashes collapse (``1//1`` is ``/1/1``). Empty or blank values fall back
    to ``/api``; a value that is not a URL path (see ``url_path_problem``) raises
    ``ValueError``.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_API_PREFIX
    problem = url_path_problem(text)
    if problem:
        raise ConfigurationError(f"api_mount_path {problem}")
    return "/" + "/".join(path_segments(text))


def normalize_public_mount(value: str | None) -> str:
    """Return a public path prefix such as ``/apps/demo``, or ``""`` when unset or ``/``.

    Repeated slashes collapse, as in ``normalize_api_prefix``.
    """
    segments = path_segments(value or "")
    return "/" + "/".join(segments) if segments else ""


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
