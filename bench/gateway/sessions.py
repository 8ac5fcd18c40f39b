"""Keep N Streamlit sessions rerunning their page through a FluxLit server.

    python bench/gateway/sessions.py http://127.0.0.1:8000 20 5

Opens N WebSocket sessions on the server's Streamlit stream, and in each asks for a
rerun as soon as the previous one finished, for the given number of seconds; prints
the number of finished reruns. Used by ``run.py --mixed`` as the UI load.
"""

from __future__ import annotations

import asyncio
import sys
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Origin, Subprotocol


async def one_session(base: str, until: float) -> int:
    """Rerun the page in one session until ``until``; return the reruns finished."""
    stream = base.replace("http://", "ws://") + "/_stcore/stream"
    done = 0
    async with websockets.connect(
        stream, subprotocols=[Subprotocol("streamlit")], origin=Origin(base), open_timeout=30
    ) as ws:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        payload = rerun.SerializeToString()
        while time.monotonic() < until:
            await ws.send(payload)
            while True:
                message = ForwardMsg()
                message.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
                if message.WhichOneof("type") == "script_finished":
                    break
            done += 1
    return done


async def main(base: str, sessions: int, seconds: float) -> int:
    until = time.monotonic() + seconds
    counts = await asyncio.gather(*(one_session(base, until) for _ in range(sessions)))
    return sum(counts)


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
