"""What the CLI prints when a command fails: one line, or a traceback on request.

``report`` turns an exception that escaped a command into the line the user reads
and the exit code: 2 for mistakes the user can fix (``FluxLitError``, bad
``FLUXLIT_*`` values, errors raised in the user's own code, located at their line),
1 for anything else, which is FluxLit's own fault.
"""

from __future__ import annotations

import os
import sys
import traceback

from fluxlit.errors import FluxLitError
from fluxlit.user_code import describe, locate

USER_MISTAKE = 2
INTERNAL_ERROR = 1
_TRUE = {"1", "true", "yes", "on"}
_requested = False


def request_tracebacks() -> None:
    """Show the full traceback of a failure (the global ``--debug`` flag)."""
    global _requested
    _requested = True


def tracebacks_wanted() -> bool:
    """True after ``--debug`` or with ``FLUXLIT_DEBUG`` set to 1/true/yes/on."""
    return _requested or os.environ.get("FLUXLIT_DEBUG", "").strip().lower() in _TRUE


def explain(exc: BaseException) -> tuple[str, int]:
    """The one line to print for ``exc`` and the exit code."""
    from fluxlit.config.settings_errors import is_settings_error, settings_error

    if isinstance(exc, FluxLitError):
        return str(exc), USER_MISTAKE
    if isinstance(exc, Exception) and is_settings_error(exc):
        return str(settings_error(exc)), USER_MISTAKE
    located = locate(exc)
    if located:
        return located, USER_MISTAKE
    return (
        f"internal error: {describe(exc)} (run again with --debug for the traceback, "
        "and please report it)",
        INTERNAL_ERROR,
    )


def report(exc: BaseException) -> int:
    """Print ``exc`` for the user (with its traceback when wanted); return the exit code."""
    message, code = explain(exc)
    if tracebacks_wanted():
        traceback.print_exception(exc)
    lines = message.splitlines() or [type(exc).__name__]
    print(f"error: {lines[0]}", *lines[1:], sep="\n", file=sys.stderr)
    return code


__all__ = ["explain", "report", "request_tracebacks", "tracebacks_wanted"]
