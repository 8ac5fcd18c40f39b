"""Identity from a trusted reverse proxy header (SSO in front of the app)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request


@dataclass(frozen=True)
class TrustedProxyUserConfig:
    """Policy for ``TrustedProxyUser``."""

    header_name: str = "X-Remote-User"
    require_https: bool = False
    trusted_client_hosts: Sequence[str] | None = None
    require_non_empty_user: bool = True


class TrustedProxyUser:
    """FastAPI dependency: the user id a trusted proxy put in a header, with safety checks.

    Only sound when clients cannot reach the app except through that proxy, and the
    proxy strips the header from incoming requests.
    """

    def __init__(self, config: TrustedProxyUserConfig | None = None) -> None:
        self.config = config or TrustedProxyUserConfig()

    async def __call__(self, request: Request) -> str | None:
        config = self.config
        if config.trusted_client_hosts is not None:
            host = request.client.host if request.client else ""
            if host not in config.trusted_client_hosts:
                raise HTTPException(403, "request did not come through the trusted proxy")
        if config.require_https and request.url.scheme != "https":
            raise HTTPException(403, "identity headers are only accepted over HTTPS")
        user = (request.headers.get(config.header_name) or "").strip()
        if not user:
            if config.require_non_empty_user:
                raise HTTPException(401, f"missing {config.header_name} header")
            return None
        return user


def proxy_user_header(
    header_name: str = "X-Remote-User",
) -> Callable[[Request], Awaitable[str | None]]:
    """A dependency returning a header set by an upstream proxy (no checks at all).

    For HTTPS and client-address checks use ``TrustedProxyUser``.
    """

    async def read(request: Request) -> str | None:
        return request.headers.get(header_name)

    return read
