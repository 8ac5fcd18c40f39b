"""The sidecar reverse proxy against a real upstream server on loopback."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets
from fastapi import FastAPI

from fluxlit.config import FluxlitSettings
from fluxlit.gateway import build_gateway

pytestmark = pytest.mark.slow


def gateway_for(upstream_url: str, **settings: object) -> object:
    api = FastAPI()

    @api.get("/ping")
    def ping() -> str:
        return "pong"

    return build_gateway(api, upstream_url, proxy_settings=FluxlitSettings(**settings))


def test_http_forwarding_preserves_host_and_drops_hop_by_hop(upstream, serve) -> None:
    gw = serve(gateway_for(upstream.url))
    response = httpx.post(
        gw.url + "/some/page?x=1",
        content=b"abc",
        headers={"Host": "public.example:8777", "X-Request-ID": "r-1", "Keep-Alive": "5"},
    )
    data = response.json()
    assert data["path"] == "/some/page" and data["query"] == "x=1" and data["body_len"] == 3
    headers = data["headers"]
    assert headers["host"] == "public.example:8777"
    assert headers["x-request-id"] == "r-1"
    assert headers["x-forwarded-proto"] == "http" and "127.0.0.1" in headers["x-forwarded-for"]
    assert "keep-alive" not in headers
    assert response.headers["x-upstream"] == "yes" and response.headers["x-request-id"] == "r-1"
    assert httpx.get(gw.url + "/api/ping").json() == "pong"


def test_streaming_response(upstream, serve) -> None:
    gw = serve(gateway_for(upstream.url))
    with httpx.stream("GET", gw.url + "/stream") as response:
        chunks = list(response.iter_text())
    assert "".join(chunks) == "chunk0;chunk1;chunk2;"


def test_upstream_down_is_502_and_slow_is_504(upstream, serve, unused_port) -> None:
    dead = serve(gateway_for(f"http://127.0.0.1:{unused_port}"))
    response = httpx.get(dead.url + "/")
    assert response.status_code == 502 and "not reachable" in response.text
    slow = serve(gateway_for(upstream.url, proxy_read_timeout=0.3))
    response = httpx.get(slow.url + "/slow?s=2", timeout=10)
    assert response.status_code == 504 and "FLUXLIT_PROXY_READ_TIMEOUT" in response.text


def test_proxy_body_limit(upstream, serve) -> None:
    gw = serve(gateway_for(upstream.url, max_proxy_body_bytes=5))
    assert httpx.post(gw.url + "/x", content=b"12345").json()["body_len"] == 5
    response = httpx.post(gw.url + "/x", content=b"123456")
    assert response.status_code == 413 and "FLUXLIT_MAX_PROXY_BODY_BYTES" in response.text


def test_concurrency_cap_queues_requests(upstream, serve) -> None:
    gw = serve(gateway_for(upstream.url, max_concurrent_upstream_http=1))

    async def run() -> float:
        async with httpx.AsyncClient(timeout=10) as client:
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.gather(*(client.get(gw.url + "/slow?s=0.3") for _ in range(3)))
            return loop.time() - start

    assert asyncio.run(run()) >= 0.85, "three 0.3 s requests through a cap of 1 run in series"


def test_upstream_resolver_is_asked_per_request(upstream, serve, unused_port) -> None:
    target = {"url": f"http://127.0.0.1:{unused_port}"}
    api = FastAPI()
    gw = serve(build_gateway(api, "http://unused", upstream_resolver=lambda: target["url"]))
    assert httpx.get(gw.url + "/a").status_code == 502
    target["url"] = upstream.url
    assert httpx.get(gw.url + "/a").json()["path"] == "/a"


def test_websocket_round_trip(upstream, serve) -> None:
    gw = serve(gateway_for(upstream.url))
    ws_url = gw.url.replace("http", "ws") + "/ws"

    async def run() -> tuple[str, str, bytes, str | None, int | None]:
        async with websockets.connect(ws_url, subprotocols=["streamlit", "x"]) as ws:
            host = await ws.recv()
            await ws.send("hi")
            text = await ws.recv()
            await ws.send(b"\x01\x02")
            data = await ws.recv()
            proto = ws.subprotocol
            await ws.send("close-me")
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
            return host, text, data, proto, ws.close_code

    host, text, data, proto, code = asyncio.run(run())
    assert host == f"host={gw.url.removeprefix('http://')}", "client Host reaches upstream"
    assert text == "echo:hi" and data == b"\x02\x01"
    assert proto == "streamlit" and code == 4001


def test_websocket_to_dead_upstream_closes(serve, unused_port) -> None:
    gw = serve(gateway_for(f"http://127.0.0.1:{unused_port}"))

    async def run() -> None:
        async with websockets.connect(gw.url.replace("http", "ws") + "/ws") as ws:
            await ws.recv()

    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        asyncio.run(run())
