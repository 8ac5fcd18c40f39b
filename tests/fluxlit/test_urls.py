"""Browser-visible URLs for pages and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.requests import Request

from fluxlit import FluxLit


def _request(host: str = "example.test:8777", scheme: str = "http") -> Request:
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": ("127.0.0.1", 8777),
        "path": "/api/x",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "method": "GET",
    }
    return Request(scope)


@pytest.fixture
def env(clean_fluxlit_env: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    return monkeypatch


def test_bases_from_request(env) -> None:
    urls = FluxLit().urls
    assert urls.app_base(_request()) == "http://example.test:8777"
    assert urls.api_base(_request()) == "http://example.test:8777/api"


def test_bases_with_root_path_and_custom_prefix(env) -> None:
    env.setenv("FLUXLIT_ROOT_PATH", "/apps/demo")
    env.setenv("FLUXLIT_API_MOUNT_PATH", "/backend/")
    urls = FluxLit().urls
    assert urls.app_base(_request(scheme="https")) == "https://example.test:8777/apps/demo"
    assert urls.api_base(_request()) == "http://example.test:8777/apps/demo/backend"


def test_public_base_url_wins(env) -> None:
    env.setenv("FLUXLIT_PUBLIC_BASE_URL", "https://public.example.com/")
    env.setenv("FLUXLIT_STREAMLIT_PUBLIC_PATH", "/tool")
    urls = FluxLit().urls
    assert urls.app_base(_request()) == "https://public.example.com/tool"
    env.setenv("FLUXLIT_PUBLIC_BASE_URL", "https://public.example.com/tool")
    assert FluxLit().urls.app_base(_request()) == "https://public.example.com/tool"


def test_public_base_url_path_ignored_unless_it_matches_the_mount(env) -> None:
    env.setenv("FLUXLIT_PUBLIC_BASE_URL", "https://public.example.com/base/")
    assert FluxLit().urls.api_base(_request()) == "https://public.example.com/api"
    env.setenv("FLUXLIT_ROOT_PATH", "/other")
    assert FluxLit().urls.app_base(_request()) == "https://public.example.com/other"
    env.setenv("FLUXLIT_ROOT_PATH", "/base")
    assert FluxLit().urls.api_base(_request()) == "https://public.example.com/base/api"


def test_forwarded_headers_reach_the_urls_through_uvicorn_proxy_headers(env) -> None:
    """With proxy headers on, Uvicorn applies ``X-Forwarded-Proto``; the URLs follow it.

    The host is the ``Host`` header (proxies preserve it); FluxLit does not trust
    ``X-Forwarded-Host`` on its own, and an untrusted client's headers change nothing.
    """
    from starlette.testclient import TestClient
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    fl = FluxLit()

    @fl.api.get("/links")
    def links(request: Request) -> dict[str, str]:
        return {"app": fl.urls.app_base(request), "api": fl.urls.page_url(request, "/r")}

    headers = {
        "Host": "shop.example.com",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example.net",
    }
    trusted = TestClient(ProxyHeadersMiddleware(fl.api, trusted_hosts="*"))
    assert trusted.get("/links", headers=headers).json() == {
        "app": "https://shop.example.com",
        "api": "https://shop.example.com/r",
    }
    untrusted = TestClient(ProxyHeadersMiddleware(fl.api, trusted_hosts="10.0.0.1"))
    assert untrusted.get("/links", headers=headers).json()["app"] == "http://shop.example.com"
