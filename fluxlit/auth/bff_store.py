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
    """Process-local PKCE and exchange storage (the default for ``OIDCBFFConfig``)."""

    _pkce: _Table = field(default_factory=dict)
    _exchange: _Table = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    state_ttl_seconds: float = 600.0
    otc_ttl_seconds: float = 120.0

    def save_state(self, state: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._prune(self._pkce)
            self._pkce[state] = (time.monotonic() + self.state_ttl_seconds, dict(data))

    def pop_state(self, state: str) -> dict[str, Any] | None:
        return self._pop(self._pkce, state)

    def save_code(self, code: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._prune(self._exchange)
            self._exchange[code] = (time.monotonic() + self.otc_ttl_seconds, dict(data))

    def pop_code(self, code: str) -> dict[str, Any] | None:
        return self._pop(self._exchange, code)

    def _pop(
        self, table: dict[str, tuple[float, dict[str, Any]]], key: str
    ) -> dict[str, Any] | None:
        with self._lock:
            entry = table.pop(key, None)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    @staticmethod
    def _prune(table: _Table) -> None:
        now = time.monotonic()
        for key in [k for k, (deadline, _) in table.items() if deadline <= now]:
            del table[key]
