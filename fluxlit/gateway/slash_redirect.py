"""Put the API prefix back into Starlette's trailing-slash redirects.

The API app gets prefix-free paths (``/items/``) and builds its ``redirect_slashes``
``Location`` from that path alone, which would send the browser to the UI
(``/items``). Only that exact redirect (same path with the trailing slash toggled) is
rewritten; any other redirect the API answers is left alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.types import Message, Send


def _slash_toggled(path: str) -> str:
    return path.rstrip("/") if path.endswith("/") else path + "/"


def _rewrite(location: bytes, inner_path: str, root_path: str) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    if inner_path == "/" or parts.path != _slash_toggled(inner_path):
        return location
    return urlunsplit(parts._replace(path=root_path + parts.path)).encode("latin-1")


def restore_prefix_in_slash_redirects(send: Send, inner_path: str, root_path: str) -> Send:
    """Wrap ``send`` so a trailing-slash redirect of ``inner_path`` keeps ``root_path``."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
            message["headers"] = [
                (
                    name,
                    _rewrite(value, inner_path, root_path)
                    if name.lower() == b"location"
                    else value,
                )
                for name, value in message.get("headers", ())
            ]
        await send(message)

    return wrapped
