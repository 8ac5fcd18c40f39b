"""JWT bearer validation for FastAPI (``pip install "fluxlit[auth]"``).

HS256 with a shared secret for development; RS256/ES256 (and friends) through a
JWKS URL in production. The algorithm family decides the key: an HS token is only
ever checked with the secret and an RS/ES token only with JWKS keys, so a public key
can never be used as an HMAC secret, and ``alg: none`` is never accepted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from anyio import to_thread
from fastapi import HTTPException, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from fluxlit.auth.jwks import JWKSCache, JWKSUnavailableError, UnknownSigningKeyError
from fluxlit.auth.pyjwt import pyjwt
from fluxlit.errors import FluxLitError

if TYPE_CHECKING:
    from fluxlit.config.settings import FluxlitSettings

MAX_TOKEN_BYTES = 8192
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class JWTConfigError(FluxLitError, ValueError):
    """JWT settings that could not verify tokens; the message names what to change."""


@dataclass
class JWTAuthConfig:
    """Configuration for ``JWTBearer``: who issues tokens, for whom, and how to check them."""

    issuer: str
    audience: str
    algorithms: list[str] = field(default_factory=lambda: ["HS256"])
    jwks_url: str | None = None
    hs256_secret: str | None = None
    leeway_seconds: int = 0
    jwks_refresh_cooldown_seconds: float = 30.0
    """Least time between early JWKS refetches triggered by an unknown ``kid`` (rotation).

    The first unknown ``kid`` after a fetch always refetches; only repeats wait.
    """
    jwks_cache_ttl_seconds: float = 300.0
    """How long fetched JWKS keys are trusted; after that the set is fetched again, so
    a key removed by the issuer stops validating within this time."""

    @classmethod
    def from_fluxlit_settings(cls, settings: FluxlitSettings) -> JWTAuthConfig:
        """The configuration ``FLUXLIT_JWT_*`` settings describe (errors name the variables).

        Needs the issuer, the audience, and either the HS256 secret or the JWKS URL
        (both at once is refused).
        """
        missing = [
            name
            for name, value in (
                ("FLUXLIT_JWT_ISSUER", settings.jwt_issuer),
                ("FLUXLIT_JWT_AUDIENCE", settings.jwt_audience),
            )
            if not value
        ]
        if not settings.jwt_hs256_secret and not settings.jwt_jwks_url:
            missing.append("FLUXLIT_JWT_HS256_SECRET or FLUXLIT_JWT_JWKS_URL")
        if missing:
            raise JWTConfigError("JWT auth is not configured: set " + ", ".join(missing))
        if settings.jwt_hs256_secret and settings.jwt_jwks_url:
            raise JWTConfigError(
                "JWT auth takes FLUXLIT_JWT_HS256_SECRET (development) or FLUXLIT_JWT_JWKS_URL "
                "(production), not both: unset one of them"
            )
        config = cls(
            issuer=settings.jwt_issuer or "",
            audience=settings.jwt_audience or "",
            algorithms=list(settings.jwt_algorithms)
            or default_algorithms(jwks_url=settings.jwt_jwks_url),
            jwks_url=settings.jwt_jwks_url,
            hs256_secret=settings.jwt_hs256_secret,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
        check_config(config, names=SETTINGS_NAMES)
        return config


def default_algorithms(*, jwks_url: str | None) -> list[str]:
    """The algorithms accepted when none are configured: RS256/ES256 with JWKS, else HS256."""
    return ["RS256", "ES256"] if jwks_url else ["HS256"]


CONFIG_NAMES = {
    "algorithms": "JWTAuthConfig.algorithms",
    "hs256_secret": "JWTAuthConfig.hs256_secret",
    "jwks_url": "JWTAuthConfig.jwks_url",
}
SETTINGS_NAMES = {
    "algorithms": "FLUXLIT_JWT_ALGORITHMS",
    "hs256_secret": "FLUXLIT_JWT_HS256_SECRET",
    "jwks_url": "FLUXLIT_JWT_JWKS_URL",
}


def check_config(config: JWTAuthConfig, *, names: dict[str, str] = CONFIG_NAMES) -> None:
    """Refuse a configuration that could not verify tokens; ``names`` say what to change."""
    if not config.hs256_secret and not config.jwks_url:
        raise JWTConfigError(f"JWT auth needs {names['hs256_secret']} or {names['jwks_url']}")
    allowed = set(config.algorithms)
    if not allowed:
        raise JWTConfigError(f"{names['algorithms']} is empty: list the accepted algorithms")
    if "none" in {a.lower() for a in allowed}:
        raise JWTConfigError(f"{names['algorithms']}: the 'none' algorithm is never accepted")
    unknown = allowed - HMAC_ALGORITHMS - ASYMMETRIC_ALGORITHMS
    if unknown:
        raise JWTConfigError(f"{names['algorithms']}: unsupported JWT algorithms {sorted(unknown)}")
    if allowed & HMAC_ALGORITHMS and not config.hs256_secret:
        raise JWTConfigError(
            f"{names['algorithms']} lists HS* algorithms, which need {names['hs256_secret']}; "
            f"with {names['jwks_url']} use RS256/ES256"
        )
    if allowed & ASYMMETRIC_ALGORITHMS and not config.jwks_url:
        raise JWTConfigError(
            f"{names['algorithms']} lists RS*/ES* algorithms, which need {names['jwks_url']}"
        )


class StandardClaims(BaseModel):
    """Common JWT claims plus any extra keys of the token payload."""

    model_config = ConfigDict(extra="allow")

    sub: str | None = None
    iss: str | None = None
    aud: str | list[str] | None = None
    exp: int | float | None = None
    """NumericDate: seconds since the epoch, fractions allowed (RFC 7519)."""
    iat: int | float | None = None
    nbf: int | float | None = None
    scope: str | list[str] | None = None
    roles: str | list[str] | None = None


def _unauthorized(detail: str, *, error: str | None = "invalid_token") -> HTTPException:
    challenge = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


class JWTBearer:
    """FastAPI dependency: validate ``Authorization: Bearer`` and return ``StandardClaims``.

    Missing or invalid tokens get 401 with ``WWW-Authenticate``; the token itself is
    never logged or echoed.
    """

    def __init__(self, config: JWTAuthConfig) -> None:
        check_config(config)
        self.config = config
        self._jwks: JWKSCache | None = None
        if config.jwks_url:
            self._jwks = JWKSCache(
                config.jwks_url,
                ttl_seconds=config.jwks_cache_ttl_seconds,
                cooldown_seconds=config.jwks_refresh_cooldown_seconds,
            )

    @classmethod
    def from_fluxlit_settings(cls, settings: FluxlitSettings) -> JWTBearer:
        """Build a bearer from ``FLUXLIT_JWT_*`` settings (errors name the variables).

        Same rules as ``JWTAuthConfig.from_fluxlit_settings``.
        """
        return cls(JWTAuthConfig.from_fluxlit_settings(settings))

    async def __call__(self, request: Request) -> StandardClaims:
        header = request.headers.get("authorization")
        if not header:
            raise _unauthorized("missing bearer token", error=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("expected 'Authorization: Bearer <token>'", error=None)
        claims = await self.verify(token.strip())
        request.state.claims = claims
        return claims

    async def verify(self, token: str) -> StandardClaims:
        """Check signature, algorithm, issuer, audience and time claims."""
        jwt = pyjwt()
        if len(token) > MAX_TOKEN_BYTES:
            raise _unauthorized("token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _unauthorized("malformed token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.config.algorithms:
            raise _unauthorized("token algorithm not allowed")
        key = await self._key_for(header, algorithm)
        try:
            payload = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("token expired") from None
        except jwt.ImmatureSignatureError:
            raise _unauthorized("token not yet valid") from None
        except jwt.InvalidAudienceError:
            raise _unauthorized("wrong audience") from None
        except jwt.InvalidIssuerError:
            raise _unauthorized("wrong issuer") from None
        except jwt.PyJWTError:
            raise _unauthorized("invalid token") from None
        try:
            return StandardClaims.model_validate(payload)
        except ValidationError:
            raise _unauthorized("token claims have unexpected types") from None

    async def _key_for(self, header: dict[str, Any], algorithm: str) -> Any:
        if algorithm in HMAC_ALGORITHMS:
            return self.config.hs256_secret
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or self._jwks is None:
            raise _unauthorized("unknown signing key")
        try:
            signing_key = await to_thread.run_sync(self._jwks.signing_key, kid)
        except UnknownSigningKeyError:
            raise _unauthorized("unknown signing key") from None
        except JWKSUnavailableError:
            raise HTTPException(503, "signing keys are unavailable; try again later") from None
        return signing_key.key


def _as_list(value: Any) -> list[str]:
    """Roles or scopes from a claim: a space-delimited string or a list of strings.

    Any other shape (an object, a number) grants nothing, so the check answers 403.
    """
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


class RequireRoles:
    """Dependency: a valid token carrying at least one of ``roles`` (claim string or list)."""

    def __init__(self, bearer: JWTBearer, *roles: str, roles_claim: str = "roles") -> None:
        self.bearer = bearer
        self.roles = frozenset(roles)
        self.roles_claim = roles_claim

    async def __call__(self, request: Request) -> StandardClaims:
        claims = await self.bearer(request)
        held = set(_as_list(claims.model_dump().get(self.roles_claim)))
        if self.roles and not held & self.roles:
            raise HTTPException(status_code=403, detail="missing required role")
        return claims


class RequireScopes:
    """Dependency: a valid token granting every one of ``scopes`` (space-delimited or list)."""

    def __init__(self, bearer: JWTBearer, *scopes: str, scope_claim: str = "scope") -> None:
        self.bearer = bearer
        self.scopes = frozenset(scopes)
        self.scope_claim = scope_claim

    async def __call__(self, request: Request) -> StandardClaims:
        claims = await self.bearer(request)
        granted = set(_as_list(claims.model_dump().get(self.scope_claim)))
        if not self.scopes <= granted:
            raise HTTPException(status_code=403, detail="missing required scope")
        return claims


def issue_hs256_access_token(
    *,
    subject: str,
    issuer: str,
    audience: str,
    secret: str,
    ttl_seconds: int,
    extra_claims: dict[str, Any] | None = None,
) -> str:
    """Mint a short-lived HS256 JWT (for the BFF and development; keep ``secret`` server-side)."""
    now = int(time.time())
    payload: dict[str, Any] = dict(extra_claims or {})
    payload.update(
        {"sub": subject, "iss": issuer, "aud": audience, "iat": now, "exp": now + ttl_seconds}
    )
    return str(pyjwt().encode(payload, secret, algorithm="HS256"))
