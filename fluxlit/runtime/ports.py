"""Ports and the internal API base URL the Streamlit side uses."""

from __future__ import annotations

import socket

from fluxlit.gateway.paths import normalize_api_mount_path

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def find_free_port() -> int:
    """Bind ``127.0.0.1:0`` and return the port the kernel picked."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def internal_api_base_url(*, bind_host: str, port: int, api_mount_path: str) -> str:
    """``FLUXLIT_INTERNAL_API_BASE`` for code on this machine (e.g. the sidecar).

    Wildcard binds become ``127.0.0.1``; IPv6 literals are bracketed.
    """
    host = bind_host.strip()
    if host in _WILDCARDS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    prefix = normalize_api_mount_path(api_mount_path)
    return f"http://{host}:{port}" + ("" if prefix == "/" else prefix)
