"""A generic OpenID Connect client: discovery, PKCE authorization, code exchange, ID tokens."""

from __future__ import annotations

import base64
import hashlib
import inspect
import secrets
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlencode

import httpx
from anyio import to_thread

from fluxlit.auth.jwks import JWKSCache
from fluxlit.auth.jwt import ASYMMETRIC_ALGORITHMS
from fluxlit.auth.pyjwt import pyjwt
from fluxlit.errors import FluxLitError


def accepts_nonce(provider: OIDCProvider) -> bool:
    """Whether ``provider.authorization_url`` takes a ``nonce`` keyword (or ``**kwargs``)."""
    try:
        params = inspect.signature(provider.authorization_url).parameters.values()
    except (TypeError, ValueError):  # no signature to read: pass it, as before
        return True
    return any(p.name == "nonce" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def pkce_pair() -> tuple[str, str]:
    """A fresh ``(code_verifier, S256 code_challenge)`` pair."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OIDCError(FluxLitError, ValueError):
    """The identity provider answered something a login cannot use."""


@runtime_checkable
class OIDCProvider(Protocol):
    """Minimal OIDC surface the BFF routes need: authorize, exchange, (verify).

    ``authorization_url`` may also take a ``nonce: str`` keyword (or ``**kwargs``):
    the BFF passes the login's nonce only to providers that accept it, so providers
    written without one keep working.
    """

    async def authorization_url(
        self, *, redirect_uri: str, state: str, code_challenge: str, scope: str
    ) -> str:
        """URL of the provider's login page for this attempt."""
        ...

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        """Trade an authorization code for the provider's token response."""
        ...


@dataclass
class GenericOIDCClientConfig:
    """Where the provider is and who this client is."""

    issuer: str
    client_id: str
    client_secret: str
    http_timeout: float = 30.0


class GenericOIDCClient:
    """OIDC provider found through ``/.well-known/openid-configuration`` (code + PKCE)."""

    def __init__(self, config: GenericOIDCClientConfig) -> None:
        self.config = config
        self._discovery: dict[str, Any] | None = None
        self._jwks: JWKSCache | None = None

    async def discovery(self) -> dict[str, Any]:
        """The provider's metadata (fetched once); its issuer must match the config."""
        if self._discovery is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=self.config.http_timeout) as client:
                response = await client.get(url)
                response.raise_for_status()
                data = response.json()
            if data.get("issuer", "").rstrip("/") != self.config.issuer.rstrip("/"):
                raise OIDCError("OIDC discovery returned a different issuer than configured")
            self._discovery = data
        return self._discovery

    async def authorization_url(
        self,
        *,
        redirect_uri: str,
        state: str,
        code_challenge: str,
        scope: str,
        nonce: str | None = None,
    ) -> str:
        """The provider's login URL (code flow, PKCE S256; ``nonce`` when given)."""
        meta = await self.discovery()
        params = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if nonce is not None:
            params["nonce"] = nonce
        return f"{meta['authorization_endpoint']}?{urlencode(params)}"

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        meta = await self.discovery()
        async with httpx.AsyncClient(timeout=self.config.http_timeout) as client:
            response = await client.post(
                meta["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": code_verifier,
                },
                auth=(self.config.client_id, self.config.client_secret),
            )
        if response.status_code != 200:
            raise OIDCError(f"token endpoint answered {response.status_code}")
        data: dict[str, Any] = response.json()
        return data

    async def verify_id_token(
        self, id_token: str, *, nonce: str, audience: str = "", leeway: int = 0
    ) -> dict[str, Any]:
        """Verify signature (JWKS), issuer, audience, expiry and nonce; return the claims.

        The provider's keys are cached for five minutes, so a key it removed stops
        verifying; an unknown ``kid`` refetches early at most every 30 seconds.
        """
        jwt = pyjwt()
        meta = await self.discovery()
        if self._jwks is None:
            self._jwks = JWKSCache(meta["jwks_uri"], timeout=self.config.http_timeout)
        header = jwt.get_unverified_header(id_token)
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in ASYMMETRIC_ALGORITHMS:
            raise OIDCError("ID token must be signed with an asymmetric algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise OIDCError("ID token has no usable kid")
        key = await to_thread.run_sync(self._jwks.signing_key, kid)
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key=key.key,
            algorithms=[algorithm],
            audience=audience or self.config.client_id,
            issuer=meta["issuer"],
            leeway=leeway,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        if claims.get("nonce") != nonce:
            raise OIDCError("ID token nonce does not match this login")
        return claims
