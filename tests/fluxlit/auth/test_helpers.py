"""Streamlit auth helpers, trusted proxy identity, and manifest-declared route auth."""

from __future__ import annotations

import logging

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from fluxlit.auth import (
    JWTAuthConfig,
    JWTBearer,
    RequireRoles,
    RequireScopes,
    TrustedProxyUser,
    TrustedProxyUserConfig,
    bearer_headers_from_session,
    exchange_auth_code_from_query,
    prepare_streamlit_api_client,
    proxy_user_header,
)
from fluxlit.auth.manifest import route_dependencies
from fluxlit.client import ApiClient, set_client_factory
from fluxlit.model import AuthModel, AuthRequirement, JWTModel
from tests.helpers.auth import AUDIENCE, ISSUER, SECRET, claims


@pytest.fixture
def exchange_api():
    calls: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/exchange"):
            calls.append({"body": request.content})
            if b"good" in request.content:
                return httpx.Response(200, json={"access_token": "tok-123", "token_type": "bearer"})
            return httpx.Response(400, json={"detail": "used"})
        return httpx.Response(200, json={"auth": request.headers.get("authorization")})

    restore = set_client_factory(
        lambda base, timeout: httpx.Client(transport=httpx.MockTransport(handler))
    )
    yield calls
    restore()


def test_exchange_and_prepare_client(fake_st, exchange_api, caplog) -> None:
    st = fake_st({"auth_code": "good"})
    with caplog.at_level(logging.DEBUG):
        client = prepare_streamlit_api_client(st, base_url="http://api.test/api")
    assert st.session_state["fluxlit_access_token"] == "tok-123"
    assert "auth_code" not in st.query_params, "the code leaves the URL"
    assert client.get("/whoami").json() == {"auth": "Bearer tok-123"}
    assert bearer_headers_from_session(st) == {"Authorization": "Bearer tok-123"}
    assert "tok-123" not in caplog.text
    assert exchange_auth_code_from_query(st, ApiClient("http://api.test/api")) is None
    signed_out = fake_st()
    assert bearer_headers_from_session(signed_out) == {}
    anonymous = prepare_streamlit_api_client(signed_out, base_url="http://api.test/api")
    assert anonymous.get("/whoami").json() == {"auth": None}


def test_exchange_errors_raise(fake_st, exchange_api) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        exchange_auth_code_from_query(fake_st({"auth_code": "used"}), ApiClient("http://a/api"))


def _proxy_app(dependency) -> TestClient:
    api = FastAPI()

    @api.get("/who")
    async def who(user: str | None = Depends(dependency)) -> dict[str, str | None]:
        return {"user": user}

    return TestClient(api)


def test_trusted_proxy_user_policies() -> None:
    plain = _proxy_app(TrustedProxyUser())
    assert plain.get("/who", headers={"X-Remote-User": "ann"}).json() == {"user": "ann"}
    assert plain.get("/who").status_code == 401
    optional = _proxy_app(TrustedProxyUser(TrustedProxyUserConfig(require_non_empty_user=False)))
    assert optional.get("/who").json() == {"user": None}
    https_only = _proxy_app(TrustedProxyUser(TrustedProxyUserConfig(require_https=True)))
    assert https_only.get("/who", headers={"X-Remote-User": "ann"}).status_code == 403
    hosts = _proxy_app(TrustedProxyUser(TrustedProxyUserConfig(trusted_client_hosts=["10.0.0.1"])))
    assert hosts.get("/who", headers={"X-Remote-User": "ann"}).status_code == 403
    custom = _proxy_app(proxy_user_header("X-Email"))
    assert custom.get("/who", headers={"X-Email": "a@b"}).json() == {"user": "a@b"}


def test_manifest_auth_matches_decorated_routes(monkeypatch) -> None:
    monkeypatch.setenv("APP_JWT_SECRET", SECRET)
    auth = AuthModel(
        jwt=JWTModel(issuer=ISSUER, audience=AUDIENCE, hs256_secret_env="APP_JWT_SECRET")
    )
    requirement = AuthRequirement(roles=("admin",), scopes=("items:read",))
    bearer = JWTBearer(JWTAuthConfig(issuer=ISSUER, audience=AUDIENCE, hs256_secret=SECRET))
    api = FastAPI()

    async def handler() -> str:
        return "ok"

    api.add_api_route("/declared", handler, dependencies=route_dependencies(auth, requirement))
    api.add_api_route(
        "/decorated",
        handler,
        dependencies=[
            Depends(bearer),
            Depends(RequireRoles(bearer, "admin")),
            Depends(RequireScopes(bearer, "items:read")),
        ],
    )
    client = TestClient(api)
    cases = {
        "none": None,
        "good": jwt.encode(claims(roles=["admin"], scope="items:read"), SECRET, "HS256"),
        "no role": jwt.encode(claims(scope="items:read"), SECRET, "HS256"),
        "no scope": jwt.encode(claims(roles=["admin"]), SECRET, "HS256"),
        "bad sig": jwt.encode(claims(roles=["admin"]), "z" * 48, "HS256"),
    }
    for name, token in cases.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        declared = client.get("/declared", headers=headers)
        decorated = client.get("/decorated", headers=headers)
        assert declared.status_code == decorated.status_code, name
        assert declared.json() == decorated.json(), name
    assert (
        client.get("/declared", headers={"Authorization": f"Bearer {cases['good']}"}).json() == "ok"
    )


def test_manifest_auth_errors(monkeypatch) -> None:
    with pytest.raises(ValueError, match=r"\[auth.jwt\]"):
        route_dependencies(None, AuthRequirement())
    monkeypatch.delenv("MISSING_SECRET", raising=False)
    auth = AuthModel(jwt=JWTModel(issuer="i", audience="a", hs256_secret_env="MISSING_SECRET"))
    with pytest.raises(ValueError, match=r"\$MISSING_SECRET"):
        route_dependencies(auth, AuthRequirement())
