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


def test_public_base_url_path_used_when_no_mount(env) -> None:
    env.setenv("FLUXLIT_PUBLIC_BASE_URL", "https://public.example.com/base/")
    assert FluxLit().urls.api_base(_request()) == "https://public.example.com/base/api"


def test_page_links_encode_query(env) -> None:
    urls = FluxLit().urls
    request = _request()
    assert urls.for_page(request, "/") == "http://example.test:8777/"
    link = urls.page_url(request, "reports", query={"q": "a b&c=d", "n": 2})
    assert link == "http://example.test:8777/reports?q=a%20b%26c%3Dd&n=2"
    assert urls.for_page(request, "/reports", query={"q": "é"}) == urls.page_url(
        request, "/reports", query={"q": "é"}
    )
