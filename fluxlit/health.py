"""Readiness probe for the Streamlit sidecar of the unified runtime."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from fluxlit.config.settings import FluxlitSettings
from fluxlit.paths import normalize_public_mount

HEALTH_PATH = "/_stcore/health"


def configured_upstream() -> str | None:
    """The Streamlit base URL from ``FLUXLIT_STREAMLIT_UPSTREAM_FILE`` or ``..._UPSTREAM``.

    The file (written by the runtime, rewritten when Streamlit restarts on a new port)
    wins over the plain variable; an unreadable or empty file falls back to it.
    """
    state_file = os.environ.get("FLUXLIT_STREAMLIT_UPSTREAM_FILE")
    if state_file:
        try:
            text = Path(state_file).read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return text
    return os.environ.get("FLUXLIT_STREAMLIT_UPSTREAM", "").strip() or None


def _streamlit_readiness_urls(upstream: str, settings: FluxlitSettings) -> list[str]:
    """URLs of Streamlit's health route: under its base path first, then at the root.

    The base path is the public mount (``root_path``, else ``streamlit_public_path``),
    which the runtime gives Streamlit as ``server.baseUrlPath``. It is not added twice
    when ``upstream`` already ends with it.
    """
    base = upstream.rstrip("/")
    mount = normalize_public_mount(settings.root_path or settings.streamlit_public_path)
    root = base
    if mount and urlsplit(base).path.endswith(mount):
        root = base[: -len(mount)]
    urls = [root + mount + HEALTH_PATH] if mount else []
    if root + HEALTH_PATH not in urls:
        urls.append(root + HEALTH_PATH)
    return urls


async def probe_streamlit_ready(
    *,
    timeout_s: float = 0.5,
    upstream: str | None = None,
    settings: FluxlitSettings | None = None,
) -> tuple[bool, str]:
    """Return ``(ok, detail)``: does the Streamlit upstream accept HTTP traffic?

    The upstream is ``upstream``, else the one the runtime published in the
    environment; with none, the answer is ``(True, "not_configured")`` (bare FastAPI
    tests). Otherwise one candidate health URL must answer ``GET`` with a 2xx within
    ``timeout_s`` each. When all fail, ``detail`` lists path and status (or error)
    per URL, e.g. ``upstream_http_failed /app/_stcore/health:404;/_stcore/health:503``.
    """
    target = upstream or configured_upstream()
    if not target:
        return True, "not_configured"
    urls = _streamlit_readiness_urls(target, settings or FluxlitSettings())
    failures = []
    async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client:
        for url in urls:
            path = urlsplit(url).path
            try:
                response = await client.get(url)
            except httpx.HTTPError as exc:
                failures.append(f"{path}:{type(exc).__name__}")
                continue
            if 200 <= response.status_code < 300:
                return True, "ok"
            failures.append(f"{path}:{response.status_code}")
    return False, "upstream_http_failed " + ";".join(failures)
