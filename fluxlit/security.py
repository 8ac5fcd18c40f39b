"""Security middleware and HTTP hardening switched on from settings."""

from __future__ import annotations

from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from fluxlit.config.settings import FluxlitSettings

BASELINE_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # Streamlit embeds components in same-origin iframes, so DENY would break them.
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    """Add baseline security headers, never overwriting one the app already set.

    Opt-in with ``FLUXLIT_SECURITY_HEADERS=true``.
    """

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in BASELINE_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def apply_http_hardening(api: object, settings: FluxlitSettings) -> None:
    """Add CORS and security headers to ``api`` when the settings ask for them."""
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    assert isinstance(api, FastAPI)
    if settings.cors_allow_origins or settings.cors_middleware_kwargs:
        kwargs: dict[str, Any] = {"allow_origins": list(settings.cors_allow_origins)}
        kwargs.update(settings.cors_middleware_kwargs)
        api.add_middleware(CORSMiddleware, **kwargs)
    if settings.security_headers:
        api.add_middleware(SecurityHeadersMiddleware)
