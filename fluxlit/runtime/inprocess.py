"""In-process mode: FastAPI and Streamlit's own ASGI app (``st.App``) in one process."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxlit.config.overrides import with_overrides
from fluxlit.gateway.dispatch import build_dispatcher
from fluxlit.gateway.observe import GatewayObservability
from fluxlit.gateway.policy import GatewayPolicy
from fluxlit.runtime.heap import FreezeStartupHeap
from fluxlit.runtime.ports import internal_api_base_url
from fluxlit.runtime.streamlit_options import configure_inprocess_streamlit, public_mount
from fluxlit.runtime.streamlit_runtime import StreamlitRuntimeGuard
from fluxlit.runtime.thread_reserve import ReserveUiThreads
from fluxlit.runtime.ws_origins import streamlit_ws_origins
from fluxlit.streamlit.context import ScriptContext, script_context, set_script_context

if TYPE_CHECKING:
    from fluxlit.app import FluxLit


def streamlit_app_available() -> bool:
    """True when this Streamlit provides ``st.App`` (1.57+)."""
    import streamlit

    return hasattr(streamlit, "App")


class StreamlitHealth:
    """Readiness of an in-process ``st.App``: its own health route, called over ASGI."""

    def __init__(self, st_app: ASGIApp, mount: str) -> None:
        self.st_app = st_app
        self.path = mount + "/_stcore/health"

    async def __call__(self) -> tuple[bool, str]:
        status: dict[str, int] = {}

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]

        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1")],
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
        }
        try:
            await self.st_app(scope, receive, send)
        except Exception as exc:  # a broken runtime is "not ready", not a 500
            return False, f"streamlit_error {type(exc).__name__}"
        code = status.get("code", 0)
        return (True, "ok") if 200 <= code < 300 else (False, f"streamlit_health {code}")


class InternalBaseFromFirstRequest:
    """Learn the internal API base from the first request when nobody set it.

    Needed under plain ``uvicorn app:app``, where FluxLit does not know the port: the
    app's settings and the script context get the URL (no environment variable).
    """

    def __init__(self, app: ASGIApp, fl: FluxLit[Any]) -> None:
        self.app = app
        self.fl = fl
        self.done = bool(fl.settings.internal_api_base)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.done and scope["type"] in ("http", "websocket") and scope.get("server"):
            host, port = scope["server"][0], scope["server"][1]
            url = internal_api_base_url(
                bind_host=str(host),
                port=int(port or 80),
                api_mount_path=self.fl.settings.api_mount_path,
            )
            self.fl.settings = with_overrides(self.fl.settings, {"internal_api_base": url})
            context = script_context()
            if context is not None:
                context.settings["internal_api_base"] = url
            self.done = True
        await self.app(scope, receive, send)


class ScriptContextLifespan:
    """Hand the script context to Streamlit scripts of this process while the app runs."""

    def __init__(self, context: ScriptContext) -> None:
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                set_script_context(self.context)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                set_script_context(None)
                await send({"type": "lifespan.shutdown.complete"})
                return


def build_inprocess_app(fl: FluxLit[Any], entrypoint: Path, context: ScriptContext) -> ASGIApp:
    """One ASGI app: ``/api`` to ``fl.api``, the rest to ``st.App(entrypoint)``; the
    script gets ``context`` in memory from startup to shutdown."""
    import streamlit

    settings = fl.settings
    dev = context.dev
    configure_inprocess_streamlit(settings, dev=dev)
    mount = public_mount(settings)
    st_app = StreamlitRuntimeGuard(streamlit.App(str(entrypoint)), title=settings.title)
    fl.set_readiness_check(StreamlitHealth(st_app, mount))
    dispatcher = build_dispatcher(
        fl.api,
        st_app,
        api_prefix=fl.api_prefix,
        root_mount=mount,
        access_log=settings.enable_gateway_access_log,
        max_request_body_bytes=settings.max_request_body_bytes,
        lifespan_apps=[
            ScriptContextLifespan(context),
            fl.api,
            st_app,
            ReserveUiThreads(settings.api_concurrency, settings.ui_thread_reserve),
            FreezeStartupHeap(),
        ],
        policy=GatewayPolicy.from_settings(
            settings, ws_origins=streamlit_ws_origins(settings, dev=dev)
        ),
        observability=GatewayObservability.from_settings(settings, fl.api),
    )
    return InternalBaseFromFirstRequest(dispatcher, fl)
