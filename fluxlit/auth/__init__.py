"""Authentication helpers: JWT, OIDC backend-for-frontend, Streamlit helpers, proxy headers.

Needs ``pip install "fluxlit[auth]"`` (PyJWT with cryptography).
"""

from fluxlit.auth.jwt import (
    JWTAuthConfig,
    JWTBearer,
    RequireRoles,
    RequireScopes,
    StandardClaims,
    issue_hs256_access_token,
)
from fluxlit.auth.oidc import (
    GenericOIDCClient,
    GenericOIDCClientConfig,
    InMemoryOIDCBFFTokenStore,
    OIDCBFFConfig,
    OIDCBFFTokenStore,
    OIDCProvider,
    register_oidc_bff_routes,
)
from fluxlit.auth.proxy import TrustedProxyUser, TrustedProxyUserConfig, proxy_user_header
from fluxlit.auth.streamlit import (
    bearer_headers_from_session,
    exchange_auth_code_from_query,
    prepare_streamlit_api_client,
)

__all__ = [
    "GenericOIDCClient",
    "GenericOIDCClientConfig",
    "InMemoryOIDCBFFTokenStore",
    "JWTAuthConfig",
    "JWTBearer",
    "OIDCBFFConfig",
    "OIDCBFFTokenStore",
    "OIDCProvider",
    "RequireRoles",
    "RequireScopes",
    "StandardClaims",
    "TrustedProxyUser",
    "TrustedProxyUserConfig",
    "bearer_headers_from_session",
    "exchange_auth_code_from_query",
    "issue_hs256_access_token",
    "prepare_streamlit_api_client",
    "proxy_user_header",
    "register_oidc_bff_routes",
]
