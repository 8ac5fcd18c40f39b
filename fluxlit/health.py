"""Readiness probes for the Streamlit side of the unified runtime."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from fluxlit.config.settings import FluxlitSettings
from fluxlit.paths import normalize_public_mount

HEALTH_PATH = "/_stcore/health"


def configured_upstream() -> str | None:
    """Streamlit base URL from ``FLUXLIT_STREAMLIT_UPSTREAM_FILE`` or ``..._UPSTREAM``."""
    state_file = os.environ.get("FLUXLIT_STREAMLIT_UPSTREAM_FILE")
    if state_file:
        try:
            text = Path(state_file).read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text:
            return text
    return os.environ.get("FLUXLIT_STREAMLIT_UPSTREAM") or None


def _streamlit_readiness_urls(upstream: str, settings: FluxlitSettings | None) -> list[str]:
    """Health URLs to try: under Streamlit's base path (if any), then at the root."""
    base = upstream.rstrip("/")
    mount = ""
    if settings is not None:
        mount = normalize_public_mount(settings.root_path or settings.streamlit_public_path)
    urls = [base + mount + HEALTH_PATH] if mount else []
    urls.append(base + HEALTH_PATH)
    return urls


async def probe_streamlit_ready(
    *,
    timeout_s: float = 0.5,
    upstream: str | None = None,
    settings: FluxlitSettings | None = None,
) -> tuple[bool, str]:
    """Return ``(ok, detail)``: does the Streamlit upstream answer HTTP with a 2xx?

    Without a configured upstream (bare FastAPI tests) the answer is
    ``(True, "not_configured")``. When every candidate fails, ``detail`` lists each
    path with its status, e.g. ``upstream_http_failed /_stcore/health:503``.
    """
    target = upstream or configured_upstream()
    if not target:
        return True, "not_configured"
    failures = []
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        for url in _streamlit_readiness_urls(target, settings):
            path = url[len(target.rstrip("/")) :] or "/"
            try:
                response = await client.get(url)
            except httpx.HTTPError as exc:
                failures.append(f"{path}:{type(exc).__name__}")
                continue
            if 200 <= response.status_code < 300:
                return True, "ok"
            failures.append(f"{path}:{response.status_code}")
    return False, "upstream_http_failed " + ";".join(failures)
