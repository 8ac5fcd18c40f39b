"""A ``SessionStore`` in Redis, shared by every worker and replica (``fluxlit[redis]``)."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from fluxlit.url_session import InMemorySessionStore, SessionStore

if TYPE_CHECKING:
    from fluxlit.model import SessionStoreModel

DEFAULT_PREFIX = "fluxlit:session:"


def _redis_module() -> Any:
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'RedisSessionStore needs the redis client: pip install "fluxlit[redis]"'
        ) from exc
    return redis


class RedisSessionStore:
    """URL-session blobs as JSON strings under ``prefix + session_id``, with Redis TTLs.

    TTL rules match ``InMemorySessionStore``: ``None`` uses ``default_ttl_seconds``;
    a positive value expires the key; ``0`` or less keeps it without expiry.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = DEFAULT_PREFIX,
        default_ttl_seconds: float | None = 86400.0,
    ) -> None:
        if client is None:
            if not url:
                raise ValueError("RedisSessionStore needs url= (e.g. redis://127.0.0.1:6379/0)")
            client = _redis_module().Redis.from_url(url)
        self.client = client
        self.prefix = prefix
        self.default_ttl_seconds = default_ttl_seconds

    def _key(self, session_id: str) -> str:
        return self.prefix + session_id

    def get(self, session_id: str) -> dict[str, Any] | None:
        """Return the stored blob, or ``None`` when missing, expired or not JSON."""
        raw = self.client.get(self._key(session_id))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def set(
        self, session_id: str, data: dict[str, Any], *, ttl_seconds: float | None = None
    ) -> None:
        """Store ``data`` as JSON (values that are not JSON become strings)."""
        ttl = self.default_ttl_seconds if ttl_seconds is None else ttl_seconds
        payload = json.dumps(data, default=str)
        if ttl is not None and ttl > 0:
            self.client.set(self._key(session_id), payload, px=max(1, int(ttl * 1000)))
        else:
            self.client.set(self._key(session_id), payload)

    def delete(self, session_id: str) -> None:
        """Forget ``session_id``."""
        self.client.delete(self._key(session_id))


def session_store_from_model(model: SessionStoreModel) -> SessionStore:
    """Build the store a manifest's ``[session_store]`` declares."""
    if model.kind == "memory":
        return InMemorySessionStore(default_ttl_seconds=model.ttl_seconds)
    env = model.url_env or "FLUXLIT_REDIS_URL"
    url = os.environ.get(env)
    if not url:
        raise ValueError(
            f"[session_store] kind = 'redis' reads its URL from ${env}, which is not set"
        )
    return RedisSessionStore(url, default_ttl_seconds=model.ttl_seconds)
