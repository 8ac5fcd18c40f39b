"""Keep N Streamlit sessions rerunning their page through a FluxLit server.

    python bench/gateway/sessions.py http://127.0.0.1:8000 20 5
    python bench/gateway/sessions.py http://127.0.0.1:8000 50 --burst
    python bench/gateway/sessions.py http://127.0.0.1:8000 5 5 --rate

Opens N WebSocket sessions on the server's Streamlit stream, and in each asks for a
rerun as soon as the previous one finished, for the given number of seconds; prints
the number of finished reruns. Used by ``run.py --mixed`` as the UI load. With
``--burst``, opens N new sessions at once, runs the page once in each and prints the
seconds until the last one finished (``run.py``'s session figures). With ``--rate``,
opens N new sessions per second for the given seconds, each running the page once.
"""

from __future__ import annotations

import asyncio
import sys
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Origin, Subprotocol


def _rerun_payload() -> bytes:
    rerun = BackMsg()
    rerun.rerun_script.query_string = ""
    return rerun.SerializeToString()


def _connect(base: str) -> websockets.connect:
    stream = base.replace("http://", "ws://") + "/_stcore/stream"
    return websockets.connect(
        stream, subprotocols=[Subprotocol("streamlit")], origin=Origin(base), open_timeout=60
    )


async def _run_once(ws: websockets.ClientConnection, payload: bytes) -> None:
    """Ask for a run and wait until the script finished."""
    await ws.send(payload)
    while True:
        message = ForwardMsg()
        message.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
        if message.WhichOneof("type") == "script_finished":
            return


async def one_session(base: str, until: float) -> int:
    """Rerun the page in one session until ``until``; return the reruns finished."""
    done = 0
    payload = _rerun_payload()
    async with _connect(base) as ws:
        while time.monotonic() < until:
            await _run_once(ws, payload)
            done += 1
    return done


async def burst(base: str, sessions: int) -> float:
    """Seconds from opening ``sessions`` new sessions at once to the last one finished."""
    payload = _rerun_payload()

    async def fresh() -> None:
        async with _connect(base) as ws:
            await _run_once(ws, payload)

    start = time.perf_counter()
    await asyncio.gather(*(fresh() for _ in range(sessions)))
    return time.perf_counter() - start


async def paced(base: str, rate: float, seconds: float) -> int:
    """Open ``rate`` new sessions per second for ``seconds``, each running the page
    once; return how many finished."""
    payload = _rerun_payload()

    async def fresh() -> None:
        async with _connect(base) as ws:
            await _run_once(ws, payload)

    tasks = []
    start = time.monotonic()
    for index in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
        tasks.append(asyncio.create_task(fresh()))
    await asyncio.gather(*tasks)
    return len(tasks)


async def main(base: str, sessions: int, seconds: float) -> int:
    until = time.monotonic() + seconds
    counts = await asyncio.gather(*(one_session(base, until) for _ in range(sessions)))
    return sum(counts)


if __name__ == "__main__":
    if sys.argv[3:] == ["--burst"]:
        print(asyncio.run(burst(sys.argv[1], int(sys.argv[2]))))
    elif sys.argv[4:] == ["--rate"]:
        print(asyncio.run(paced(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))))
    else:
        print(asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))))
