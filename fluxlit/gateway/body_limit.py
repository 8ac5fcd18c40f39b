"""Refuse request bodies over a byte limit with 413, without buffering them."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


async def send_plain(send: Send, status: int, text: str, *, close: bool = False) -> None:
    """Send a complete ``text/plain`` response."""
    body = (text + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int, setting: str) -> str:
    """The 413 text: the limit and the setting that raises it."""
    return f"Request body is larger than {limit} bytes; raise {setting} to accept it."


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length`` when it is a plain number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def call_with_body_limit(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, setting: str
) -> None:
    """Run ``app`` for an HTTP request whose body may be at most ``limit`` bytes.

    A larger ``Content-Length`` is answered with 413 before ``app`` runs. A streamed
    body that grows past the limit gets the 413 as soon as it does (if the app has not
    started its response yet); from then on the app sees a client disconnect and its
    own response is dropped.
    """
    length = declared_length(scope)
    if length is not None and length > limit:
        await send_plain(send, 413, too_large_message(limit, setting), close=True)
        return
    seen = 0
    started = rejected = False

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if rejected:
            return
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    async def counting_receive() -> Message:
        nonlocal seen, rejected
        if rejected:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                rejected = True
                if not started:
                    await send_plain(send, 413, too_large_message(limit, setting), close=True)
                return {"type": "http.disconnect"}
        return message

    try:
        await app(scope, counting_receive, guarded_send)
    except Exception:
        # An app reading a cut-off body may raise (e.g. ClientDisconnect); the client
        # already has its 413, so that error is expected.
        if not rejected:
            raise
