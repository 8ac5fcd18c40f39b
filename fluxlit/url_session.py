"""URL-bound server sessions that survive a full browser reload (no cookies).

An opaque query parameter (``fluxlit_sid`` by default) names a blob in a
``SessionStore``. ``InMemorySessionStore`` is for one process; use a shared store
(``fluxlit.redis_store.RedisSessionStore``) for several workers or replicas.

Session ids in the URL must be 1-128 URL-safe characters (letters, digits, ``-``,
``_``; see ``is_valid_session_id``), so they are clean store keys. A present id that
breaks this rule is treated as absent and logged as a warning (never its value):
``ensure_url_session`` mints a fresh id, ``hydrate_url_session`` / ``persist_url_session``
return ``None``. The id is read with ``fluxlit.deep_links.query_params``: with a
repeated parameter the first value counts.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ValidationError

from fluxlit.deep_links import query_params
from fluxlit.errors import ConfigurationError

logger = logging.getLogger("fluxlit.url_session")
M = TypeVar("M", bound=BaseModel)

DEFAULT_PARAM = "fluxlit_sid"
PARAM_VARIABLES = ("FLUXLIT_SESSION_PARAM", "FLUXLIT_URL_SESSION_QUERY_PARAM")
"""Where the default parameter name comes from: ours first, then the published spelling."""
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@runtime_checkable
class SessionStore(Protocol):
    """Server-side persistence for URL-bound session blobs (JSON-serialisable dicts)."""

    def get(self, session_id: str) -> dict[str, Any] | None:
        """Return the blob for ``session_id``, or ``None`` when missing or expired."""
        ...

    def set(
        self, session_id: str, data: dict[str, Any], *, ttl_seconds: float | None = None
    ) -> None:
        """Store ``data`` for ``session_id`` with an optional time to live."""
        ...

    def delete(self, session_id: str) -> None:
        """Forget ``session_id``."""
        ...


class InMemorySessionStore:
    """Process-local ``SessionStore`` (development, a single replica).

    Not shared between Uvicorn workers or replicas. Holds at most ``max_entries``;
    when full, the least recently written entry is dropped.
    """

    def __init__(
        self, *, max_entries: int = 5000, default_ttl_seconds: float | None = 86400.0
    ) -> None:
        if max_entries < 1:
            raise ConfigurationError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.default_ttl_seconds = default_ttl_seconds
        self._data: OrderedDict[str, tuple[float | None, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> dict[str, Any] | None:
        """Return a copy of the stored blob, or ``None`` when missing or expired."""
        with self._lock:
            entry = self._data.get(session_id)
            if entry is None:
                return None
            deadline, data = entry
            if deadline is not None and time.monotonic() >= deadline:
                del self._data[session_id]
                return None
            return dict(data)

    def set(
        self, session_id: str, data: dict[str, Any], *, ttl_seconds: float | None = None
    ) -> None:
        """Persist ``data`` for ``session_id``.

        ``ttl_seconds=None`` uses ``default_ttl_seconds`` (which may itself be ``None``:
        no expiry). A positive value sets a monotonic deadline. ``0`` (or a negative
        value) does not expire immediately: it means no TTL window for this write.
        """
        ttl = self.default_ttl_seconds if ttl_seconds is None else ttl_seconds
        deadline = time.monotonic() + ttl if ttl is not None and ttl > 0 else None
        with self._lock:
            self._data.pop(session_id, None)
            self._data[session_id] = (deadline, dict(data))
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def delete(self, session_id: str) -> None:
        """Forget ``session_id`` (no error when missing)."""
        with self._lock:
            self._data.pop(session_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


def new_session_id() -> str:
    """Return a new URL-safe opaque session identifier (256 random bits)."""
    return secrets.token_urlsafe(32)


def is_valid_session_id(value: str | None) -> bool:
    """True for 1-128 URL-safe characters: the ids accepted from a URL (clean store keys)."""
    return value is not None and _SESSION_ID.fullmatch(value) is not None


def _param(param: str | None) -> str:
    from_env = (os.environ.get(name) for name in PARAM_VARIABLES)
    return param or next((name for name in from_env if name), DEFAULT_PARAM)


def _current_id(st: Any, param: str) -> str | None:
    value = query_params(st).get(param)
    if value is None or is_valid_session_id(value):
        return value
    logger.warning(
        "ignoring the %s query parameter: a session id is 1-128 characters from "
        "A-Z a-z 0-9 - _ (got %d characters)",
        param,
        len(value),
    )
    return None


def ensure_url_session(
    st: Any,
    store: SessionStore,
    *,
    param: str | None = None,
    initial: dict[str, Any] | None = None,
    ttl_seconds: float | None = None,
) -> str:
    """Make sure the URL carries a session id; mint one, seed the store, set the param.

    Returns the existing or new id. For an existing id, keys of ``initial`` that its
    stored blob lacks are added (stored values win). When the query cannot be written
    (read-only ``query_params``), the new id is still returned and ``initial`` still
    stored. A present id that breaks the id rule is replaced (see the module doc).
    """
    name = _param(param)
    existing = _current_id(st, name)
    if existing is not None:
        if initial:
            _add_missing_keys(store, existing, initial, ttl_seconds)
        return existing
    session_id = new_session_id()
    store.set(session_id, dict(initial or {}), ttl_seconds=ttl_seconds)
    try:
        st.query_params[name] = session_id
    except Exception:
        logger.warning("could not write %s to the URL; query_params is read-only", name)
    return session_id


def _add_missing_keys(
    store: SessionStore, session_id: str, initial: dict[str, Any], ttl_seconds: float | None
) -> None:
    stored = store.get(session_id) or {}
    missing = {key: value for key, value in initial.items() if key not in stored}
    if missing:
        store.set(session_id, {**stored, **missing}, ttl_seconds=ttl_seconds)


def hydrate_url_session(
    st: Any,
    store: SessionStore,
    *,
    param: str | None = None,
    merge: bool = True,
    blob: dict[str, Any] | None = None,
) -> str | None:
    """Load the stored blob for the URL's session id into ``st.session_state``.

    With ``merge`` (default) existing keys win (``setdefault``), so in-flight widget
    state beats stale stored values; otherwise stored values overwrite. Returns the
    id when the param is present (even if the store has nothing), else ``None``; a
    param that breaks the id rule counts as missing. ``blob`` (when
    given) is merged instead of reading the store.
    """
    session_id = _current_id(st, _param(param))
    if session_id is None:
        return None
    data = blob if blob is not None else store.get(session_id)
    if data:
        for key, value in data.items():
            if merge:
                st.session_state.setdefault(key, value)
            else:
                st.session_state[key] = value
    return session_id


def hydrate_url_session_typed(
    st: Any,
    store: SessionStore,
    model: type[M],
    *,
    param: str | None = None,
    merge: bool = True,
    strict: bool = False,
) -> tuple[str | None, M | None]:
    """Like ``hydrate_url_session``, but validate the blob as ``model`` first.

    Nothing is merged when validation fails: returns ``(id, None)``, or raises the
    ``ValidationError`` when ``strict``.
    """
    session_id = _current_id(st, _param(param))
    if session_id is None:
        return None, None
    data = store.get(session_id)
    if data is None:
        return session_id, None
    try:
        validated = model.model_validate(data)
    except ValidationError:
        if strict:
            raise
        return session_id, None
    hydrate_url_session(st, store, param=param, merge=merge, blob=validated.model_dump(mode="json"))
    return session_id, validated


def persist_url_session(
    st: Any, store: SessionStore, *, param: str | None = None, ttl_seconds: float | None = None
) -> str | None:
    """Write a shallow copy of ``st.session_state`` to the store for the URL's id.

    Returns the id when present, else ``None`` (also for an id that breaks the id
    rule: nothing is written under it). If the snapshot fails, the store is left
    unchanged and a warning is logged (with a traceback when ``FLUXLIT_DEBUG=1``).
    """
    session_id = _current_id(st, _param(param))
    if session_id is None:
        return None
    try:
        snapshot = {str(k): v for k, v in dict(st.session_state).items()}
    except Exception:
        debug = os.environ.get("FLUXLIT_DEBUG", "").lower() in {"1", "true", "yes"}
        logger.warning("could not snapshot session_state; store not updated", exc_info=debug)
        return session_id
    store.set(session_id, snapshot, ttl_seconds=ttl_seconds)
    return session_id
