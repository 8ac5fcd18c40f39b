"""JWT bearer: happy paths, roles and scopes, and the attacks it must refuse."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from fastapi import Depends

from fluxlit import FluxLit, FluxlitSettings
from fluxlit.auth import (
    JWTAuthConfig,
    JWTBearer,
    StandardClaims,
    issue_hs256_access_token,
)
from tests.helpers.auth import AUDIENCE, ISSUER, SECRET, app_with, auth, claims, hs_bearer, hs_token


def test_valid_token_and_extra_claims() -> None:
    client = app_with(hs_bearer())
    response = client.get("/me", headers=auth(hs_token(team="blue")))
    assert response.json() == {"sub": "ann", "team": "blue"}


def test_missing_or_malformed_header_is_401_with_challenge() -> None:
    client = app_with(hs_bearer())
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        response = client.get("/me", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_roles_any_of_and_scopes_all_of() -> None:
    client = app_with(hs_bearer())
    assert client.get("/admin", headers=auth(hs_token(roles=["owner"]))).status_code == 200
    assert client.get("/admin", headers=auth(hs_token(roles="admin"))).status_code == 200
    assert client.get("/admin", headers=auth(hs_token(roles=["viewer"]))).status_code == 403
    assert client.get("/admin", headers=auth(hs_token())).status_code == 403
    both = hs_token(scope="items:read items:list extra")
    assert client.get("/items", headers=auth(both)).status_code == 200
    listed = hs_token(scope=["items:read", "items:list"])
    assert client.get("/items", headers=auth(listed)).status_code == 200
    one = hs_token(scope="items:read")
    assert client.get("/items", headers=auth(one)).status_code == 403
    assert client.get("/custom", headers=auth(hs_token(perms=["x"]))).status_code == 200
    assert client.get("/admin").status_code == 401, "no token is 401, not 403"


def test_leeway() -> None:
    expired_recently = hs_token(exp=int(time.time()) - 5)
    assert app_with(hs_bearer()).get("/me", headers=auth(expired_recently)).status_code == 401
    lenient = app_with(hs_bearer(leeway_seconds=30))
    assert lenient.get("/me", headers=auth(expired_recently)).status_code == 200


def test_issue_hs256_access_token_round_trip() -> None:
    token = issue_hs256_access_token(
        subject="bob",
        issuer=ISSUER,
        audience=AUDIENCE,
        secret=SECRET,
        ttl_seconds=60,
        extra_claims={"roles": ["admin"], "sub": "ignored"},
    )
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert payload["sub"] == "bob" and payload["exp"] - payload["iat"] == 60
    assert app_with(hs_bearer()).get("/admin", headers=auth(token)).status_code == 200


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _none_token() -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims())}."


@pytest.mark.parametrize(
    ("name", "make", "detail"),
    [
        ("alg none", lambda keys: _none_token(), "algorithm not allowed"),
        ("expired", lambda keys: hs_token(exp=int(time.time()) - 60), "expired"),
        ("not yet valid", lambda keys: hs_token(nbf=int(time.time()) + 600), "not yet valid"),
        ("wrong issuer", lambda keys: hs_token(iss="https://evil.test"), "wrong issuer"),
        ("wrong audience", lambda keys: hs_token(aud="someone-else"), "wrong audience"),
        ("tampered", lambda keys: hs_token()[:-4] + "AAAA", "invalid token"),
        ("other secret", lambda keys: jwt.encode(claims(), "x" * 48, algorithm="HS256"), "invalid"),
        ("oversized", lambda keys: hs_token(pad="x" * 9000), "too large"),
        ("garbage", lambda keys: "not.a.jwt", "malformed"),
        ("no exp", lambda keys: hs_token(exp=None), "invalid token"),
    ],
)
def test_hs_attacks_are_401_and_never_logged(
    name: str, make, detail: str, debug_logs: pytest.LogCaptureFixture, keyset
) -> None:
    token = make(keyset[0])
    response = app_with(hs_bearer()).get("/me", headers=auth(token))
    assert response.status_code == 401, name
    assert detail in response.json()["detail"], name
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    for secret in (token, SECRET):
        assert secret not in debug_logs.text and secret not in response.text


def test_jwks_verification_rotation_and_unknown_kid(keyset, debug_logs) -> None:
    keys, url = keyset
    bearer = JWTBearer(
        JWTAuthConfig(
            issuer=ISSUER,
            audience=AUDIENCE,
            algorithms=["RS256"],
            jwks_url=url,
            jwks_refresh_cooldown_seconds=0,
        )
    )
    client = app_with(bearer)
    assert client.get("/me", headers=auth(keys.sign(claims()))).json()["sub"] == "ann"
    keys.add("k2")
    rotated = keys.sign(claims(sub="rot"), kid="k2")
    response = client.get("/me", headers=auth(rotated))
    assert response.json().get("sub") == "rot", f"refetch on new kid: {response.text}"
    forged = jwt.encode(claims(), keys.keys["k1"], algorithm="RS256", headers={"kid": "nope"})
    response = client.get("/me", headers=auth(forged))
    assert response.status_code == 401 and "unknown signing key" in response.json()["detail"]
    assert forged not in debug_logs.text and forged not in response.text


def test_key_confusion_public_key_as_hmac_secret(keyset, debug_logs) -> None:
    keys, url = keyset
    bearer = JWTBearer(
        JWTAuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], jwks_url=url)
    )
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT","kid":"k1"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    signature = hmac.new(keys.public_pem(), header + b"." + body, hashlib.sha256).digest()
    token = (
        header + b"." + body + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")
    ).decode()
    response = app_with(bearer).get("/me", headers=auth(token))
    assert response.status_code == 401 and "algorithm not allowed" in response.json()["detail"]
    assert token not in debug_logs.text and token not in response.text


def test_config_errors() -> None:
    with pytest.raises(ValueError, match=r"hs256_secret or JWTAuthConfig\.jwks_url"):
        JWTBearer(JWTAuthConfig(issuer="i", audience="a"))
    with pytest.raises(ValueError, match="none"):
        JWTBearer(JWTAuthConfig(issuer="i", audience="a", hs256_secret="s", algorithms=["none"]))
    with pytest.raises(ValueError, match="jwks_url"):
        JWTBearer(JWTAuthConfig(issuer="i", audience="a", hs256_secret="s", algorithms=["RS256"]))


def test_from_fluxlit_settings_and_make_jwt_bearer(clean_fluxlit_env, monkeypatch) -> None:
    with pytest.raises(ValueError) as error:
        JWTBearer.from_fluxlit_settings(FluxlitSettings())
    for name in ("FLUXLIT_JWT_ISSUER", "FLUXLIT_JWT_AUDIENCE", "FLUXLIT_JWT_HS256_SECRET"):
        assert name in str(error.value)
    monkeypatch.setenv("FLUXLIT_JWT_ISSUER", ISSUER)
    monkeypatch.setenv("FLUXLIT_JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("FLUXLIT_JWT_HS256_SECRET", SECRET)
    fl = FluxLit()
    bearer = fl.make_jwt_bearer()

    @fl.api.get("/me")
    async def me(user: StandardClaims = Depends(bearer)) -> str | None:
        return user.sub

    from fluxlit import FluxLitTestClient

    client = FluxLitTestClient(fl)
    assert client.api_get("/me", headers=auth(hs_token())).json() == "ann"
    assert client.api_get("/me").status_code == 401


def test_from_fluxlit_settings_refuses_a_secret_and_a_jwks_url_together(clean_fluxlit_env) -> None:
    """The reference says either: both at once names the two variables to choose from."""
    from fluxlit.errors import FluxLitError

    settings = FluxlitSettings(
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_hs256_secret=SECRET,
        jwt_jwks_url="https://idp.example/jwks.json",
    )
    with pytest.raises(ValueError, match="not both") as error:
        JWTBearer.from_fluxlit_settings(settings)
    assert isinstance(error.value, FluxLitError)
    assert "FLUXLIT_JWT_HS256_SECRET" in str(error.value)
    assert "FLUXLIT_JWT_JWKS_URL" in str(error.value)
    with pytest.raises(ValueError, match="not both"):
        FluxLit(settings=settings).make_jwt_bearer()
    with pytest.raises(ValueError, match="not both"):
        JWTAuthConfig.from_fluxlit_settings(settings)
    one = settings.model_copy(update={"jwt_jwks_url": None})
    config = JWTAuthConfig.from_fluxlit_settings(one)
    assert (config.hs256_secret, config.jwks_url, config.algorithms) == (SECRET, None, ["HS256"])


def test_unknown_kids_do_not_refetch_during_cooldown(keyset) -> None:
    keys, url = keyset
    bearer = JWTBearer(
        JWTAuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], jwks_url=url)
    )
    client = app_with(bearer)
    assert client.get("/me", headers=auth(keys.sign(claims()))).status_code == 200
    before = keys.fetches
    for i in range(5):
        forged = jwt.encode(claims(), keys.keys["k1"], algorithm="RS256", headers={"kid": f"x{i}"})
        assert client.get("/me", headers=auth(forged)).status_code == 401
    assert keys.fetches - before <= 1, "unknown kids cannot make us hammer the JWKS endpoint"


def test_fractional_numeric_dates_are_accepted() -> None:
    """RFC 7519 NumericDates may carry fractions; they are valid, not a server error."""
    now = time.time()
    token = hs_token(exp=now + 300.5, iat=now - 0.25, nbf=now - 1.5)
    response = app_with(hs_bearer()).get("/me", headers=auth(token))
    assert response.status_code == 200, response.text
    assert (
        app_with(hs_bearer()).get("/me", headers=auth(hs_token(exp=now - 5.5))).status_code == 401
    )


@pytest.mark.parametrize(
    ("path", "overrides", "status"),
    [
        ("/admin", {"roles": {"admin": True}}, 401),
        ("/admin", {"roles": ["admin", 1]}, 401),
        ("/items", {"scope": 42}, 401),
        ("/me", {"sub": 7}, 401),
        ("/me", {"aud": [AUDIENCE, 3]}, 401),
        ("/me", {"iat": "yesterday"}, 401),
        ("/me", {"exp": "soon"}, 401),
        ("/me", {"iss": ["https://issuer.test"]}, 401),
        ("/custom", {"perms": {"x": 1}}, 403),
        ("/custom", {"perms": 5}, 403),
        ("/custom", {"perms": [["x"]]}, 403),
    ],
)
def test_odd_claim_types_are_refused_not_500(
    path: str, overrides: dict[str, object], status: int
) -> None:
    """A well-signed token with claims of the wrong shape is a client error.

    Standard claims of the wrong type make the token invalid (401 with a challenge);
    a custom roles/scope claim of the wrong shape grants nothing (403).
    """
    payload = json.dumps(claims(**overrides)).encode()
    token = jwt.api_jws.encode(payload, SECRET, algorithm="HS256")  # no claim checks
    response = app_with(hs_bearer()).get(path, headers=auth(token))
    assert response.status_code == status, response.text
    if status == 401:
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_odd_header_types_are_refused(keyset) -> None:
    keys, url = keyset
    bearer = JWTBearer(
        JWTAuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"], jwks_url=url)
    )
    client = app_with(bearer)
    signature = keys.sign(claims()).rsplit(".", 1)[1]
    for kid in ({"k": 1}, 5, ["k1"], None):
        token = f"{_b64({'alg': 'RS256', 'kid': kid})}.{_b64(claims())}.{signature}"
        response = client.get("/me", headers=auth(token))
        assert response.status_code == 401, kid
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    for alg in (["RS256"], {"RS256": 1}, 256):
        token = f"{_b64({'alg': alg, 'kid': 'k1'})}.{_b64(claims())}.{signature}"
        response = client.get("/me", headers=auth(token))
        assert response.status_code == 401 and "algorithm not allowed" in response.text, alg
