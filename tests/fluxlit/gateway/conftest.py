"""A real upstream server on loopback for proxy tests (uvicorn in a thread)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from tests.helpers.servers import ThreadServer, serve_app


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": {k: v for k, v in request.headers.items()},
            "body_len": len(body),
        },
        headers={"X-Upstream": "yes", "Connection": "keep-alive"},
    )


async def slow(request: Request) -> PlainTextResponse:
    await asyncio.sleep(float(request.query_params.get("s", "2")))
    return PlainTextResponse("late")


async def stream(request: Request) -> StreamingResponse:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(3):
            yield f"chunk{i};".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(chunks(), media_type="text/plain")


async def ws_echo(websocket: WebSocket) -> None:
    proto = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol=proto[0] if proto else None)
    headers = websocket.headers
    await websocket.send_text(
        f"host={headers.get('host')} origin={headers.get('origin')} "
        f"cookie={headers.get('cookie')} rid={headers.get('x-request-id')}"
    )
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") == "close-me":
            await websocket.close(code=4001)
            return
        if message.get("bytes") is not None:
            await websocket.send_bytes(message["bytes"][::-1])
        else:
            await websocket.send_text("echo:" + message["text"])


async def ws_deny(websocket: WebSocket) -> None:
    await websocket.close(code=1008)


async def status(request: Request) -> PlainTextResponse:
    return PlainTextResponse("status", status_code=int(request.path_params["code"]))


UPSTREAM = Starlette(
    routes=[
        Route("/status/{code:int}", status),
        WebSocketRoute("/ws-deny", ws_deny),
        Route("/slow", slow),
        Route("/stream", stream),
        WebSocketRoute("/ws", ws_echo),
        WebSocketRoute("/apps/demo/ws", ws_echo),
        Route("/{path:path}", echo, methods=["GET", "POST", "PUT", "DELETE"]),
    ]
)


@pytest.fixture(scope="module")
def upstream() -> Iterator[ThreadServer]:
    """The echo server above, for one test module."""
    with serve_app(UPSTREAM) as server:
        yield server


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[..., object]], ThreadServer]]:
    """Serve an ASGI app on a fresh port for the duration of a test."""
    servers: list[ThreadServer] = []

    def start(app: Callable[..., object]) -> ThreadServer:
        servers.append(ThreadServer(app).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
