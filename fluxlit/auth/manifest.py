"""Auth declared in ``fluxlit.toml``: the same dependencies a Python app would use."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.params import Depends as DependsParam

from fluxlit.auth.jwt import (
    JWTAuthConfig,
    JWTBearer,
    RequireRoles,
    RequireScopes,
    check_config,
    default_algorithms,
)
from fluxlit.errors import ConfigurationError
from fluxlit.model import AuthModel, AuthRequirement, JWTModel, OIDCModel

MANIFEST_NAMES = {
    "algorithms": "[auth.jwt] algorithms",
    "hs256_secret": "[auth.jwt] hs256_secret_env",
    "jwks_url": "[auth.jwt] jwks_url",
}


def bearer_from_model(jwt: JWTModel) -> JWTBearer:
    """The ``JWTBearer`` for ``[auth.jwt]``; the HS secret comes from the named variable.

    Without ``algorithms`` the defaults match ``make_jwt_bearer``: RS256/ES256 with
    ``jwks_url``, else HS256. Errors name the manifest key to change. Equal tables
    (and secrets) give the same bearer, so all routes of an app share one JWKS cache.
    """
    secret = None
    if jwt.hs256_secret_env:
        secret = os.environ.get(jwt.hs256_secret_env)
        if not secret:
            raise ConfigurationError(
                f"[auth.jwt] hs256_secret_env names ${jwt.hs256_secret_env}, which is not set"
            )
    return _shared_bearer(jwt, secret)


@lru_cache(maxsize=32)
def _shared_bearer(jwt: JWTModel, secret: str | None) -> JWTBearer:
    config = JWTAuthConfig(
        issuer=jwt.issuer,
        audience=jwt.audience,
        algorithms=list(jwt.algorithms or default_algorithms(jwks_url=jwt.jwks_url)),
        jwks_url=jwt.jwks_url,
        hs256_secret=secret,
        leeway_seconds=jwt.leeway_seconds,
        jwks_cache_ttl_seconds=jwt.jwks_cache_ttl_seconds,
    )
    check_config(config, names=MANIFEST_NAMES)
    return JWTBearer(config)


def route_dependencies(auth: AuthModel | None, requirement: AuthRequirement) -> list[DependsParam]:
    """Dependencies for a route declared with ``auth = ...`` (bearer, roles, scopes)."""
    if auth is None or auth.jwt is None:
        raise ConfigurationError("a route declares auth, but the manifest has no [auth.jwt] table")
    bearer = bearer_from_model(auth.jwt)
    deps: list[DependsParam] = [Depends(bearer)]
    if requirement.roles:
        deps.append(
            Depends(RequireRoles(bearer, *requirement.roles, roles_claim=auth.jwt.roles_claim))
        )
    if requirement.scopes:
        deps.append(
            Depends(RequireScopes(bearer, *requirement.scopes, scope_claim=auth.jwt.scope_claim))
        )
    return deps


def attach_manifest_oidc(api: FastAPI, oidc: OIDCModel, settings: Any) -> None:
    """Register the BFF routes an ``[auth.oidc]`` table declares."""
    from fluxlit.auth.bff_routes import OIDCBFFConfig, register_oidc_bff_routes
    from fluxlit.auth.oidc_client import GenericOIDCClient, GenericOIDCClientConfig

    def required(name: str, key: str) -> str:
        value = os.environ.get(name)
        if not value:
            raise ConfigurationError(f"[auth.oidc] {key} names ${name}, which is not set")
        return value

    client = GenericOIDCClient(
        GenericOIDCClientConfig(
            issuer=oidc.issuer,
            client_id=oidc.client_id,
            client_secret=required(oidc.client_secret_env, "client_secret_env"),
        )
    )
    public_base_url = oidc.public_base_url or getattr(settings, "public_base_url", "")
    if not public_base_url:
        raise ConfigurationError(
            "[auth.oidc] needs the app's public origin for redirects: set public_base_url "
            "(e.g. 'https://app.example.com') or FLUXLIT_PUBLIC_BASE_URL"
        )
    register_oidc_bff_routes(
        api,
        OIDCBFFConfig(
            oidc=client,
            first_party_secret=required(oidc.bff_secret_env, "bff_secret_env"),
            public_base_url=public_base_url,
            scope=oidc.scope,
            streamlit_redirect_path=oidc.streamlit_redirect_path,
        ),
    )
