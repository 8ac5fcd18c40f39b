"""Small URL-path helpers shared by the app object, URL builders and the gateway."""

from __future__ import annotations

DEFAULT_API_PREFIX = "/api"


def normalize_api_prefix(value: str | None) -> str:
    """Return the API prefix with one leading ``/`` and no trailing ``/`` (``/`` stays).

    Empty or blank values fall back to ``/api``.
    """
    text = (value or "").strip()
    if not text:
        return DEFAULT_API_PREFIX
    text = "/" + text.strip("/")
    return text


def normalize_public_mount(value: str | None) -> str:
    """Return a public path prefix such as ``/apps/demo``, or ``""`` when unset or ``/``."""
    text = (value or "").strip().strip("/")
    return "/" + text if text else ""


def join_url_path(base: str, path: str) -> str:
    """Join ``base`` and ``path`` with exactly one ``/`` between them."""
    return base.rstrip("/") + "/" + path.strip().lstrip("/")
