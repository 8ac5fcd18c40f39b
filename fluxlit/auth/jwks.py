"""A JSON Web Key Set fetched over HTTP and cached for a limited time.

Keys live only as long as the cached set (``ttl_seconds``): once it expires the set is
fetched again, so a key the issuer removed stops validating. A ``kid`` missing from a
fresh set triggers one early refetch (key rotation); further early refetches wait for
``cooldown_seconds``, counted from the last early refetch, so unknown ids cannot make
us hammer the endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from fluxlit.auth.pyjwt import pyjwt
from fluxlit.errors import ConfigurationError, FluxLitError

logger = logging.getLogger("fluxlit.auth")


class JWKSError(FluxLitError):
    """A signing key could not be found; messages never contain the token."""


class UnknownSigningKeyError(JWKSError):
    """No key of the current set has the token's ``kid``."""


class JWKSUnavailableError(JWKSError):
    """The JWKS endpoint could not be fetched or did not return a key set."""


class JWKSCache:
    """Signing keys by ``kid`` from one JWKS URL, refreshed after ``ttl_seconds``."""

    def __init__(
        self,
        url: str,
        *,
        ttl_seconds: float = 300.0,
        cooldown_seconds: float = 30.0,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if urlsplit(url).scheme not in {"http", "https"}:
            raise ConfigurationError("the JWKS URL must be http:// or https://")
        if ttl_seconds <= 0:
            raise ConfigurationError("the JWKS cache lifetime must be greater than 0 seconds")
        if cooldown_seconds < 0:
            raise ConfigurationError("the JWKS refetch cooldown cannot be negative")
        self.url = url
        self.ttl_seconds = ttl_seconds
        self.cooldown_seconds = cooldown_seconds
        self.timeout = timeout
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._expires_at: float | None = None
        self._last_early_refetch: float | None = None
        self._lock = threading.Lock()

    def signing_key(self, kid: str) -> Any:
        """The key for ``kid`` (a PyJWK), refetching as described above.

        Raises ``UnknownSigningKeyError`` if no current key has that id and
        ``JWKSUnavailableError`` if the set cannot be fetched. Blocking: call it from
        a worker thread in async code.
        """
        with self._lock:
            now = self._clock()
            just_fetched = self._expires_at is None or now >= self._expires_at
            if just_fetched:
                self._refresh(now)
            key = self._keys.get(kid)
            if key is not None:
                return key
            if not just_fetched and self._early_refetch_allowed(now):
                self._last_early_refetch = now
                self._refresh(now)
                key = self._keys.get(kid)
            if key is None:
                raise UnknownSigningKeyError("no signing key with this kid")
            return key

    def _early_refetch_allowed(self, now: float) -> bool:
        if self._last_early_refetch is None:
            return True
        return now - self._last_early_refetch >= self.cooldown_seconds

    def _refresh(self, now: float) -> None:
        jwt = pyjwt()
        try:
            response = httpx.get(self.url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("JWKS fetch failed: %s", type(exc).__name__)
            raise JWKSUnavailableError("the JWKS endpoint could not be read") from None
        entries = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            logger.warning("JWKS document has no 'keys' list")
            raise JWKSUnavailableError("the JWKS endpoint returned no key set")
        keys: dict[str, Any] = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            kid = entry.get("kid")
            if not isinstance(kid, str) or not kid:
                continue
            try:
                keys[kid] = jwt.PyJWK(entry)
            except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                continue  # a key type we cannot use; others may still be fine
        self._keys = keys
        self._expires_at = now + self.ttl_seconds
