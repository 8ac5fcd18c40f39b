"""The checks every request passes before routing: Host, header count, headers, shutdown."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from fluxlit.gateway.body_limit import send_plain
from fluxlit.gateway.drain import call_cancellable
from fluxlit.gateway.header_limits import TOO_MANY_HEADERS, too_many_headers
from fluxlit.gateway.hosts import host_problem
from fluxlit.gateway.policy import GatewayPolicy
from fluxlit.gateway.security_headers import send_with_headers
from fluxlit.gateway.ws_proxy import deny_websocket


class RequestGuard:
    """ASGI wrapper applying a ``GatewayPolicy`` to HTTP and WebSocket requests.

    A bad ``Host`` gets 400 and too many header fields 431, before ``app`` runs;
    HTTP responses get the policy's security headers (never overriding the app's);
    a request the server cancels at the end of its shutdown grace period ends with
    503 instead of a traceback (see ``fluxlit.gateway.drain``).
    """

    def __init__(self, app: ASGIApp, policy: GatewayPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        policy = self.policy
        headers = scope["headers"]
        problem = host_problem(headers, policy.allowed_hosts)
        status = 400
        if problem is None and too_many_headers(headers, policy.max_request_headers):
            problem, status = TOO_MANY_HEADERS, 431
        if problem is not None:
            if kind == "http":
                await send_plain(send, status, problem, close=True)
            else:
                await receive()  # websocket.connect
                await deny_websocket(scope, send, status, problem)
            return
        if kind == "http" and policy.security_headers:
            send = send_with_headers(send, policy.security_headers)
        await call_cancellable(self.app, scope, receive, send)
