"""OIDC backend-for-frontend routes: login, provider callback, one-time code exchange.

The browser never sees provider tokens. After the provider's callback, the BFF mints a
short first-party JWT, stores it under a one-time code and sends the browser back to
the Streamlit app with ``?auth_code=``; the page exchanges the code server-side.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from fluxlit.auth.bff_store import InMemoryOIDCBFFTokenStore, OIDCBFFTokenStore
from fluxlit.auth.jwt import issue_hs256_access_token
from fluxlit.auth.oidc_client import GenericOIDCClient, OIDCProvider, accepts_nonce, pkce_pair
from fluxlit.errors import ConfigurationError

logger = logging.getLogger("fluxlit.auth")


@dataclass
class OIDCBFFConfig:
    """Settings for ``register_oidc_bff_routes``."""

    oidc: OIDCProvider
    first_party_secret: str
    token_issuer: str = "fluxlit-bff"
    token_audience: str = "fluxlit-app"
    access_token_ttl_seconds: int = 3600
    public_base_url: str = ""
    login_path: str = "/auth/login"
    callback_path: str = "/auth/callback"
    exchange_path: str = "/auth/exchange"
    scope: str = "openid profile email"
    streamlit_redirect_path: str = "/"
    state_ttl_seconds: int = 600
    otc_ttl_seconds: int = 120
    id_token_audience: str = ""
    """Expected ``aud`` of ID tokens; empty means the client id."""
    id_token_leeway_seconds: int = 0
    allow_unverified_id_token_for_custom_oidc: bool = False
    """Let custom providers (not ``GenericOIDCClient``) pass ID tokens without JWKS checks.

    Off by default: only enable for providers that verify tokens themselves, or tests.
    """
    bff_token_store: OIDCBFFTokenStore | None = None
    """Shared storage for PKCE state and one-time codes (default: process memory)."""


class ExchangeRequest(BaseModel):
    """Body of the exchange call."""

    code: str


def _safe_next(value: str | None) -> str:
    """A same-origin path to land on after login; anything else is refused."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        raise HTTPException(400, "next must be a path on this site (e.g. /reports)")
    if "\\" in value or any(ord(c) < 32 for c in value):
        raise HTTPException(400, "next contains characters that are not allowed")
    return value


def _with_auth_code(url: str, code: str) -> str:
    """``url`` with ``auth_code=code`` merged into its query (any earlier one dropped)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "auth_code"]
    query.append(("auth_code", code))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        raise ConfigurationError(
            "OIDCBFFConfig.public_base_url must be absolute, e.g. https://app.example.com "
            "(FLUXLIT_PUBLIC_BASE_URL)"
        )
    return f"{parts.scheme}://{parts.netloc}"


async def _verified_claims(
    config: OIDCBFFConfig, tokens: dict[str, Any], nonce: str
) -> dict[str, Any]:
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise HTTPException(502, "the provider returned no id_token")
    provider = config.oidc
    if isinstance(provider, GenericOIDCClient):
        try:
            return await provider.verify_id_token(
                id_token,
                nonce=nonce,
                audience=config.id_token_audience,
                leeway=config.id_token_leeway_seconds,
            )
        except Exception as exc:
            logger.warning("ID token rejected: %s", type(exc).__name__)
            raise HTTPException(401, "ID token verification failed") from None
    if not config.allow_unverified_id_token_for_custom_oidc:
        raise HTTPException(
            500,
            "custom OIDC providers must verify ID tokens; set "
            "allow_unverified_id_token_for_custom_oidc=True only if yours does",
        )
    from fluxlit.auth.pyjwt import pyjwt

    claims: dict[str, Any] = pyjwt().decode(id_token, options={"verify_signature": False})
    return claims


def register_oidc_bff_routes(
    app: FastAPI, config: OIDCBFFConfig, *, router_prefix: str = ""
) -> APIRouter:
    """Attach login, OAuth callback and Streamlit-friendly token exchange routes to ``app``."""
    origin = _origin(config.public_base_url)
    public_base = config.public_base_url.rstrip("/")
    store = config.bff_token_store or InMemoryOIDCBFFTokenStore(
        state_ttl_seconds=config.state_ttl_seconds, otc_ttl_seconds=config.otc_ttl_seconds
    )
    router = APIRouter(prefix=router_prefix, tags=["auth"])
    pass_nonce = accepts_nonce(config.oidc)

    def callback_uri(request: Request) -> str:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return origin + root + router_prefix + config.callback_path

    @router.get(config.login_path, include_in_schema=False)
    async def login(request: Request, next: str | None = None) -> RedirectResponse:
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier, challenge = pkce_pair()
        redirect_uri = callback_uri(request)
        store.save_pkce_verifier(
            state,
            {
                "verifier": verifier,
                "nonce": nonce,
                "redirect_uri": redirect_uri,
                "next": _safe_next(next),
            },
            now=time.time(),
        )
        extra = {"nonce": nonce} if pass_nonce else {}
        url = await config.oidc.authorization_url(
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=challenge,
            scope=config.scope,
            **extra,
        )
        return RedirectResponse(url, status_code=302)

    @router.get(config.callback_path, include_in_schema=False)
    async def callback(
        code: str | None = None, state: str | None = None, error: str | None = None
    ) -> RedirectResponse:
        if error:
            raise HTTPException(400, f"login failed at the provider ({error[:64]})")
        attempt = store.pop_pkce_verifier(state, now=time.time()) if state else None
        if attempt is None or not code:
            raise HTTPException(400, "unknown, expired or already used login state")
        try:
            tokens = await config.oidc.exchange_code(
                code=code, redirect_uri=attempt["redirect_uri"], code_verifier=attempt["verifier"]
            )
        except Exception as exc:
            logger.warning("code exchange failed: %s", type(exc).__name__)
            raise HTTPException(502, "the provider refused the authorization code") from None
        claims = await _verified_claims(config, tokens, attempt["nonce"])
        subject = claims.get("sub")
        if not subject:
            raise HTTPException(401, "ID token has no subject")
        extra: dict[str, Any] = {k: claims[k] for k in ("email", "name", "roles") if k in claims}
        access_token = issue_hs256_access_token(
            subject=str(subject),
            issuer=config.token_issuer,
            audience=config.token_audience,
            secret=config.first_party_secret,
            ttl_seconds=config.access_token_ttl_seconds,
            extra_claims=extra,
        )
        one_time = secrets.token_urlsafe(32)
        store.save_exchange_token(one_time, {"access_token": access_token}, now=time.time())
        landing = attempt["next"] or config.streamlit_redirect_path
        return RedirectResponse(_with_auth_code(public_base + landing, one_time), status_code=302)

    @router.post(config.exchange_path)
    async def exchange(body: ExchangeRequest) -> dict[str, Any]:
        payload = store.pop_exchange_token(body.code, now=time.time())
        if payload is None:
            raise HTTPException(400, "unknown, expired or already used auth_code")
        return {
            "access_token": payload["access_token"],
            "token_type": "bearer",
            "expires_in": config.access_token_ttl_seconds,
        }

    app.include_router(router)
    return router
