"""One Streamlit runtime per process: a clear error for a second app, reuse once stopped.

Streamlit keeps a single ``Runtime`` per process and never forgets it, even after it
stopped. An in-process FluxLit app that starts while another app's runtime is running
gets ``OneStreamlitPerProcessError`` (what the limit is and how to get out of it)
instead of Streamlit's bare ``RuntimeError``; once that runtime has stopped (its
lifespan ended), the next app may start its own.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.errors import FluxLitError


class OneStreamlitPerProcessError(FluxLitError, RuntimeError):
    """A second in-process app tried to start Streamlit while the first one still runs."""


def _busy_message(title: str) -> str:
    return (
        f"one Streamlit app per process: the in-process app {title!r} cannot start its "
        "Streamlit runtime while another app's runtime is still running in this process. "
        "Close the first app's lifespan first (leave its `with TestClient(app)` / "
        "`with FluxLitTestClient(app)` block or call close(), or stop its server), or run "
        "this app in sidecar mode (FLUXLIT_RUNTIME_MODE=sidecar), where Streamlit runs in "
        "a child process"
    )


def claim_streamlit_runtime(title: str, *, mine: object | None = None) -> None:
    """Make room for a new Streamlit runtime, or raise ``OneStreamlitPerProcessError``.

    ``mine`` is the runtime this app ran before, which it may keep using. Another
    app's runtime that has stopped is forgotten, so the caller can create its own.
    Streamlit has no public call for that: this clears the ``Runtime`` singleton, the
    one private name FluxLit touches, and only for a runtime in the public
    ``RuntimeState.STOPPED``.
    """
    from streamlit.runtime import Runtime, RuntimeState, exists

    if not exists() or Runtime.instance() is mine:
        return
    if Runtime.instance().state != RuntimeState.STOPPED:
        raise OneStreamlitPerProcessError(_busy_message(title))
    Runtime._instance = None


def current_runtime() -> object | None:
    """The process's Streamlit runtime, if one was created."""
    from streamlit.runtime import Runtime, exists

    return Runtime.instance() if exists() else None


class StreamlitRuntimeGuard:
    """Wraps ``st.App``: claims the process's Streamlit runtime before the app builds its own.

    ``st.App`` creates its runtime on its first ASGI call (the lifespan, or the first
    request without one); the guard checks right before, and again once a lifespan
    has ended, when the runtime may have been stopped and taken over by another app.
    """

    def __init__(self, st_app: ASGIApp, *, title: str) -> None:
        self.st_app = st_app
        self.title = title
        self._claimed = False
        self._mine: object | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._claimed:  # the runtime is ours: every request after the first
            await self.st_app(scope, receive, send)
            return
        try:
            claim_streamlit_runtime(self.title, mine=self._mine)
        except OneStreamlitPerProcessError as exc:
            if scope["type"] == "lifespan":  # fail the server's startup, not a request
                await receive()
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
            raise
        self._claimed = True
        try:
            await self.st_app(scope, receive, send)
        finally:
            self._mine = current_runtime()
            if scope["type"] == "lifespan":  # ended: the runtime it ran has stopped
                self._claimed = False
