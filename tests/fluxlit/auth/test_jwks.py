"""JWKS caching: keys expire with the cached set, rotation works with default settings."""

from __future__ import annotations

import time

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from fluxlit.auth import JWTAuthConfig, JWTBearer
from fluxlit.auth.jwks import JWKSCache, JWKSUnavailableError, UnknownSigningKeyError
from tests.helpers.auth import AUDIENCE, ISSUER, KeySet, app_with, auth, claims
from tests.helpers.servers import serve_app


def rs_bearer(url: str, **config: object) -> JWTBearer:
    return JWTBearer(
        JWTAuthConfig(
            issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], jwks_url=url, **config
        )
    )


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_removed_key_is_refused_once_the_cached_set_expires(own_keyset) -> None:
    keys, url = own_keyset
    client = app_with(rs_bearer(url, jwks_cache_ttl_seconds=0.5))
    old = keys.sign(claims(sub="old"))
    assert client.get("/me", headers=auth(old)).status_code == 200
    keys.add("k2")
    new = keys.sign(claims(sub="new"), kid="k2")
    del keys.keys["k1"]
    time.sleep(0.6)
    response = client.get("/me", headers=auth(old))
    assert response.status_code == 401, response.text
    assert "unknown signing key" in response.json()["detail"]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert client.get("/me", headers=auth(new)).json()["sub"] == "new"


def test_rotation_works_with_default_settings(own_keyset) -> None:
    keys, url = own_keyset
    client = app_with(rs_bearer(url))
    assert client.get("/me", headers=auth(keys.sign(claims()))).status_code == 200
    keys.add("k2")
    rotated = client.get("/me", headers=auth(keys.sign(claims(sub="rot"), kid="k2")))
    assert rotated.status_code == 200, f"first unknown kid refetches at once: {rotated.text}"
    fetches = keys.fetches
    keys.add("k3")
    again = client.get("/me", headers=auth(keys.sign(claims(), kid="k3")))
    assert again.status_code == 401, "a second early refetch waits for the cooldown"
    assert keys.fetches == fetches


def test_cache_lifetime_and_cooldown_on_a_clock(own_keyset) -> None:
    keys, url = own_keyset
    clock = FakeClock()
    cache = JWKSCache(url, ttl_seconds=300, cooldown_seconds=30, clock=clock)
    assert cache.signing_key("k1").key_id == "k1"
    assert cache.signing_key("k1").key_id == "k1"
    assert keys.fetches == 1, "a cached set is not fetched again"
    with pytest.raises(UnknownSigningKeyError):
        cache.signing_key("nope")
    assert keys.fetches == 2, "the first unknown kid refetches"
    clock.now += 10
    with pytest.raises(UnknownSigningKeyError):
        cache.signing_key("nope")
    assert keys.fetches == 2, "within the cooldown nothing is fetched"
    clock.now += 25
    keys.add("k2")
    assert cache.signing_key("k2").key_id == "k2"
    assert keys.fetches == 3, "after the cooldown an unknown kid refetches again"
    del keys.keys["k1"]
    clock.now += 299
    assert cache.signing_key("k1").key_id == "k1", "still within the lifetime"
    clock.now += 2
    with pytest.raises(UnknownSigningKeyError):
        cache.signing_key("k1")


def test_unusable_entries_are_skipped_and_outages_reported() -> None:
    keys = KeySet()
    document = keys.jwks()
    document["keys"] += [{"kid": "enc", "use": "enc", "kty": "RSA"}, {"kid": "bad", "kty": "??"}]
    document["keys"].append("not a key")
    app = Starlette(routes=[Route("/jwks.json", lambda request: JSONResponse(document))])
    with serve_app(app) as server:
        base = server.url
        cache = JWKSCache(base + "/jwks.json")
        assert cache.signing_key("k1").key_id == "k1"
        for kid in ("enc", "bad"):
            with pytest.raises(UnknownSigningKeyError):
                cache.signing_key(kid)
        missing = JWKSCache(base + "/nowhere.json")
        with pytest.raises(JWKSUnavailableError):
            missing.signing_key("k1")


def test_jwks_outage_is_503_not_500(own_keyset) -> None:
    keys, url = own_keyset
    client = app_with(rs_bearer(url.replace("/jwks.json", "/gone.json")))
    response = client.get("/me", headers=auth(keys.sign(claims())))
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("options", "message"),
    [({"ttl_seconds": 0}, "lifetime"), ({"cooldown_seconds": -1}, "cooldown")],
)
def test_cache_settings_are_checked(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        JWKSCache("https://issuer.test/jwks.json", **options)
    with pytest.raises(ValueError, match="http"):
        JWKSCache("file:///etc/passwd")
