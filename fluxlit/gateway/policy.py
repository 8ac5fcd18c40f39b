"""What the gateway enforces on every request, in both runtime modes."""

from __future__ import annotations

from dataclasses import dataclass

from fluxlit.config.settings import FluxlitSettings
from fluxlit.gateway.security_headers import security_header_pairs


@dataclass(frozen=True)
class GatewayPolicy:
    """Limits and headers the gateway applies before routing; mirrors the settings.

    ``allowed_hosts`` empty accepts any ``Host``; ``security_headers`` empty adds none;
    ``ws_origins`` ``None`` leaves the UI's WebSocket origin check to the UI app;
    ``api_concurrency`` 0 lets any number of API requests run at once.
    """

    max_request_headers: int = 100
    api_concurrency: int = 0
    allowed_hosts: tuple[str, ...] = ()
    security_headers: tuple[tuple[bytes, bytes], ...] = ()
    ws_origins: frozenset[str] | None = None

    @classmethod
    def from_settings(
        cls, settings: FluxlitSettings | None, *, ws_origins: frozenset[str] | None = None
    ) -> GatewayPolicy:
        """Build the policy from ``FLUXLIT_*`` settings (defaults when ``None``)."""
        if settings is None:
            return cls(ws_origins=ws_origins)
        return cls(
            max_request_headers=settings.max_request_headers,
            api_concurrency=settings.api_concurrency,
            allowed_hosts=tuple(h.strip().lower() for h in settings.allowed_hosts if h.strip()),
            security_headers=security_header_pairs(settings) if settings.security_headers else (),
            ws_origins=ws_origins,
        )
