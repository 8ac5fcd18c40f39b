"""Security middleware and HTTP hardening switched on from settings."""

from __future__ import annotations

from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from fluxlit.config.settings import FluxlitSettings
from fluxlit.gateway.security_headers import security_headers

BASELINE_HEADERS: dict[str, str] = security_headers(FluxlitSettings.model_construct())
"""The default policy: nosniff, same-origin framing only, referrer and permissions policies."""


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    """Add security headers (``BASELINE_HEADERS`` unless ``headers`` is given), never
    overwriting one the app already set.

    Opt-in with ``FLUXLIT_SECURITY_HEADERS=true``: the gateway then adds the same
    headers to UI responses too (``fluxlit.gateway.security_headers``).
    """

    def __init__(
        self, app: ASGIApp, dispatch: Any = None, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(app, dispatch)
        self.headers = BASELINE_HEADERS if headers is None else headers

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in self.headers.items():
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
        api.add_middleware(SecurityHeadersMiddleware, headers=security_headers(settings))
