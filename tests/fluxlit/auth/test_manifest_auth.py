"""Auth declared in a real ``fluxlit.toml``, compiled and assembled like the gateway does."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import jwt
import pytest

from fluxlit import FluxLitTestClient
from tests.helpers.auth import AUDIENCE, ISSUER, SECRET, auth, claims

_names = itertools.count()

HANDLERS = """
async def me() -> str:
    return "me"


async def admin() -> str:
    return "admin"
"""


def project(root: Path, auth_table: str) -> str:
    """Write a manifest app with two protected routes; return its handler module name."""
    module = f"manifest_auth_app_{next(_names)}"
    (root / f"{module}.py").write_text(HANDLERS, encoding="utf-8")
    (root / "fluxlit.toml").write_text(
        f"""
title = "Auth demo"

{auth_table}

[[routes]]
path = "/me"
handler = "{module}:me"
auth = true

[[routes]]
path = "/admin"
handler = "{module}:admin"
auth = {{ roles = ["admin"] }}
""",
        encoding="utf-8",
    )
    return module


def jwt_table(*lines: str) -> str:
    """An ``[auth.jwt]`` table for the test issuer and audience, plus ``lines``."""
    return "\n".join([f'[auth.jwt]\nissuer = "{ISSUER}"\naudience = "{AUDIENCE}"', *lines])


def test_declared_routes_are_protected(clean_fluxlit_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("APP_JWT_SECRET", SECRET)
    project(clean_fluxlit_env, jwt_table('hs256_secret_env = "APP_JWT_SECRET"'))
    client = FluxLitTestClient.from_manifest(clean_fluxlit_env)
    missing = client.api_get("/admin")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    admin = jwt.encode(claims(roles=["admin"]), SECRET, algorithm="HS256")
    viewer = jwt.encode(claims(roles=["viewer"]), SECRET, algorithm="HS256")
    assert client.api_get("/admin", headers=auth(admin)).json() == "admin"
    assert client.api_get("/admin", headers=auth(viewer)).status_code == 403
    assert client.api_get("/me", headers=auth(viewer)).json() == "me"
    forged = jwt.encode(claims(roles=["admin"]), "x" * 48, algorithm="HS256")
    assert client.api_get("/admin", headers=auth(forged)).status_code == 401


def test_jwks_without_algorithms_defaults_to_rs256_and_shares_one_cache(
    clean_fluxlit_env: Path, own_keyset
) -> None:
    """The manifest picks RS256/ES256 for JWKS like ``make_jwt_bearer``; one bearer per app."""
    keys, url = own_keyset
    project(clean_fluxlit_env, jwt_table(f'jwks_url = "{url}"'))
    client = FluxLitTestClient.from_manifest(clean_fluxlit_env)
    token = keys.sign(claims(roles=["admin"]))
    assert client.api_get("/me", headers=auth(token)).json() == "me"
    assert client.api_get("/admin", headers=auth(token)).json() == "admin"
    assert keys.fetches == 1, "both routes use the same bearer and JWKS cache"
    hs = jwt.encode(claims(roles=["admin"]), SECRET, algorithm="HS256")
    assert client.api_get("/admin", headers=auth(hs)).status_code == 401


def test_algorithms_without_their_key_name_the_manifest_key(
    clean_fluxlit_env: Path, own_keyset
) -> None:
    _, url = own_keyset
    project(clean_fluxlit_env, jwt_table(f'jwks_url = "{url}"', 'algorithms = ["HS256"]'))
    with pytest.raises(ValueError, match=r"\[auth\.jwt\] hs256_secret_env") as error:
        FluxLitTestClient.from_manifest(clean_fluxlit_env)
    assert "[auth.jwt] algorithms" in str(error.value)


def test_oidc_without_public_origin_names_both_ways(clean_fluxlit_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("APP_BFF_SECRET", SECRET)
    monkeypatch.setenv("APP_JWT_SECRET", SECRET)
    project(
        clean_fluxlit_env,
        jwt_table('hs256_secret_env = "APP_JWT_SECRET"')
        + '\n\n[auth.oidc]\nissuer = "https://login.example.test"\nclient_id = "app"\n'
        'client_secret_env = "OIDC_CLIENT_SECRET"\nbff_secret_env = "APP_BFF_SECRET"',
    )
    with pytest.raises(ValueError, match=r"public_base_url") as error:
        FluxLitTestClient.from_manifest(clean_fluxlit_env)
    assert "[auth.oidc]" in str(error.value) and "FLUXLIT_PUBLIC_BASE_URL" in str(error.value)
    monkeypatch.setenv("FLUXLIT_PUBLIC_BASE_URL", "https://app.example.test")
    client = FluxLitTestClient.from_manifest(clean_fluxlit_env)
    assert client.api_get("/me").status_code == 401


def test_jwks_cache_lifetime_comes_from_the_manifest(
    clean_fluxlit_env: Path, own_keyset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``jwks_cache_ttl_seconds``: a key dropped from the set stops working after it."""
    keys, url = own_keyset
    project(clean_fluxlit_env, jwt_table(f'jwks_url = "{url}"', "jwks_cache_ttl_seconds = 0.5"))
    client = FluxLitTestClient.from_manifest(clean_fluxlit_env)
    token = keys.sign(claims(roles=["admin"]))
    assert client.api_get("/me", headers=auth(token)).json() == "me"
    keys.keys.clear()
    keys.add("k2")  # k1 is rotated out
    assert client.api_get("/me", headers=auth(token)).json() == "me", "still cached"
    time.sleep(0.6)
    assert client.api_get("/me", headers=auth(token)).status_code == 401, "expired with the set"
    assert client.api_get("/me", headers=auth(keys.sign(claims(), kid="k2"))).json() == "me"
