"""The gateway in front of a real ``streamlit run`` sidecar: pages, health, the stream."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from websockets.typing import Origin, Subprotocol

from fluxlit.gateway import build_gateway
from tests.helpers.servers import streamlit_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def streamlit_sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    script = tmp_path_factory.mktemp("st") / "app.py"
    script.write_text("import streamlit as st\nst.title('sidecar page')\n", encoding="utf-8")
    with streamlit_run(script) as url:
        yield url


def test_streamlit_through_the_gateway(streamlit_sidecar: str, serve: Any) -> None:
    api = FastAPI()

    @api.get("/hello")
    def hello() -> str:
        return "hi"

    gw = serve(build_gateway(api, streamlit_sidecar))
    page = httpx.get(gw.url + "/")
    assert page.status_code == 200 and '<div id="root">' in page.text.replace("'", '"')
    assert httpx.get(gw.url + "/_stcore/health").text == "ok"
    assert httpx.get(gw.url + "/api/hello").json() == "hi"
    public_host = gw.url.removeprefix("http://")
    stream = gw.url.replace("http://", "ws://") + "/_stcore/stream"

    async def open_stream(origin: str) -> str | None:
        async with websockets.connect(
            stream, subprotocols=[Subprotocol("streamlit")], origin=Origin(origin), open_timeout=10
        ) as ws:
            return ws.subprotocol

    assert asyncio.run(open_stream(f"http://{public_host}")) == "streamlit"
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(open_stream("http://evil.example"))
    assert refused.value.response.status_code == 403, "Streamlit's origin check still applies"
