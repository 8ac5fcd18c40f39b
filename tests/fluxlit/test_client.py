"""ApiClient: verbs, models, auth headers, request ids, and refusal of foreign hosts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from fluxlit.client import ApiClient, set_client_factory
from fluxlit.logging import reset_request_id, set_request_id


class Item(BaseModel):
    name: str
    price: float


@pytest.fixture
def seen() -> Iterator[list[httpx.Request]]:
    """Route every new ApiClient to a mock transport that records and echoes requests."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path.endswith("/item"):
            return httpx.Response(200, json={"name": "pen", "price": 1.5})
        if request.url.path.endswith("/broken"):
            return httpx.Response(500, json={"detail": "boom"})
        body = json.loads(request.content) if request.content.startswith(b"{") else None
        return httpx.Response(201, json={"echo": body})

    restore = set_client_factory(
        lambda base, timeout: httpx.Client(transport=httpx.MockTransport(handler), timeout=timeout)
    )
    yield requests
    restore()


def test_default_base_url_from_env(monkeypatch) -> None:
    monkeypatch.delenv("FLUXLIT_INTERNAL_API_BASE", raising=False)
    assert ApiClient().base_url == "http://127.0.0.1:8000/api/"
    monkeypatch.setenv("FLUXLIT_INTERNAL_API_BASE", "http://127.0.0.1:9/x/api/")
    assert ApiClient().base_url == "http://127.0.0.1:9/x/api/"


def test_verbs_join_paths_under_base(seen: list[httpx.Request]) -> None:
    client = ApiClient("http://api.test/api")
    client.get("users", params={"q": "a"})
    client.post("/users", json={"a": 1})
    client.put("/users/1", content=b"x")
    client.delete("/users/1")
    client.request("PATCH", "/users/1")
    assert [(r.method, str(r.url)) for r in seen] == [
        ("GET", "http://api.test/api/users?q=a"),
        ("POST", "http://api.test/api/users"),
        ("PUT", "http://api.test/api/users/1"),
        ("DELETE", "http://api.test/api/users/1"),
        ("PATCH", "http://api.test/api/users/1"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "http://evil.test/x",
        "HTTPS://evil.test",
        "//evil.test/x",
        "  //evil.test",
        "/\\evil.test",
        "\\\\evil.test",
        "http:evil.test",
        "javascript:alert(1)",
        "/ok\r\nHost: evil",
        "\x00/x",
    ],
)
def test_foreign_hosts_are_refused_before_any_request(seen: list[httpx.Request], path: str) -> None:
    with pytest.raises(ValueError):
        ApiClient("http://api.test/api").get(path)
    assert seen == []


def test_paths_with_colons_later_are_fine(seen: list[httpx.Request]) -> None:
    ApiClient("http://api.test/api").get("/items/a:b?t=1:2")
    assert seen[0].url.path == "/api/items/a:b"


@pytest.mark.parametrize("path", ["/items:search", "/v1:batch/run", " /users:1", "items/a:b"])
def test_colon_in_a_slash_path_is_a_path(seen: list[httpx.Request], path: str) -> None:
    ApiClient("http://api.test/api").post(path)
    (request,) = seen
    assert request.url.host == "api.test"
    assert request.url.path == "/api/" + path.strip().lstrip("/")


def test_scheme_like_path_is_refused_with_a_hint(seen: list[httpx.Request]) -> None:
    with pytest.raises(ValueError, match="'/users:1'"):
        ApiClient("http://api.test/api").get("users:1")
    assert seen == []


def test_verbs_share_the_host_check(seen: list[httpx.Request]) -> None:
    client = ApiClient("http://api.test/api")
    for call in (client.get, client.post, client.put, client.delete):
        with pytest.raises(ValueError):
            call("https://evil.test/x")
    with pytest.raises(ValueError):
        client.get_model("//evil.test/item", Item)
    assert seen == []


def test_models(seen: list[httpx.Request]) -> None:
    client = ApiClient("http://api.test/api")
    assert client.get_model("/item", Item) == Item(name="pen", price=1.5)
    with pytest.raises(httpx.HTTPStatusError):
        client.get_model("/broken", Item)
    with pytest.raises(ValidationError):
        client.get_model("/echo", Item)  # 201 {"echo": null}: not an Item
    with pytest.raises(ValueError):
        client.post_model("/echo", Item, body=Item(name="a", price=1), json={"a": 1})


def test_post_model_sends_body_model(seen: list[httpx.Request]) -> None:
    class Echo(BaseModel):
        echo: dict[str, object]

    reply = ApiClient("http://api.test/api").post_model("/echo", Echo, body=Item(name="a", price=2))
    assert reply.echo == {"name": "a", "price": 2.0}


def test_bearer_helpers(seen: list[httpx.Request]) -> None:
    with pytest.raises(ValueError, match="not both"):
        ApiClient.for_fluxlit(bearer_token="t", auth_header_factory=lambda: {})
    ApiClient.for_fluxlit(bearer_token="tok", base_url="http://api.test/api").get("/a")
    assert seen[-1].headers["authorization"] == "Bearer tok"

    base = ApiClient.for_fluxlit(
        auth_header_factory=lambda: {"X-Tenant": "t1", "Authorization": "Basic old"},
        base_url="http://api.test/api",
        default_headers={"X-Default": "d"},
    )
    with base.with_bearer("new") as client:
        client.get("/a", headers={"X-Tenant": "call-wins"})
    headers = seen[-1].headers
    assert headers["authorization"] == "Bearer new"
    assert headers["x-tenant"] == "call-wins"
    assert headers["x-default"] == "d"


def test_request_id_propagation(seen: list[httpx.Request]) -> None:
    token = set_request_id("req-123")
    try:
        ApiClient("http://api.test/api").get("/a")
        ApiClient("http://api.test/api", propagate_request_id=True).get("/a")
    finally:
        reset_request_id(token)
    assert "x-request-id" not in seen[0].headers
    assert seen[1].headers["x-request-id"] == "req-123"


@pytest.mark.parametrize("debug", [True, False])
def test_get_client_forwards_request_id_only_in_debug(
    seen: list[httpx.Request], clean_fluxlit_env, debug: bool
) -> None:
    from fluxlit import FluxLit, FluxlitSettings

    fl = FluxLit(settings=FluxlitSettings(debug=debug))
    token = set_request_id("req-dbg")
    try:
        fl.get_client().get("/a")
    finally:
        reset_request_id(token)
    assert seen[0].headers.get("x-request-id") == ("req-dbg" if debug else None)


def test_factory_restore() -> None:
    restore = set_client_factory(lambda base, timeout: httpx.Client())
    restore()
    client = ApiClient("http://127.0.0.1:1/api", timeout=0.2)
    with pytest.raises(httpx.ConnectError):
        client.get("/x")


def test_post_model_takes_a_mapping_body(seen: list[httpx.Request]) -> None:
    class Echo(BaseModel):
        echo: dict[str, object]

    reply = ApiClient("http://api.test/api").post_model("/echo", Echo, body={"a": 1})
    assert reply.echo == {"a": 1}
    with pytest.raises(ValueError, match="not both"):
        ApiClient("http://api.test/api").post_model("/echo", Echo, body={"a": 1}, json={})


def test_it_is_an_httpx_client_whose_every_verb_checks_the_path(
    seen: list[httpx.Request],
) -> None:
    client = ApiClient("http://api.test/api")
    assert isinstance(client, httpx.Client)
    client.patch("/users/1", json={"a": 1})
    client.head("users")
    client.options("/items:search")
    with client.stream("GET", "/item") as response:
        assert response.read() == b'{"name":"pen","price":1.5}'
    assert [(r.method, str(r.url)) for r in seen] == [
        ("PATCH", "http://api.test/api/users/1"),
        ("HEAD", "http://api.test/api/users"),
        ("OPTIONS", "http://api.test/api/items:search"),
        ("GET", "http://api.test/api/item"),
    ]
    for call in (client.patch, client.head, client.options):
        with pytest.raises(ValueError, match="absolute URL"):
            call("https://evil.test/x")
    with pytest.raises(ValueError, match="scheme-relative"), client.stream("GET", "//evil.test/"):
        pass
    assert len(seen) == 4


def test_httpx_options_pass_through() -> None:
    hooks: list[str] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    with ApiClient(
        "http://api.test/api",
        transport=transport,
        event_hooks={"request": [lambda request: hooks.append(str(request.url))]},
    ) as client:
        assert client.get("/ping").status_code == 204
    assert hooks == ["http://api.test/api/ping"]


def test_clients_share_one_ssl_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page builds a client on every run: reading the CA bundle each time cost half
    of a page run's CPU (bench/gateway, py-spy)."""
    import ssl

    built: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(create(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent-for-a-fresh-cache-entry")
    clients = [ApiClient("http://127.0.0.1:1/api") for _ in range(3)]
    assert len(built) == 1, "one context for every client"
    for client in clients:
        client.close()
