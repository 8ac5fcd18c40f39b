"""The sidecar reverse proxy against a real upstream server on loopback."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from starlette.types import ASGIApp, Message
from websockets.typing import Origin, Subprotocol

from fluxlit.config import FluxlitSettings
from fluxlit.gateway import GatewayProxyOptions, build_gateway
from fluxlit.gateway.proxy import StreamlitProxy

pytestmark = pytest.mark.slow


def gateway_for(upstream_url: str, **settings: Any) -> ASGIApp:
    api = FastAPI()

    @api.get("/ping")
    def ping() -> str:
        return "pong"

    return build_gateway(api, upstream_url, proxy_settings=FluxlitSettings(**settings))


def ws_url(gw: Any, path: str) -> str:
    return str(gw.url).replace("http://", "ws://") + path


def test_options_mirror_settings() -> None:
    settings = FluxlitSettings(
        proxy_connect_timeout=1.5,
        max_concurrent_upstream_http=3,
        ws_ping_interval_s=7.0,
        forward_client_headers_http=["X-Team"],
    )
    options = GatewayProxyOptions.from_settings(settings)
    assert options.connect_timeout == 1.5 and options.max_concurrent_upstream_http == 3
    assert options.ws_ping_interval_s == 7.0
    assert options.forward_client_headers_http == frozenset({"x-team"})
    assert GatewayProxyOptions.from_settings(None) == GatewayProxyOptions()


def test_http_forwarding_preserves_host_and_drops_hop_by_hop(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url))
    response = httpx.post(
        gw.url + "/some/page?x=1",
        content=b"abc",
        headers={
            "Host": "public.example:8777",
            "X-Request-ID": "r-1",
            "Keep-Alive": "5",
            "Connection": "keep-alive, x-private",
            "X-Private": "hop",
            "X-Forwarded-Proto": "gopher",
            "X-Forwarded-For": "10.0.0.1",
            "Cookie": "a=b",
        },
    )
    data = response.json()
    assert data["path"] == "/some/page" and data["query"] == "x=1" and data["body_len"] == 3
    headers = data["headers"]
    assert headers["host"] == "public.example:8777"
    assert headers["x-forwarded-host"] == "public.example:8777"
    assert headers["x-request-id"] == "r-1" and headers["cookie"] == "a=b"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-for"] == "10.0.0.1, 127.0.0.1"
    assert "keep-alive" not in headers and "x-private" not in headers
    assert response.headers["x-upstream"] == "yes" and response.headers["x-request-id"] == "r-1"
    assert "keep-alive" not in response.headers.get("connection", "")
    assert len(response.headers.get_list("date")) == 1
    assert response.headers.get_list("server") == ["uvicorn"]
    assert httpx.get(gw.url + "/api/ping").json() == "pong"


def test_upstream_gets_the_gateway_request_id(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url))
    response = httpx.get(gw.url + "/p", headers={"X-Request-ID": "not ok!"})
    rid = response.headers["x-request-id"]
    assert rid != "not ok!" and response.json()["headers"]["x-request-id"] == rid


def test_a_client_without_accept_encoding_gets_no_compressed_body(
    upstream: Any, serve: Any
) -> None:
    """httpx (the proxy's client) would ask Streamlit for gzip on its own; a client that
    sent no Accept-Encoding must get an identity body, one that did keeps its choice."""
    gw = serve(gateway_for(upstream.url))
    with httpx.Client() as bare:
        del bare.headers["accept-encoding"]
        seen = bare.get(gw.url + "/p").json()["headers"]
    assert seen["accept-encoding"] == "identity"
    asked = httpx.get(gw.url + "/p", headers={"Accept-Encoding": "br"}).json()["headers"]
    assert asked["accept-encoding"] == "br"


def test_forward_client_headers_http_narrows_forwarding(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url, forward_client_headers_http=["X-Team"]))
    headers = {"X-Team": "blue", "X-Other": "no", "Cookie": "s=1"}
    seen = httpx.get(gw.url + "/p", headers=headers).json()["headers"]
    assert seen["x-team"] == "blue" and seen["cookie"] == "s=1" and "x-other" not in seen


def test_streaming_both_ways(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url))
    with httpx.stream("GET", gw.url + "/stream") as response:
        chunks = list(response.iter_raw())
    assert b"".join(chunks) == b"chunk0;chunk1;chunk2;"

    def upload():  # type: ignore[no-untyped-def]
        for _ in range(4):
            yield b"y" * 1000

    assert httpx.post(gw.url + "/up", content=upload()).json()["body_len"] == 4000


def test_upstream_down_is_502_and_slow_is_504(upstream: Any, serve: Any, unused_port: int) -> None:
    dead = serve(gateway_for(f"http://127.0.0.1:{unused_port}"))
    response = httpx.get(dead.url + "/")
    assert response.status_code == 502 and "not reachable" in response.text
    slow = serve(gateway_for(upstream.url, proxy_read_timeout=0.3))
    response = httpx.get(slow.url + "/slow?s=2", timeout=10)
    assert response.status_code == 504 and "FLUXLIT_PROXY_READ_TIMEOUT" in response.text


def test_proxy_body_limit(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url, max_proxy_body_bytes=5))
    assert httpx.post(gw.url + "/x", content=b"12345").json()["body_len"] == 5
    response = httpx.post(gw.url + "/x", content=b"123456")
    assert response.status_code == 413 and "FLUXLIT_MAX_PROXY_BODY_BYTES" in response.text

    def chunked():  # type: ignore[no-untyped-def]
        yield b"123"
        yield b"456"

    response = httpx.post(gw.url + "/x", content=chunked())
    assert response.status_code == 413 and "FLUXLIT_MAX_PROXY_BODY_BYTES" in response.text


def test_request_body_limit_applies_to_api_and_ui(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url, max_request_body_bytes=4))
    for path in ("/api/ping", "/page"):
        response = httpx.post(gw.url + path, content=b"12345")
        assert response.status_code == 413 and "FLUXLIT_MAX_REQUEST_BODY_BYTES" in response.text


def test_concurrency_cap_queues_then_refuses(upstream: Any, serve: Any) -> None:
    queued = serve(gateway_for(upstream.url, max_concurrent_upstream_http=1))
    strict = serve(
        gateway_for(upstream.url, max_concurrent_upstream_http=1, proxy_connect_timeout=0.2)
    )

    async def burst(url: str) -> tuple[float, list[int]]:
        async with httpx.AsyncClient(timeout=10) as client:
            loop = asyncio.get_running_loop()
            start = loop.time()
            responses = await asyncio.gather(*(client.get(url) for _ in range(3)))
            return loop.time() - start, sorted(r.status_code for r in responses)

    elapsed, codes = asyncio.run(burst(queued.url + "/slow?s=0.3"))
    assert codes == [200, 200, 200] and elapsed >= 0.85, "a cap of 1 runs them in series"
    _, codes = asyncio.run(burst(strict.url + "/slow?s=0.5"))
    assert codes == [200, 503, 503]
    text = httpx.get(strict.url + "/status/200").text
    assert text == "status", "slots are released after refusals"


def test_upstream_resolver_is_asked_per_request(
    upstream: Any, serve: Any, unused_port: int
) -> None:
    target = {"url": f"http://127.0.0.1:{unused_port}"}
    api = FastAPI()
    gw = serve(build_gateway(api, "http://unused", upstream_resolver=lambda: target["url"]))
    assert httpx.get(gw.url + "/a").status_code == 502
    target["url"] = upstream.url
    assert httpx.get(gw.url + "/a").json()["path"] == "/a"
    assert asyncio.run(_first_ws_message(ws_url(gw, "/ws"))).startswith("host=")


async def _first_ws_message(url: str, **kwargs: Any) -> str:
    async with websockets.connect(url, **kwargs) as ws:
        return str(await ws.recv())


def test_root_mount_reaches_upstream_with_the_mount(upstream: Any, serve: Any) -> None:
    api = FastAPI()
    gw = serve(build_gateway(api, upstream.url, root_mount="/apps/demo"))
    assert httpx.get(gw.url + "/apps/demo/page").json()["path"] == "/apps/demo/page"
    assert httpx.get(gw.url + "/page").json()["path"] == "/apps/demo/page"
    assert asyncio.run(_first_ws_message(ws_url(gw, "/ws"))).startswith("host=")


def test_websocket_round_trip(upstream: Any, serve: Any) -> None:
    gw = serve(gateway_for(upstream.url))

    async def run() -> tuple[str, str, bytes, str | None, int | None]:
        async with websockets.connect(
            ws_url(gw, "/ws"),
            subprotocols=[Subprotocol("streamlit"), Subprotocol("x")],
            origin=Origin("http://public.example"),
            additional_headers={"Cookie": "sid=1", "X-Request-ID": "ws-1"},
        ) as ws:
            hello = await ws.recv()
            await ws.send("hi")
            text = await ws.recv()
            await ws.send(b"\x01\x02")
            data = await ws.recv()
            proto = ws.subprotocol
            await ws.send("close-me")
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
            return (
                str(hello),
                str(text),
                data if isinstance(data, bytes) else data.encode(),
                proto,
                ws.close_code,
            )

    hello, text, data, proto, code = asyncio.run(run())
    host = gw.url.removeprefix("http://")
    assert hello == f"host={host} origin=http://public.example cookie=sid=1 rid=ws-1"
    assert text == "echo:hi" and data == b"\x02\x01"
    assert proto == "streamlit" and code == 4001


def test_client_close_code_reaches_upstream(serve: Any) -> None:
    codes: list[int] = []

    async def upstream_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        await send({"type": "websocket.accept"})
        message = await receive()
        codes.append(message["code"])

    up = serve(upstream_app)
    gw = serve(gateway_for(up.url))

    async def run() -> None:
        async with websockets.connect(ws_url(gw, "/any")) as ws:
            await ws.close(code=4321)
        for _ in range(100):
            if codes:
                return
            await asyncio.sleep(0.02)

    asyncio.run(run())
    assert codes == [4321]


def test_websocket_refused_or_unreachable_upstream(
    upstream: Any, serve: Any, unused_port: int
) -> None:
    gw = serve(gateway_for(upstream.url))
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(_first_ws_message(ws_url(gw, "/ws-deny")))
    assert refused.value.response.status_code == 403
    dead = serve(gateway_for(f"http://127.0.0.1:{unused_port}"))
    with pytest.raises(websockets.InvalidStatus) as unreachable:
        asyncio.run(_first_ws_message(ws_url(dead, "/ws")))
    assert unreachable.value.response.status_code == 502


def test_http_client_is_closed_at_shutdown_and_reopened() -> None:
    proxy = StreamlitProxy(lambda: "http://127.0.0.1:9", GatewayProxyOptions())

    async def run() -> tuple[bool, bool]:
        first = proxy.client()
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent: list[str] = []

        async def receive() -> Message:
            return next(messages)

        async def send(message: Message) -> None:
            sent.append(message["type"])

        await proxy({"type": "lifespan"}, receive, send)
        assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
        return first.is_closed, proxy.client() is not first

    closed, renewed = asyncio.run(run())
    assert closed and renewed


def test_unknown_upstream_is_502(serve: Any) -> None:
    def missing() -> str:
        raise RuntimeError("FLUXLIT_STREAMLIT_UPSTREAM_FILE not written yet")

    gw = serve(build_gateway(FastAPI(), "", upstream_resolver=missing))
    response = httpx.get(gw.url + "/page")
    assert response.status_code == 502 and "not known yet" in response.text
    with pytest.raises(websockets.InvalidStatus) as denied:
        asyncio.run(_first_ws_message(ws_url(gw, "/_stcore/stream")))
    assert denied.value.response.status_code == 502


def test_websocket_open_timeout_is_504(serve: Any) -> None:
    with socket.socket() as silent:  # accepts TCP connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        gw = serve(gateway_for(f"http://127.0.0.1:{port}", ws_open_timeout_s=0.3))
        with pytest.raises(websockets.InvalidStatus) as timed_out:
            asyncio.run(_first_ws_message(ws_url(gw, "/_stcore/stream")))
    assert timed_out.value.response.status_code == 504
    assert b"FLUXLIT_WS_OPEN_TIMEOUT_S" in timed_out.value.response.body
