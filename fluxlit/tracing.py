"""Optional, dependency-free tracing hooks for FluxLit internals.

An integration installs a factory ``hook(name, attributes) -> context manager`` and
translates FluxLit spans into its own backend (OpenTelemetry, logs, ...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar, Token
from typing import Any

TraceHook = Callable[[str, Mapping[str, Any]], AbstractContextManager[Any]]

_hook: ContextVar[TraceHook | None] = ContextVar("fluxlit_trace_hook", default=None)


def set_trace_hook(hook: TraceHook | None) -> Token[TraceHook | None]:
    """Install a tracing hook for the current context and return a reset token."""
    return _hook.set(hook)


def reset_trace_hook(token: Token[TraceHook | None]) -> None:
    """Reset the tracing hook installed by ``set_trace_hook``."""
    _hook.reset(token)


def trace_span(name: str, attributes: Mapping[str, Any]) -> AbstractContextManager[Any]:
    """Return a context manager for an optional span (a no-op without a hook).

    Hook errors propagate, so broken instrumentation fails loudly in development.
    """
    hook = _hook.get()
    if hook is None:
        return contextlib.nullcontext()
    return hook(name, attributes)
