"""Keep the garbage collector off the startup heap while the server runs.

Streamlit, FastAPI and their imports leave about 95,000 long-lived objects in the
process. Every full collection during requests walks all of them, which costs the
in-process API a measurable share of its throughput (``bench/gateway``). Moving them
to the permanent generation once startup is done (``gc.freeze``) makes collections
look only at what requests allocate.
"""

from __future__ import annotations

import gc

from starlette.types import Receive, Scope, Send

from fluxlit.errors import FluxLitRuntimeError


class FreezeStartupHeap:
    """ASGI app for lifespan events only: ``gc.freeze()`` on startup, undone on shutdown.

    List it last among the dispatcher's lifespan apps, so the other apps have started
    (and allocated what they keep) when it runs.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            raise FluxLitRuntimeError("FreezeStartupHeap only takes lifespan events")
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                gc.freeze()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                gc.unfreeze()
                await send({"type": "lifespan.shutdown.complete"})
                return
