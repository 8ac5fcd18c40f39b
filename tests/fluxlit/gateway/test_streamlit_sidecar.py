"""The gateway in front of a real ``streamlit run`` sidecar: pages, health, the stream."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from websockets.typing import Origin, Subprotocol

from fluxlit.gateway import build_gateway

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def streamlit_sidecar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    script = tmp_path_factory.mktemp("st") / "app.py"
    script.write_text("import streamlit as st\nst.title('sidecar page')\n", encoding="utf-8")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={port}",
            "--browser.gatherUsageStats=false",
        ],
        cwd=Path(script).parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit run did not become healthy within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
