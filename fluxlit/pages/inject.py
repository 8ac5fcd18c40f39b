"""Call page handlers with ``(st, client)`` plus injected parameters."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints

from pydantic import BaseModel

from fluxlit.errors import UsageError
from fluxlit.pages.params import (
    Cookie,
    Depends,
    Header,
    Query,
    SessionModel,
    page_cookie,
    page_header,
    parse_query_params,
)

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class _Resolver:
    """Resolves one handler call's parameters, caching ``Depends`` results."""

    def __init__(
        self,
        st: Any,
        client: Any,
        overrides: Mapping[str, Any],
        session_store: Any,
        async_depends: bool,
    ) -> None:
        self.st = st
        self.client = client
        self.overrides = overrides
        self.session_store = session_store
        self.async_depends = async_depends
        self.cache: dict[Any, Any] = {}

    def value(self, fn: Callable[..., Any], param: inspect.Parameter, annotation: Any) -> Any:
        default = param.default
        if param.name in self.overrides:
            return self.overrides[param.name]
        if isinstance(default, Header):
            if default.name in self.overrides:
                return self.overrides[default.name]
            return page_header(self.st, default.name)
        if isinstance(default, Cookie):
            if default.name in self.overrides:
                return self.overrides[default.name]
            return page_cookie(self.st, default.name)
        if isinstance(default, Depends):
            return self.depend(default, param.name)
        if isinstance(default, Query):
            if not (inspect.isclass(annotation) and issubclass(annotation, BaseModel)):
                raise UsageError(
                    f"{fn.__qualname__}: parameter {param.name!r} uses Query() and must be "
                    "annotated with a pydantic model"
                )
            return parse_query_params(self.st, annotation)
        if annotation is SessionModel:
            return SessionModel(self.st)
        if _is_session_store(annotation):
            if self.session_store is None:
                raise UsageError(
                    f"{fn.__qualname__}: parameter {param.name!r} needs a session store; "
                    "pass FluxLit(session_store=...) or declare [session_store] in fluxlit.toml"
                )
            return self.session_store
        if default is not inspect.Parameter.empty:
            return default
        raise UsageError(
            f"{fn.__qualname__}: cannot inject parameter {param.name!r}; use Depends(), "
            "Header(), Cookie(), Query() or a SessionStore / SessionModel annotation"
        )

    def depend(self, marker: Depends, name: str) -> Any:
        if marker.dependency is None:
            raise UsageError(f"Depends() for {name!r} needs a callable")
        key = marker.dependency
        if marker.use_cache and key in self.cache:
            return self.cache[key]
        result = self.call(marker.dependency)
        if inspect.isawaitable(result):
            if not self.async_depends:
                if inspect.iscoroutine(result):
                    result.close()  # never awaited: close it, no "never awaited" warning
                raise UsageError(
                    f"dependency {getattr(key, '__name__', key)!r} is async; set "
                    "FLUXLIT_ASYNC_PAGE_DEPENDS=true to allow it"
                )
            result = asyncio.run(_await(result))
        if marker.use_cache:
            self.cache[key] = result
        return result

    def call(self, fn: Callable[..., Any], *, page: bool = False) -> Any:
        signature = inspect.signature(fn)
        hints = _hints(fn)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        positional = [p for p in signature.parameters.values() if p.kind in _POSITIONAL]
        injected_start = 0
        if page or _takes_st_client(positional):
            args = [self.st, self.client][: min(2, len(positional))]
            injected_start = len(args)
        for param in list(signature.parameters.values())[injected_start:]:
            if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
                continue
            value = self.value(fn, param, hints.get(param.name, param.annotation))
            if param.kind is inspect.Parameter.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[param.name] = value
        return fn(*args, **kwargs)


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return get_type_hints(fn)
    except Exception:
        return {}


def _takes_st_client(positional: list[inspect.Parameter]) -> bool:
    """A dependency takes ``(st, client)`` when its first parameters are named so."""
    names = [p.name for p in positional[:2]]
    return names[:1] == ["st"] and (len(names) == 1 or names[1] == "client")


def _is_session_store(annotation: Any) -> bool:
    from fluxlit.url_session import SessionStore

    if annotation is SessionStore:
        return True
    return (
        inspect.isclass(annotation)
        and issubclass(annotation, SessionStore)
        and annotation is not object
    )


def call_page_handler(
    handler: Callable[..., Any],
    st: Any,
    client: Any,
    *,
    overrides: Mapping[str, Any] | None = None,
    session_store: Any = None,
    yield_pages: bool = False,
    async_depends: bool = False,
) -> Any:
    """Call ``handler(st, client, ...)``, injecting any further parameters.

    ``overrides`` (from tests) win, matched by parameter name and then by the
    ``Header``/``Cookie`` name. With ``yield_pages`` a generator handler's yielded
    values are written with ``st.write``; the generator's return value is returned.
    """
    resolver = _Resolver(st, client, overrides or {}, session_store, async_depends)
    result = resolver.call(handler, page=True)
    if yield_pages and inspect.isgenerator(result):
        try:
            while True:
                st.write(next(result))
        except StopIteration as stop:
            return stop.value
    return result


def check_page_handler(handler: Any) -> list[str]:
    """Return human-readable problems with ``handler`` as a page (empty when fine)."""
    if not callable(handler):
        return [f"{handler!r} is not callable"]
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return [f"{handler!r}: signature cannot be inspected"]
    name = getattr(handler, "__qualname__", repr(handler))
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in _POSITIONAL]
    has_varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    problems = []
    if len(positional) < 2 and not has_varargs:
        problems.append(f"{name} must accept (st, client) as its first two parameters")
    hints = _hints(handler)
    for param in positional[2:] + [p for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]:
        default = param.default
        annotation = hints.get(param.name, param.annotation)
        if isinstance(default, Header | Cookie | Depends | Query):
            continue
        if annotation is SessionModel or _is_session_store(annotation):
            continue
        if default is inspect.Parameter.empty:
            problems.append(
                f"{name}: parameter {param.name!r} cannot be injected (use Depends(), "
                "Header(), Cookie(), Query() or a SessionStore / SessionModel annotation)"
            )
    return problems
