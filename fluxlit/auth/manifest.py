"""Auth declared in ``fluxlit.toml``: the same dependencies a Python app would use."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.params import Depends as DependsParam

from fluxlit.auth.jwt import JWTAuthConfig, JWTBearer, RequireRoles, RequireScopes
from fluxlit.model import AuthModel, AuthRequirement, JWTModel, OIDCModel


def bearer_from_model(jwt: JWTModel) -> JWTBearer:
    """A ``JWTBearer`` for ``[auth.jwt]``; the HS secret comes from the named variable."""
    secret = None
    if jwt.hs256_secret_env:
        secret = os.environ.get(jwt.hs256_secret_env)
        if not secret:
            raise ValueError(
                f"[auth.jwt] hs256_secret_env names ${jwt.hs256_secret_env}, which is not set"
            )
    return JWTBearer(
        JWTAuthConfig(
            issuer=jwt.issuer,
            audience=jwt.audience,
            algorithms=list(jwt.algorithms),
            jwks_url=jwt.jwks_url,
            hs256_secret=secret,
            leeway_seconds=jwt.leeway_seconds,
        )
    )


def route_dependencies(auth: AuthModel | None, requirement: AuthRequirement) -> list[DependsParam]:
    """Dependencies for a route declared with ``auth = ...`` (bearer, roles, scopes)."""
    if auth is None or auth.jwt is None:
        raise ValueError("a route declares auth, but the manifest has no [auth.jwt] table")
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
            raise ValueError(f"[auth.oidc] {key} names ${name}, which is not set")
        return value

    client = GenericOIDCClient(
        GenericOIDCClientConfig(
            issuer=oidc.issuer,
            client_id=oidc.client_id,
            client_secret=required(oidc.client_secret_env, "client_secret_env"),
        )
    )
    public_base_url = oidc.public_base_url or getattr(settings, "public_base_url", "")
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
