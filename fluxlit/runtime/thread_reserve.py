"""Size AnyIO's thread pool so the UI keeps threads while the API is busy."""

from __future__ import annotations

import anyio.to_thread
from starlette.types import Receive, Scope, Send


class ReserveUiThreads:
    """ASGI lifespan app setting the default thread limiter to ``api + reserve`` tokens.

    Sync API handlers and Streamlit's static files (in-process, or the sidecar
    gateway's offload) share AnyIO's default limiter (40 tokens). The gateway runs at
    most ``FLUXLIT_API_CONCURRENCY`` API requests at once (``fluxlit.gateway.api_gate``),
    so with ``FLUXLIT_UI_THREAD_RESERVE`` more tokens the UI always finds a free thread.
    """

    def __init__(self, api_concurrency: int, reserve: int) -> None:
        self.total = api_concurrency + reserve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                limiter = anyio.to_thread.current_default_thread_limiter()
                limiter.total_tokens = max(int(limiter.total_tokens), self.total)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
