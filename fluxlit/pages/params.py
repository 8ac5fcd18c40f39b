"""Markers for values injected into page handlers, and query/session model helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar, Token
from typing import Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails

from fluxlit.errors import ConfigurationError

M = TypeVar("M", bound=BaseModel)

_header_context: ContextVar[Mapping[str, str] | None] = ContextVar(
    "fluxlit_page_headers", default=None
)
_cookie_context: ContextVar[Mapping[str, str] | None] = ContextVar(
    "fluxlit_page_cookies", default=None
)


class Depends:
    """Declare a page dependency ``() -> T`` (or ``(st, client) -> T``) resolved first."""

    def __init__(self, dependency: Callable[..., Any] | None = None, *, use_cache: bool = True):
        self.dependency = dependency
        self.use_cache = use_cache

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", repr(self.dependency))
        return f"Depends({name})"


class Header:
    """Inject a request header value by name (overrides, page context, ``st.context``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Header({self.name!r})"


class Cookie:
    """Inject a cookie value by name (overrides, page context, ``st.context.cookies``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Cookie({self.name!r})"


class Query:
    """Mark a pydantic-model parameter as filled from the URL query string."""

    def __init__(self, *, description: str = "") -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"Query(description={self.description!r})"


def set_page_header_context(headers: Mapping[str, str] | None) -> Token[Mapping[str, str] | None]:
    """Provide header values for ``Header(...)`` parameters; returns a reset token."""
    lowered = {k.lower(): v for k, v in headers.items()} if headers is not None else None
    return _header_context.set(lowered)


def set_page_cookie_context(cookies: Mapping[str, str] | None) -> Token[Mapping[str, str] | None]:
    """Provide cookie values for ``Cookie(...)`` parameters; returns a reset token."""
    return _cookie_context.set(dict(cookies) if cookies is not None else None)


def reset_page_header_context(token: Token[Mapping[str, str] | None]) -> None:
    """Undo ``set_page_header_context``."""
    _header_context.reset(token)


def reset_page_cookie_context(token: Token[Mapping[str, str] | None]) -> None:
    """Undo ``set_page_cookie_context``."""
    _cookie_context.reset(token)


def page_header(st: Any, name: str) -> str | None:
    """Header ``name`` from the page context, else from ``st.context.headers``."""
    context = _header_context.get()
    if context is not None:
        return context.get(name.lower())
    try:
        value = st.context.headers.get(name)
    except Exception:
        return None
    return None if value is None else str(value)


def page_cookie(st: Any, name: str) -> str | None:
    """Cookie ``name`` from the page context, else from ``st.context.cookies``."""
    context = _cookie_context.get()
    if context is not None:
        return context.get(name)
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    # Under AppTest the runtime is a mock whose cookies are mocks too: not a cookie.
    return value if isinstance(value, str) else None


def _multi_query(st: Any) -> dict[str, Any]:
    """Query values: one value as itself, several values of one key as a list.

    Reads Streamlit's ``QueryParams.get_all`` where present, else the mapping's values
    (a plain dict of lists works the same way). A key with no value is left out.
    """
    try:
        raw = st.query_params
        get_all = getattr(raw, "get_all", None)
        if callable(get_all):
            items = [(key, get_all(key)) for key in list(raw.keys())]
        else:
            items = list(raw.items())
    except Exception:
        return {}
    values: dict[str, Any] = {}
    for key, value in items:
        if isinstance(value, list | tuple):
            if not value:
                continue
            value = value[0] if len(value) == 1 else list(value)
        values[str(key)] = value
    return values


def parse_query_params(st: Any, model: type[M], *, strict: bool = False) -> M | None:
    """Build ``model`` from ``st.query_params``.

    A key with one value gives that value; several values are passed as a list. On a
    ``ValidationError`` this calls ``st.error`` with a short message and returns
    ``None``, unless ``strict`` is true, in which case the error is re-raised.
    """
    data = _multi_query(st)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        if strict:
            raise
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'query'}: {err['msg']}"
            for err in exc.errors()
        )
        st.error(f"Invalid link parameters ({problems})")
        return None


ExtraPolicy = Literal["ignore", "allow", "forbid"]
_EXTRA_POLICIES: tuple[str, ...] = get_args(ExtraPolicy)


class SessionModel:
    """Read and write a pydantic model to ``st.session_state`` keys named like its fields.

    ``SessionModel(st).load(Prefs)`` builds ``Prefs`` from the keys present (defaults
    for the rest); ``.save(prefs)`` writes every field back. ``extra`` says what to do
    with session keys that are not fields, in pydantic's words:

    - ``"ignore"`` (default): leave them out.
    - ``"allow"``: hand them to the model too; a model that keeps extras
      (``extra="allow"`` in its config) returns them in ``model_extra``, and ``save``
      writes ``model_extra`` back. A model that ignores extras drops them as usual.
    - ``"forbid"``: any such key is a ``ValidationError`` (``extra_forbidden``), for
      pages whose session state must hold nothing but the model.
    """

    def __init__(self, st: Any, *, extra: str = "ignore") -> None:
        if extra not in _EXTRA_POLICIES:
            raise ConfigurationError(
                f"SessionModel extra= must be one of {_EXTRA_POLICIES}, got {extra!r}"
            )
        self._st = st
        self.extra = extra

    def load(self, model: type[M]) -> M:
        """Return ``model`` filled from session state (see the class doc for ``extra``)."""
        state = dict(self._st.session_state)
        fields = model.model_fields
        data = {name: value for name, value in state.items() if name in fields}
        others = {str(k): v for k, v in state.items() if k not in fields}
        if others and self.extra == "forbid":
            raise ValidationError.from_exception_data(
                model.__name__,
                [
                    InitErrorDetails(type="extra_forbidden", loc=(key,), input=value)
                    for key, value in others.items()
                ],
            )
        if self.extra == "allow":
            data.update(others)
        return model.model_validate(data)

    def save(self, instance: BaseModel) -> None:
        """Write every field of ``instance`` (and, with ``extra="allow"``, its extras)."""
        for name in type(instance).model_fields:
            self._st.session_state[name] = getattr(instance, name)
        if self.extra == "allow":
            for name, value in (instance.model_extra or {}).items():
                self._st.session_state[name] = value
