"""Storage for OIDC login state (PKCE) and one-time exchange codes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from fluxlit.errors import ConfigurationError

_Table = dict[str, tuple[float, dict[str, Any]]]


@runtime_checkable
class OIDCBFFTokenStore(Protocol):
    """Keeps PKCE login attempts (by ``state``) and one-time ``auth_code`` payloads.

    Each entry is read once. ``now`` is the wall-clock time (``time.time()``) of the
    call, so a store shared by several replicas can judge expiry the same way on all
    of them. Payloads are JSON-serialisable dicts the store keeps as given. The
    default is process memory; several API replicas need a shared implementation
    (for example Redis with TTLs).
    """

    def save_pkce_verifier(self, state: str, data: dict[str, Any], *, now: float) -> None:
        """Remember a login attempt (PKCE verifier, nonce, redirect) under ``state``."""
        ...

    def pop_pkce_verifier(self, state: str, *, now: float) -> dict[str, Any] | None:
        """Return and forget the attempt (``None`` if unknown, used or expired)."""
        ...

    def save_exchange_token(self, code: str, data: dict[str, Any], *, now: float) -> None:
        """Remember a minted access token under a one-time code."""
        ...

    def pop_exchange_token(self, code: str, *, now: float) -> dict[str, Any] | None:
        """Return and forget the payload (``None`` if unknown, used or expired)."""
        ...


@dataclass
class InMemoryOIDCBFFTokenStore:
    """Process-local PKCE and exchange storage (the default for ``OIDCBFFConfig``).

    Each table holds at most ``max_entries``: expired entries go first, then the
    oldest, so a flood of unfinished logins cannot grow memory without bound (it can
    only push out the oldest pending logins, which then have to start again).
    """

    _pkce: _Table = field(default_factory=dict)
    _exchange: _Table = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    state_ttl_seconds: float = 600.0
    otc_ttl_seconds: float = 120.0
    max_entries: int = 10_000
    """Most pending states (and, separately, one-time codes) kept at once."""

    def __post_init__(self) -> None:
        if self.max_entries < 1:
            raise ConfigurationError("InMemoryOIDCBFFTokenStore.max_entries must be at least 1")

    def save_pkce_verifier(self, state: str, data: dict[str, Any], *, now: float) -> None:
        self._save(self._pkce, state, data, now + self.state_ttl_seconds, now)

    def pop_pkce_verifier(self, state: str, *, now: float) -> dict[str, Any] | None:
        return self._pop(self._pkce, state, now)

    def save_exchange_token(self, code: str, data: dict[str, Any], *, now: float) -> None:
        self._save(self._exchange, code, data, now + self.otc_ttl_seconds, now)

    def pop_exchange_token(self, code: str, *, now: float) -> dict[str, Any] | None:
        return self._pop(self._exchange, code, now)

    def _save(
        self, table: _Table, key: str, data: dict[str, Any], deadline: float, now: float
    ) -> None:
        with self._lock:
            table.pop(key, None)
            # Insertion order is (nearly) expiry order, so both loops stop early.
            while table:
                oldest = next(iter(table))
                if table[oldest][0] > now and len(table) < self.max_entries:
                    break
                del table[oldest]
            table[key] = (deadline, dict(data))

    def _pop(self, table: _Table, key: str, now: float) -> dict[str, Any] | None:
        with self._lock:
            entry = table.pop(key, None)
        if entry is None or entry[0] <= now:
            return None
        return entry[1]
