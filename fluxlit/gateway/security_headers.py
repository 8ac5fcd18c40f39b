"""One security-header policy for API and UI responses alike."""

from __future__ import annotations

from starlette.types import Message, Send

from fluxlit.config.settings import FluxlitSettings

BASELINE_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def framing_headers(frame_ancestors: list[str]) -> dict[str, str]:
    """Who may frame the app: ``FLUXLIT_FRAME_ANCESTORS`` as CSP ``frame-ancestors``.

    The default ``['self']`` also sends ``X-Frame-Options: SAMEORIGIN`` (Streamlit embeds
    components in same-origin iframes, so ``DENY`` would break them). Other origins
    get only the CSP directive, which old ``X-Frame-Options`` cannot express; ``*``
    (or an empty list) allows any site to frame the app and sends neither.
    """
    sources = [s.strip() for s in frame_ancestors if s.strip()]
    if not sources or "*" in sources:
        return {}
    headers = {"Content-Security-Policy": "frame-ancestors " + " ".join(sources)}
    if sources == ["'self'"]:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


def security_headers(settings: FluxlitSettings) -> dict[str, str]:
    """The headers ``FLUXLIT_SECURITY_HEADERS=true`` adds to every response."""
    return {**BASELINE_HEADERS, **framing_headers(settings.frame_ancestors)}


def security_header_pairs(settings: FluxlitSettings) -> tuple[tuple[bytes, bytes], ...]:
    """``security_headers`` as lowercase ASGI header pairs."""
    return tuple(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in security_headers(settings).items()
    )


def send_with_headers(send: Send, pairs: tuple[tuple[bytes, bytes], ...]) -> Send:
    """Wrap ``send`` so a response start gets each of ``pairs`` it does not already have."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            headers.extend(pair for pair in pairs if pair[0] not in present)
            message["headers"] = headers
        await send(message)

    return wrapped
