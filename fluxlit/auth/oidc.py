"""Generic OIDC client and backend-for-frontend auth routes (``fluxlit[auth]``)."""

from fluxlit.auth.bff_routes import OIDCBFFConfig, register_oidc_bff_routes
from fluxlit.auth.bff_store import InMemoryOIDCBFFTokenStore, OIDCBFFTokenStore
from fluxlit.auth.oidc_client import (
    GenericOIDCClient,
    GenericOIDCClientConfig,
    OIDCProvider,
    pkce_pair,
)

__all__ = [
    "GenericOIDCClient",
    "GenericOIDCClientConfig",
    "InMemoryOIDCBFFTokenStore",
    "OIDCBFFConfig",
    "OIDCBFFTokenStore",
    "OIDCProvider",
    "pkce_pair",
    "register_oidc_bff_routes",
]
