"""The errors FluxLit raises on purpose.

Every error FluxLit raises deliberately derives from ``FluxLitError``. Where the
reference documents a built-in type (``ValueError``, ``TypeError``, ...), the class
derives from both, so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class FluxLitError(Exception):
    """Base of every error FluxLit raises on purpose."""


class UserError(FluxLitError):
    """A mistake the user can fix: the CLI prints the message as one line and exits 2.

    The message is complete on its own: it names the file and line, the setting, or
    the flag and its allowed values, and says what to change.
    """


class ConfigurationError(UserError, ValueError):
    """A setting or declaration FluxLit cannot use; the message names it and what to change."""


class UsageError(FluxLitError, TypeError):
    """Code calls FluxLit in a way it does not support (an argument of the wrong kind, ...)."""


class FluxLitRuntimeError(FluxLitError, RuntimeError):
    """FluxLit cannot go on in the state it is in (a child that did not start, ...)."""


__all__ = ["ConfigurationError", "FluxLitError", "FluxLitRuntimeError", "UsageError", "UserError"]
