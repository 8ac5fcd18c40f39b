"""PyJWT, the optional dependency behind every JWT feature (``pip install "fluxlit[auth]"``).

Its own module so the JWKS cache, the bearer and the OIDC client import it from one
place, and none of them needs another to reach it.
"""

from __future__ import annotations

from types import ModuleType

from fluxlit.errors import FluxLitError

INSTALL_HINT = 'JWT support needs PyJWT: pip install "fluxlit[auth]"'


class MissingPyJWTError(FluxLitError, ImportError):
    """PyJWT is not installed; the message says how to install it."""


def pyjwt() -> ModuleType:
    """The ``jwt`` module, or ``MissingPyJWTError`` with the install command."""
    try:
        import jwt
    except ImportError as exc:
        raise MissingPyJWTError(INSTALL_HINT) from exc
    return jwt


__all__ = ["INSTALL_HINT", "MissingPyJWTError", "pyjwt"]
