"""The dispatcher in front of Streamlit's own ASGI app (``st.App``) in one process."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.helpers.net import wait_until

pytestmark = pytest.mark.slow

SERVER = """
import sys
import streamlit as st
import uvicorn
from fastapi import FastAPI
from fluxlit.gateway import build_dispatcher

api = FastAPI()

@api.get("/hello")
def hello() -> str:
    return "hi"

st_app = st.App(sys.argv[1])
app = build_dispatcher(api, st_app, lifespan_apps=[api, st_app])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def test_inprocess_streamlit_behind_the_dispatcher(tmp_path: Path, unused_port: int) -> None:
    (tmp_path / "page.py").write_text("import streamlit as st\nst.title('in-process')\n")
    (tmp_path / "server.py").write_text(SERVER)
    process = subprocess.Popen(
        [sys.executable, "server.py", "page.py", str(unused_port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{unused_port}"
    try:
        wait_until(
            lambda: httpx.get(url + "/_stcore/health", timeout=1).text == "ok",
            "st.App to become healthy",
            process=process,
        )
        assert httpx.get(url + "/api/hello").json() == "hi"
        page = httpx.get(url + "/")
        assert page.status_code == 200 and "x-request-id" in page.headers

        async def open_stream() -> str | None:
            async with websockets.connect(
                url.replace("http://", "ws://") + "/_stcore/stream",
                subprotocols=[Subprotocol("streamlit")],
            ) as ws:
                return ws.subprotocol

        assert asyncio.run(open_stream()) == "streamlit"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    log = stderr.decode(errors="replace")
    # Uvicorn re-raises SIGTERM after a clean shutdown, hence -SIGTERM.
    assert process.returncode in (0, -signal.SIGTERM), log[-2000:]
    assert "Application shutdown complete" in log and "Traceback" not in log, log[-2000:]
