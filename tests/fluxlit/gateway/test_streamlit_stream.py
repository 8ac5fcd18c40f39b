"""Streamlit's stream through the gateway, in both modes: the handshake query, then messages.

Streamlit runs the same ``st.App`` either way: as a real ``streamlit run`` child behind the
sidecar proxy, or inside the gateway's process behind the dispatcher. A passive
middleware in it records the path and raw query of every WebSocket handshake it receives.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest
import websockets
from fastapi import FastAPI
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Origin, Subprotocol

from fluxlit.gateway import build_gateway
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import serve_app, stop_process, streamlit_run

pytestmark = pytest.mark.slow

STREAMLIT_APP = """
import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

HANDSHAKES = []


class RecordHandshakes:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            HANDSHAKES.append(scope["path"] + "?" + scope["query_string"].decode("latin-1"))
        await self.app(scope, receive, send)


async def handshakes(request):
    return JSONResponse(HANDSHAKES)


app = st.App(
    "page.py",
    middleware=[Middleware(RecordHandshakes)],
    routes=[Route("/_probe/handshakes", handshakes)],
)
"""
PAGE = """
import streamlit as st

st.title("stream page")
st.write("a=" + ",".join(st.query_params.get_all("a")))
"""
IN_PROCESS = """
import sys

import uvicorn
from fastapi import FastAPI

from fluxlit.gateway import build_dispatcher
from streamlit_app import app as st_app

gateway = build_dispatcher(FastAPI(), st_app, lifespan_apps=[st_app])
uvicorn.run(gateway, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


@pytest.fixture(scope="module", params=["sidecar", "inprocess"])
def gateway_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The public URL of a gateway in front of the recording ``st.App``, in either mode."""
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "page.py").write_text(PAGE, encoding="utf-8")
    (folder / "streamlit_app.py").write_text(STREAMLIT_APP, encoding="utf-8")
    if request.param == "sidecar":
        with (
            streamlit_run(folder / "streamlit_app.py") as upstream,
            serve_app(build_gateway(FastAPI(), upstream)) as gateway,
        ):
            yield gateway.url
        return
    (folder / "in_process.py").write_text(IN_PROCESS, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen([sys.executable, "in_process.py", str(port)], cwd=folder)
    try:
        wait_for_200(f"http://127.0.0.1:{port}/_stcore/health", process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


async def rerun_through(stream: str, origin: str, query_string: str) -> list[ForwardMsg]:
    """Open the stream, ask for a script run with ``query_string``; return what came back."""
    async with websockets.connect(
        stream, subprotocols=[Subprotocol("streamlit")], origin=Origin(origin), open_timeout=10
    ) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = query_string
        await ws.send(rerun.SerializeToString())
        received: list[ForwardMsg] = []
        while not received or received[-1].WhichOneof("type") != "script_finished":
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
            received.append(message)
        return received


def test_the_handshake_query_reaches_streamlit_and_a_rerun_runs(gateway_url: str) -> None:
    """Byte for byte (repeated keys, order, escapes); then page output comes back."""
    query = f"a=1&b=x%20y&a=2&probe={uuid.uuid4().hex}"
    stream = gateway_url.replace("http://", "ws://") + "/_stcore/stream?" + query
    replies = asyncio.run(rerun_through(stream, gateway_url, "a=1&a=2"))
    seen = httpx.get(gateway_url + "/_probe/handshakes").json()
    assert "/_stcore/stream?" + query in seen, seen
    kinds = [reply.WhichOneof("type") for reply in replies]
    assert kinds[0] == "new_session" and "delta" in kinds, kinds
    elements = [r.delta.new_element for r in replies if r.WhichOneof("type") == "delta"]
    assert [e.heading.body for e in elements if e.HasField("heading")] == ["stream page"]
    assert [e.markdown.body for e in elements if e.HasField("markdown")] == ["a=1,2"]
    assert replies[-1].script_finished == ForwardMsg.FINISHED_SUCCESSFULLY


def test_the_stream_checks_the_origin(gateway_url: str) -> None:
    """A foreign Origin is refused by Streamlit itself (403), in both modes."""
    stream = gateway_url.replace("http://", "ws://") + "/_stcore/stream?a=1"
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(rerun_through(stream, "http://evil.example", ""))
    assert refused.value.response.status_code == 403
