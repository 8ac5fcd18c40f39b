"""Optional, dependency-free tracing hooks for FluxLit internals.

An integration installs a factory ``hook(name, attributes) -> context manager`` and
translates FluxLit spans into its own backend (OpenTelemetry, logs, ...). FluxLit opens
``fluxlit.gateway.request`` around every request the gateway serves and
``fluxlit.page.run`` around every page run.

``attributes`` is the live dict FluxLit keeps filling while the span is open (the
gateway adds the response status before it ends); a hook that wants final values reads
it when its context manager exits. When the value the context manager yields has a
``traceparent`` attribute (a W3C header value), FluxLit sends it on: the gateway returns
it to the client and ``ApiClient`` calls made inside the span carry it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from typing import Any

TraceHook = Callable[[str, Mapping[str, Any]], AbstractContextManager[Any]]

_hook: ContextVar[TraceHook | None] = ContextVar("fluxlit_trace_hook", default=None)
_process_hook: list[TraceHook | None] = [None]
_open_span: ContextVar[Any] = ContextVar("fluxlit_open_span", default=None)


def set_trace_hook(hook: TraceHook | None) -> Token[TraceHook | None]:
    """Install a tracing hook for the current context and return a reset token."""
    return _hook.set(hook)


def reset_trace_hook(token: Token[TraceHook | None]) -> None:
    """Reset the tracing hook installed by ``set_trace_hook``."""
    _hook.reset(token)


def install_trace_hook(hook: TraceHook | None) -> None:
    """Install ``hook`` for the whole process: every thread and task without its own.

    Streamlit runs page scripts in threads of their own, which do not inherit context
    variables; a hook meant to see page runs is installed here. ``None`` removes it.
    """
    _process_hook[0] = hook


def current_trace_hook() -> TraceHook | None:
    """The hook ``trace_span`` would use here: the context's, else the process's."""
    return _hook.get() or _process_hook[0]


def trace_span(name: str, attributes: Mapping[str, Any]) -> AbstractContextManager[Any]:
    """Return a context manager for an optional span (a no-op without a hook).

    Hook errors propagate, so broken instrumentation fails loudly in development.
    """
    hook = current_trace_hook()
    if hook is None:
        return contextlib.nullcontext()
    return _tracked(hook(name, attributes))


@contextlib.contextmanager
def _tracked(span: AbstractContextManager[Any]) -> Iterator[Any]:
    """Enter the hook's span and remember what it yielded while it is open."""
    with span as value:
        token = _open_span.set(value)
        try:
            yield value
        finally:
            _open_span.reset(token)


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the innermost open span here, if its hook gives one."""
    value = getattr(_open_span.get(), "traceparent", None)
    return value if isinstance(value, str) and value else None
