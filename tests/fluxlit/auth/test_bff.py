"""BFF login routes against an in-test OpenID provider: ID-token checks, TTLs, redirects, logs.

The provider is a small Starlette app on loopback serving discovery, a JWKS and a
token endpoint whose ID token each test chooses, so every rejection can be driven.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fluxlit.auth import (
    GenericOIDCClient,
    GenericOIDCClientConfig,
    InMemoryOIDCBFFTokenStore,
    OIDCBFFConfig,
    register_oidc_bff_routes,
)
from fluxlit.gateway import build_dispatcher
from tests.helpers.auth import KeySet
from tests.helpers.servers import serve_app

APP = "https://app.test"
CLIENT_ID = "fluxlit-app"
CLIENT_SECRET = "provider-client-secret-value"
BFF_SECRET = "b" * 48


@dataclass
class Provider:
    """The in-test provider: its base URL, keys, and the ID token ``/token`` returns next."""

    base: str
    keys: KeySet
    id_token: str = ""
    codes: list[str] = field(default_factory=list)

    def id_token_for(self, nonce: str | None, *, kid: str = "k1", **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.base,
            "aud": CLIENT_ID,
            "sub": "ann",
            "nonce": nonce,
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        return self.keys.sign({k: v for k, v in claims.items() if v is not None}, kid=kid)


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    keys = KeySet()
    state: dict[str, Provider] = {}

    def discovery(request: Request) -> JSONResponse:
        base = state["p"].base
        return JSONResponse(
            {
                "issuer": base,
                "authorization_endpoint": base + "/authorize",
                "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks.json",
            }
        )

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        state["p"].codes.append(str(form.get("code")))
        return JSONResponse({"id_token": state["p"].id_token, "token_type": "Bearer"})

    app = Starlette(
        routes=[
            Route("/.well-known/openid-configuration", discovery),
            Route("/jwks.json", lambda request: JSONResponse(keys.jwks())),
            Route("/token", token, methods=["POST"]),
        ]
    )
    with serve_app(app) as server:
        base = server.url
        state["p"] = Provider(base, keys)
        yield state["p"]


def bff_app(oidc: Any, **config: Any) -> FastAPI:
    api = FastAPI()
    register_oidc_bff_routes(
        api,
        OIDCBFFConfig(oidc=oidc, first_party_secret=BFF_SECRET, public_base_url=APP, **config),
    )
    return api


def generic_client(provider: Provider) -> GenericOIDCClient:
    return GenericOIDCClient(GenericOIDCClientConfig(provider.base, CLIENT_ID, CLIENT_SECRET))


def browser(app: Any) -> TestClient:
    return TestClient(app, base_url=APP, follow_redirects=False)


def start_login(client: TestClient, prefix: str = "", **params: str) -> tuple[str, str]:
    """Begin a login; return the ``(state, nonce)`` sent to the provider."""
    response = client.get(prefix + "/auth/login", params=params)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return query["state"][0], query["nonce"][0]


def auth_code(response: Any) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)["auth_code"][0]


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged, minus httpx's lines about the test's own requests to the app."""
    return "\n".join(
        record.getMessage()
        for record in caplog.records
        if not (record.name == "httpx" and APP in record.getMessage())
    )


def test_login_lands_on_next_with_its_query_kept(provider: Provider) -> None:
    client = browser(bff_app(generic_client(provider)))
    for target, expected in [
        ("/reports?tab=1", {"tab": ["1"]}),
        ("/reports?tab=1&q=a%20b", {"tab": ["1"], "q": ["a b"]}),
        ("/reports?auth_code=planted", {}),
        ("/reports", {}),
    ]:
        state, nonce = start_login(client, next=target)
        provider.id_token = provider.id_token_for(nonce)
        response = client.get("/auth/callback", params={"code": "c", "state": state})
        landing = urlsplit(response.headers["location"])
        assert (landing.scheme, landing.netloc, landing.path) == ("https", "app.test", "/reports")
        query = parse_qs(landing.query)
        code = query.pop("auth_code")
        assert len(code) == 1 and code[0] != "planted", target
        assert query == expected, target
        assert client.post("/auth/exchange", json={"code": code[0]}).status_code == 200


def test_default_landing_path_may_carry_a_query(provider: Provider) -> None:
    client = browser(bff_app(generic_client(provider), streamlit_redirect_path="/home?from=sso"))
    state, nonce = start_login(client)
    provider.id_token = provider.id_token_for(nonce)
    response = client.get("/auth/callback", params={"code": "c", "state": state})
    landing = urlsplit(response.headers["location"])
    assert landing.path == "/home" and parse_qs(landing.query)["from"] == ["sso"]


def _forge(provider: Provider, nonce: str, case: str) -> str:
    if case == "wrong aud":
        return provider.id_token_for(nonce, aud="someone-else")
    if case == "wrong iss":
        return provider.id_token_for(nonce, iss="https://evil.test")
    if case == "wrong nonce":
        return provider.id_token_for("another-login")
    if case == "no nonce":
        return provider.id_token_for(None)
    if case == "expired":
        return provider.id_token_for(nonce, exp=int(time.time()) - 60)
    if case == "unknown kid":
        token = provider.id_token_for(nonce)
        return jwt.encode(
            jwt.decode(token, options={"verify_signature": False}),
            provider.keys.keys["k1"],
            algorithm="RS256",
            headers={"kid": "unknown"},
        )
    if case == "HS256 with the client secret":
        claims = jwt.decode(provider.id_token_for(nonce), options={"verify_signature": False})
        return jwt.encode(claims, CLIENT_SECRET + "-padding-to-32b", algorithm="HS256")
    if case == "alg none":
        claims = jwt.decode(provider.id_token_for(nonce), options={"verify_signature": False})
        return jwt.encode(claims, None, algorithm="none")
    if case == "tampered":
        return provider.id_token_for(nonce)[:-6] + "AAAAAA"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case",
    [
        "wrong aud",
        "wrong iss",
        "wrong nonce",
        "no nonce",
        "expired",
        "unknown kid",
        "HS256 with the client secret",
        "alg none",
        "tampered",
    ],
)
def test_bad_id_tokens_are_rejected(provider: Provider, case: str, debug_logs) -> None:
    client = browser(bff_app(generic_client(provider)))
    state, nonce = start_login(client)
    provider.id_token = _forge(provider, nonce, case)
    response = client.get("/auth/callback", params={"code": "provider-code", "state": state})
    assert response.status_code == 401, (case, response.text)
    assert "auth_code" not in response.headers.get("location", "")
    log = server_log(debug_logs)
    for secret in (provider.id_token, state, nonce, "provider-code", CLIENT_SECRET, BFF_SECRET):
        assert secret not in log, case


def test_good_id_token_is_accepted_with_a_custom_audience(provider: Provider) -> None:
    client = browser(bff_app(generic_client(provider), id_token_audience="other-aud"))
    state, nonce = start_login(client)
    provider.id_token = provider.id_token_for(nonce, aud="other-aud")
    assert client.get("/auth/callback", params={"code": "c", "state": state}).status_code == 302


class CustomProvider:
    """A provider that is not a ``GenericOIDCClient``: it returns an unverified ID token."""

    async def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, code_challenge: str, scope: str
    ) -> str:
        return f"https://login.custom.test/authorize?state={state}&nonce={nonce}"

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        return {"id_token": jwt.encode({"sub": "carol"}, "k" * 32, algorithm="HS256")}


def test_unverified_id_tokens_from_custom_providers_are_refused_by_default() -> None:
    refusing = browser(bff_app(CustomProvider()))
    state, _ = start_login(refusing)
    response = refusing.get("/auth/callback", params={"code": "c", "state": state})
    assert response.status_code == 500
    assert "allow_unverified_id_token_for_custom_oidc" in response.json()["detail"]
    assert "location" not in response.headers

    trusting = browser(bff_app(CustomProvider(), allow_unverified_id_token_for_custom_oidc=True))
    state, _ = start_login(trusting)
    code = auth_code(trusting.get("/auth/callback", params={"code": "c", "state": state}))
    token = trusting.post("/auth/exchange", json={"code": code}).json()["access_token"]
    assert jwt.decode(token, BFF_SECRET, algorithms=["HS256"], audience="fluxlit-app")["sub"] == (
        "carol"
    )


class NoNonceProvider:
    """Written for the published package: ``authorization_url`` takes no ``nonce``."""

    async def authorization_url(
        self, *, redirect_uri: str, state: str, code_challenge: str, scope: str
    ) -> str:
        return f"https://login.custom.test/authorize?state={state}"

    async def exchange_code(
        self, *, code: str, redirect_uri: str, code_verifier: str
    ) -> dict[str, Any]:
        return {"id_token": jwt.encode({"sub": "dan"}, "k" * 32, algorithm="HS256")}


def test_a_provider_without_a_nonce_keyword_still_logs_in() -> None:
    client = browser(bff_app(NoNonceProvider(), allow_unverified_id_token_for_custom_oidc=True))
    login = client.get("/auth/login")
    assert login.status_code == 302, login.text
    state = parse_qs(urlsplit(login.headers["location"]).query)["state"][0]
    code = auth_code(client.get("/auth/callback", params={"code": "c", "state": state}))
    assert client.post("/auth/exchange", json={"code": code}).status_code == 200


class PublishedStore:
    """A token store written to the published protocol, recording the ``now`` it is given."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, float]] = []

    def save_pkce_verifier(self, state: str, data: dict[str, Any], *, now: float) -> None:
        self.calls.append(("save_pkce_verifier", now))
        self.data["s:" + state] = data

    def pop_pkce_verifier(self, state: str, *, now: float) -> dict[str, Any] | None:
        self.calls.append(("pop_pkce_verifier", now))
        return self.data.pop("s:" + state, None)

    def save_exchange_token(self, code: str, data: dict[str, Any], *, now: float) -> None:
        self.calls.append(("save_exchange_token", now))
        self.data["c:" + code] = data

    def pop_exchange_token(self, code: str, *, now: float) -> dict[str, Any] | None:
        self.calls.append(("pop_exchange_token", now))
        return self.data.pop("c:" + code, None)


def test_a_token_store_of_the_published_protocol_gets_now(provider: Provider) -> None:
    from fluxlit.auth import OIDCBFFTokenStore

    store = PublishedStore()
    assert isinstance(store, OIDCBFFTokenStore)
    client = browser(bff_app(generic_client(provider), bff_token_store=store))
    before = time.time()
    state, nonce = start_login(client)
    provider.id_token = provider.id_token_for(nonce)
    code = auth_code(client.get("/auth/callback", params={"code": "c", "state": state}))
    assert client.post("/auth/exchange", json={"code": code}).status_code == 200
    assert [name for name, _ in store.calls] == [
        "save_pkce_verifier",
        "pop_pkce_verifier",
        "save_exchange_token",
        "pop_exchange_token",
    ]
    assert all(before <= now <= time.time() for _, now in store.calls), "wall-clock now"
    assert store.data == {}, "each entry is read once"


def test_state_and_one_time_code_expire(provider: Provider) -> None:
    """``state_ttl_seconds`` and ``otc_ttl_seconds`` reach the default store; expired is 400."""
    client = browser(bff_app(generic_client(provider), state_ttl_seconds=1, otc_ttl_seconds=1))
    slow_state, _ = start_login(client)
    state, nonce = start_login(client)
    provider.id_token = provider.id_token_for(nonce)
    code = auth_code(client.get("/auth/callback", params={"code": "c", "state": state}))
    time.sleep(1.1)
    late = client.get("/auth/callback", params={"code": "c", "state": slow_state})
    assert late.status_code == 400 and "expired" in late.json()["detail"]
    exchanged = client.post("/auth/exchange", json={"code": code})
    assert exchanged.status_code == 400 and "expired" in exchanged.json()["detail"]


def test_in_memory_store_is_bounded() -> None:
    store = InMemoryOIDCBFFTokenStore(max_entries=3)
    now = time.time()
    for i in range(5):
        store.save_pkce_verifier(f"s{i}", {"i": i}, now=now)
        store.save_exchange_token(f"c{i}", {"i": i}, now=now)
    assert [store.pop_pkce_verifier(f"s{i}", now=now) for i in range(5)] == [
        None,
        None,
        {"i": 2},
        {"i": 3},
        {"i": 4},
    ]
    assert store.pop_exchange_token("c0", now=now) is None
    assert store.pop_exchange_token("c4", now=now) == {"i": 4}
    short = InMemoryOIDCBFFTokenStore(state_ttl_seconds=5, max_entries=100)
    for i in range(50):
        short.save_pkce_verifier(f"old{i}", {}, now=now)
    short.save_pkce_verifier("new", {}, now=now + 6)
    assert len(short._pkce) == 1, "expired entries are dropped when a new one is saved"
    with pytest.raises(ValueError, match="max_entries"):
        InMemoryOIDCBFFTokenStore(max_entries=0)


def test_bff_attacks_log_nothing_in_the_clear(provider: Provider, debug_logs) -> None:
    """Replayed state, reused one-time code and foreign redirects: refused and not logged."""
    client = browser(bff_app(generic_client(provider)))
    state, nonce = start_login(client)
    provider.id_token = provider.id_token_for(nonce)
    callback = client.get("/auth/callback", params={"code": "provider-code", "state": state})
    code = auth_code(callback)
    replay = client.get("/auth/callback", params={"code": "provider-code", "state": state})
    assert replay.status_code == 400
    token = client.post("/auth/exchange", json={"code": code}).json()["access_token"]
    reused = client.post("/auth/exchange", json={"code": code})
    assert reused.status_code == 400 and token not in reused.text
    for target in ("https://evil.test/x", "//evil.test", "/\\evil.test", "/ok\r\nSet-Cookie: x"):
        assert client.get("/auth/login", params={"next": target}).status_code == 400, target
    log = server_log(debug_logs)
    for secret in (state, nonce, code, token, "provider-code", CLIENT_SECRET, BFF_SECRET):
        assert secret not in log


def gateway_client(provider: Provider) -> TestClient:
    """The BFF behind the real gateway dispatcher under /api, access log on."""

    async def no_ui(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return browser(build_dispatcher(bff_app(generic_client(provider)), no_ui, access_log=True))


def test_gateway_access_log_hides_state_and_codes(provider: Provider, debug_logs) -> None:
    client = gateway_client(provider)
    state, nonce = start_login(client, "/api")
    provider.id_token = provider.id_token_for(nonce)
    code = auth_code(client.get(f"/api/auth/callback?code=provider-code&state={state}"))
    assert client.get(f"/api/auth/callback?code=provider-code&state={state}").status_code == 400
    assert client.get(f"/api/?auth_code={code}&access_token={BFF_SECRET}").status_code == 404
    access = [r.getMessage() for r in debug_logs.records if r.name == "fluxlit.gateway.access"]
    assert any("/auth/callback" in line for line in access), "the access log is on"
    log = server_log(debug_logs)
    for secret in (state, nonce, code, "provider-code", BFF_SECRET):
        assert secret not in log


def test_gateway_access_log_hides_secrets_in_malformed_queries(
    provider: Provider, debug_logs
) -> None:
    """A segment without '=' must not expose its neighbours (fixed in logging/redact.py)."""
    client = gateway_client(provider)
    state, _ = start_login(client, "/api")
    client.get(f"/api/auth/callback?code=provider-code&state={state}&x")
    client.get(f"/api/?access_token={BFF_SECRET}&x")
    log = server_log(debug_logs)
    for secret in (state, "provider-code", BFF_SECRET):
        assert secret not in log
