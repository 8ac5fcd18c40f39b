"""A ``SessionStore`` in Redis, shared by every worker and replica (``fluxlit[redis]``)."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from fluxlit.errors import ConfigurationError, FluxLitError
from fluxlit.metrics.registry import record_session_store_error
from fluxlit.url_session import InMemorySessionStore, SessionStore

if TYPE_CHECKING:
    from fluxlit.model import SessionStoreModel

DEFAULT_PREFIX = "fluxlit:session:"
logger = logging.getLogger("fluxlit.redis_store")


class MissingRedisError(FluxLitError, ImportError):
    """The redis client is not installed; the message says how to install it."""


def _redis_module() -> Any:
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingRedisError(
            'RedisSessionStore needs the redis client: pip install "fluxlit[redis]"'
        ) from exc
    return redis


class RedisSessionStore:
    """URL-session blobs as JSON strings under ``prefix + session_id``, with Redis TTLs.

    TTL rules match ``InMemorySessionStore``: ``None`` uses ``default_ttl_seconds``;
    a positive value expires the key; ``0`` or less keeps it without expiry.

    Redis being down never breaks a page: a client built from ``url`` connects and
    answers within ``timeout_s`` with no retries; a failed call logs one warning
    naming the store (not one per call), ``get`` then returns ``None`` and ``set`` /
    ``delete`` do nothing, and calls are skipped without touching the network for
    ``retry_after_s`` after each failure. Recovery is logged once.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = DEFAULT_PREFIX,
        default_ttl_seconds: float | None = 86400.0,
        timeout_s: float = 0.5,
        retry_after_s: float = 5.0,
    ) -> None:
        if client is None:
            if not url:
                raise ConfigurationError(
                    "RedisSessionStore needs url= (e.g. redis://127.0.0.1:6379/0)"
                )
            client = _client_from_url(url, timeout_s)
        self.client = client
        self.prefix = prefix
        self.default_ttl_seconds = default_ttl_seconds
        self.retry_after_s = retry_after_s
        self._down_until = 0.0
        self._down = False

    def _key(self, session_id: str) -> str:
        return self.prefix + session_id

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<method>(...)``, or ``None`` while Redis is (recently) unreachable."""
        if self._down and time.monotonic() < self._down_until:
            record_session_store_error(method)
            return None
        errors = _redis_module().RedisError, OSError
        try:
            result = getattr(self.client, method)(*args, **kwargs)
        except errors as exc:
            record_session_store_error(method)
            self._down_until = time.monotonic() + self.retry_after_s
            if not self._down:
                self._down = True
                logger.warning(
                    "RedisSessionStore (prefix %r) is unreachable (%s: %s); URL sessions are "
                    "not loaded or saved until it is back (retrying every %g s)",
                    self.prefix,
                    type(exc).__name__,
                    exc,
                    self.retry_after_s,
                )
            return None
        if self._down:
            self._down = False
            logger.warning("RedisSessionStore (prefix %r) is reachable again", self.prefix)
        return result

    def get(self, session_id: str) -> dict[str, Any] | None:
        """Return the stored blob, or ``None`` when missing, expired, not JSON or unreachable."""
        raw = self._call("get", self._key(session_id))
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
            self._call("set", self._key(session_id), payload, px=max(1, int(ttl * 1000)))
        else:
            self._call("set", self._key(session_id), payload)

    def delete(self, session_id: str) -> None:
        """Forget ``session_id``."""
        self._call("delete", self._key(session_id))


def _client_from_url(url: str, timeout_s: float) -> Any:
    """A Redis client that fails fast: short timeouts and no retries."""
    redis = _redis_module()
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
        retry_on_error=[],
    )


def session_store_from_model(model: SessionStoreModel) -> SessionStore:
    """Build the store a manifest's ``[session_store]`` declares."""
    if model.kind == "memory":
        return InMemorySessionStore(default_ttl_seconds=model.ttl_seconds)
    env = model.url_env or "FLUXLIT_REDIS_URL"
    url = os.environ.get(env)
    if not url:
        raise ConfigurationError(
            f"[session_store] kind = 'redis' reads its URL from ${env}, which is not set"
        )
    return RedisSessionStore(url, default_ttl_seconds=model.ttl_seconds)
