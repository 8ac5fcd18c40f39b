"""Full browser-free login against a real OpenID provider (npm ``oidc-provider``) on loopback.

The app is a ``FluxLit`` with ``attach_oidc_login`` and ``make_jwt_bearer``, served by
uvicorn through the gateway dispatcher (routes under ``/api``, access log on). Login
redirect with PKCE, the provider's own login and consent forms, callback, one-time
code exchange, the minted token accepted by a protected route, and ``next`` followed
past login; plus replayed state, reused codes and foreign redirects refused.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from fastapi import Depends
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from fluxlit import FluxLit, FluxlitSettings
from fluxlit.auth import GenericOIDCClient, GenericOIDCClientConfig, StandardClaims
from fluxlit.gateway import build_dispatcher
from tests.helpers.ci import require, require_program
from tests.helpers.net import free_port, wait_until
from tests.helpers.servers import ThreadServer, stop_process

pytestmark = [pytest.mark.live, pytest.mark.slow]
PROVIDER_DIR = Path(__file__).resolve().parents[2] / "oidc_provider"
BFF_SECRET = "b" * 48


async def _echo_ui(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands in for Streamlit: answers with the path and query the browser landed on."""
    if scope["type"] == "http":
        query = scope.get("query_string", b"").decode()
        await JSONResponse({"path": scope["path"], "query": query})(scope, receive, send)


@dataclass
class Stack:
    """The provider and the app under test, both on loopback."""

    app_base: str
    provider_base: str


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    node = require_program("node")
    require(
        (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(),
        "oidc-provider is not installed; run `bash tests/setup/oidc_provider.sh`",
    )
    op_port, app_port = free_port(), free_port()
    app_base = f"http://127.0.0.1:{app_port}"
    provider = subprocess.Popen(
        [node, "server.mjs"],
        cwd=PROVIDER_DIR,
        env={
            **os.environ,
            "OP_PORT": str(op_port),
            "OP_CLIENT_ID": "fluxlit-app",
            "OP_CLIENT_SECRET": "provider-client-secret",
            "OP_REDIRECT_URI": app_base + "/api/auth/callback",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    provider_base = f"http://127.0.0.1:{op_port}"
    try:
        wait_until(
            lambda: httpx.get(provider_base + "/.well-known/openid-configuration", timeout=1),
            "oidc-provider",
            timeout=30,
            interval=0.1,
            process=provider,
        )
    except AssertionError:
        stop_process(provider)
        raise

    fl: FluxLit[object] = FluxLit(
        settings=FluxlitSettings(
            public_base_url=app_base,
            oidc_bff_secret=BFF_SECRET,
            jwt_issuer="fluxlit-bff",
            jwt_audience="fluxlit-app",
            jwt_hs256_secret=BFF_SECRET,
        )
    )
    fl.attach_oidc_login(
        GenericOIDCClient(
            GenericOIDCClientConfig(provider_base, "fluxlit-app", "provider-client-secret")
        )
    )
    bearer = fl.make_jwt_bearer()

    @fl.api.get("/me")
    async def me(user: StandardClaims = Depends(bearer)) -> dict[str, object]:
        return user.model_dump()

    gateway = build_dispatcher(fl.api, _echo_ui, api_prefix="/api", access_log=True)
    server = ThreadServer(gateway, app_port).start()
    yield Stack(app_base, provider_base)
    server.stop()
    stop_process(provider, timeout=10)


def _submit_form(
    browser: httpx.Client, page: httpx.Response, fields: dict[str, str]
) -> httpx.Response:
    """Post the first form on ``page`` with its hidden inputs plus ``fields``."""
    html = page.text
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action, f"no form on {page.url}:\n{html[:500]}"
    data = dict(
        re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    )
    data.update(fields)
    return browser.post(urljoin(str(page.url), action.group(1)), data=data)


def _follow(browser: httpx.Client, response: httpx.Response, stop_prefix: str) -> httpx.Response:
    """Follow redirects until one points at ``stop_prefix`` (returned unfollowed)."""
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(stop_prefix):
            return response
        response = browser.get(location)
    return response


def login(
    stack: Stack, user: str = "ann", next: str | None = None
) -> tuple[str, httpx.Response, str]:
    """Run the whole login as a browser would; return (auth_code, replayed callback, landing)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        params = {"next": next} if next else {}
        start = browser.get(stack.app_base + "/api/auth/login", params=params)
        assert start.status_code == 302
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
        assert query["state"][0] and query["nonce"][0]
        page = _follow(browser, browser.get(start.headers["location"]), stack.app_base)
        page = _follow(
            browser, _submit_form(browser, page, {"login": user, "password": "x"}), stack.app_base
        )
        if not page.is_redirect:
            page = _follow(browser, _submit_form(browser, page, {}), stack.app_base)
        callback_url = urljoin(str(page.url), page.headers["location"])
        assert callback_url.startswith(stack.app_base + "/api/auth/callback")
        callback = browser.get(callback_url)
        assert callback.status_code == 302, callback.text
        landing = callback.headers["location"]
        code = parse_qs(urlsplit(landing).query)["auth_code"][0]
        return code, browser.get(callback_url), landing


def test_full_login_flow(stack: Stack, debug_logs: pytest.LogCaptureFixture) -> None:
    code, replayed_callback, landing = login(stack, "ann")
    assert landing.startswith(stack.app_base + "/?auth_code=")
    assert replayed_callback.status_code == 400, "replayed state is refused"
    exchanged = httpx.post(stack.app_base + "/api/auth/exchange", json={"code": code})
    assert exchanged.status_code == 200
    token = exchanged.json()["access_token"]
    assert exchanged.json()["token_type"] == "bearer"
    me = httpx.get(stack.app_base + "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["sub"] == "ann" and me.json()["iss"] == "fluxlit-bff"
    again = httpx.post(stack.app_base + "/api/auth/exchange", json={"code": code})
    assert again.status_code == 400, "a one-time code works once"
    access = [r.getMessage() for r in debug_logs.records if r.name == "fluxlit.gateway.access"]
    assert any("/auth/callback" in line for line in access), "the gateway access log is on"
    served = "\n".join(access)
    for secret in (code, token, BFF_SECRET, "provider-client-secret"):
        assert secret not in served


def test_login_follows_next_with_its_query(stack: Stack) -> None:
    code, _, landing = login(stack, "bo", next="/reports?tab=1")
    assert landing.startswith(stack.app_base + "/reports?tab=1&auth_code=")
    page = httpx.get(landing).json()
    assert page["path"] == "/reports"
    assert parse_qs(page["query"]) == {"tab": ["1"], "auth_code": [code]}
    token = httpx.post(stack.app_base + "/api/auth/exchange", json={"code": code}).json()
    me = httpx.get(
        stack.app_base + "/api/me", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert me.json()["sub"] == "bo"


def test_foreign_redirect_after_login_is_refused(stack: Stack) -> None:
    for target in ("https://evil.test/", "//evil.test/x", "/\\evil.test"):
        response = httpx.get(stack.app_base + "/api/auth/login", params={"next": target})
        assert response.status_code == 400, target
    ok = httpx.get(stack.app_base + "/api/auth/login", params={"next": "/reports"})
    assert ok.status_code == 302


def test_unknown_state_and_provider_errors(stack: Stack) -> None:
    base = stack.app_base + "/api/auth/callback"
    assert httpx.get(base + "?code=x&state=forged").status_code == 400
    assert httpx.get(base + "?error=access_denied").status_code == 400
