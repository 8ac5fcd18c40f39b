"""Keys, claims, tokens and a small protected API for the auth tests."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from fluxlit.auth import JWTAuthConfig, JWTBearer, RequireRoles, RequireScopes, StandardClaims

ISSUER = "https://issuer.test"
AUDIENCE = "fluxlit-tests"
SECRET = "s" * 48


class KeySet:
    """RSA keys published as a JWKS; ``rotate`` adds a new key the server then serves."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetches = 0
        self.add("k1")

    def add(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        out = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
            out.append(jwk)
        return {"keys": out}

    def public_pem(self, kid: str = "k1") -> bytes:
        return (
            self.keys[kid]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def sign(self, claims: dict[str, Any], kid: str = "k1") -> str:
        return jwt.encode(claims, self.keys[kid], algorithm="RS256", headers={"kid": kid})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "ann", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def app_with(bearer: JWTBearer) -> TestClient:
    api = FastAPI()

    @api.get("/me")
    async def me(user: StandardClaims = Depends(bearer)) -> dict[str, object]:
        return {"sub": user.sub, "team": user.model_dump().get("team")}

    @api.get("/admin", dependencies=[Depends(RequireRoles(bearer, "admin", "owner"))])
    async def admin() -> str:
        return "ok"

    @api.get("/items", dependencies=[Depends(RequireScopes(bearer, "items:read", "items:list"))])
    async def items() -> str:
        return "ok"

    @api.get("/custom", dependencies=[Depends(RequireScopes(bearer, "x", scope_claim="perms"))])
    async def custom() -> str:
        return "ok"

    return TestClient(api)


def hs_bearer(**config: object) -> JWTBearer:
    return JWTBearer(JWTAuthConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET, **config))


def hs_token(**overrides: object) -> str:
    return jwt.encode(claims(**overrides), SECRET, algorithm="HS256")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def jwks_app(keys: KeySet) -> Starlette:
    return Starlette(routes=[Route("/jwks.json", lambda request: JSONResponse(keys.jwks()))])
