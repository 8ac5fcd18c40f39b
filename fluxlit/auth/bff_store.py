"""Storage for OIDC login state (PKCE) and one-time exchange codes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

_Table = dict[str, tuple[float, dict[str, Any]]]


@runtime_checkable
class OIDCBFFTokenStore(Protocol):
    """Keeps PKCE ``state`` and one-time ``auth_code`` payloads; each is read once.

    The default is process memory; several API replicas need a shared implementation
    (for example Redis with TTLs).
    """

    def save_state(self, state: str, data: dict[str, Any]) -> None:
        """Remember a login attempt under ``state``."""
        ...

    def pop_state(self, state: str) -> dict[str, Any] | None:
        """Return and forget the attempt (``None`` if unknown, used or expired)."""
        ...

    def save_code(self, code: str, data: dict[str, Any]) -> None:
        """Remember a minted token under a one-time code."""
        ...

    def pop_code(self, code: str) -> dict[str, Any] | None:
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
            raise ValueError("InMemoryOIDCBFFTokenStore.max_entries must be at least 1")

    def save_state(self, state: str, data: dict[str, Any]) -> None:
        self._save(self._pkce, state, data, self.state_ttl_seconds)

    def pop_state(self, state: str) -> dict[str, Any] | None:
        return self._pop(self._pkce, state)

    def save_code(self, code: str, data: dict[str, Any]) -> None:
        self._save(self._exchange, code, data, self.otc_ttl_seconds)

    def pop_code(self, code: str) -> dict[str, Any] | None:
        return self._pop(self._exchange, code)

    def _save(self, table: _Table, key: str, data: dict[str, Any], ttl: float) -> None:
        with self._lock:
            now = time.monotonic()
            table.pop(key, None)
            # Insertion order is (nearly) expiry order, so both loops stop early.
            while table:
                oldest = next(iter(table))
                if table[oldest][0] > now and len(table) < self.max_entries:
                    break
                del table[oldest]
            table[key] = (now + ttl, dict(data))

    def _pop(self, table: _Table, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = table.pop(key, None)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]
