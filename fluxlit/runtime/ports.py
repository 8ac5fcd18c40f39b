"""Ports and the internal API base URL the Streamlit side uses."""

from __future__ import annotations

import errno
import socket

from fluxlit.errors import UserError
from fluxlit.gateway.paths import normalize_api_mount_path

_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def find_free_port() -> int:
    """Bind ``127.0.0.1:0`` and return the port the kernel picked."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PortError(UserError, OSError):
    """The address to serve on cannot be bound (busy, privileged, not on this machine)."""


def check_port_free(host: str, port: int, *, flag: str = "--port") -> None:
    """Raise ``PortError`` unless ``host:port`` can be bound right now.

    Binds the way Uvicorn does (``SO_REUSEADDR``), so only a live listener counts as
    busy. Port 0 (any free port) always passes. ``flag`` names the option the user
    changes in the message.
    """
    if port == 0:
        return
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as Uvicorn chooses
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except (socket.gaierror, UnicodeError) as exc:
            raise PortError(f"--host {host}: not an address of this machine ({exc})") from None
        except OSError as exc:
            raise _bind_error(exc, shown, port, host, flag) from None


def _bind_error(exc: OSError, shown: str, port: int, host: str, flag: str) -> PortError:
    if exc.errno == errno.EADDRINUSE:
        return PortError(
            f"{flag} {port}: {shown} is already in use; stop the other server "
            f"(fluxlit shutdown) or choose another {flag}"
        )
    if exc.errno == errno.EACCES:
        return PortError(
            f"{flag} {port}: binding {shown} needs privileges; choose a port above 1023"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return PortError(f"--host {host}: not an address of this machine")
    return PortError(f"{flag} {port}: cannot bind {shown}: {exc.strerror}")


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
