"""Import the user's modules, and point at the user's line when that fails.

A mistake in ``app.py`` (a syntax error, a missing variable read at import) should
read as ``app.py:7: KeyError: 'X' (while importing app)``, not as a traceback
through FluxLit and importlib. ``UserCodeError`` carries that one line; the original
exception stays attached as ``__cause__`` for ``--debug``.
"""

from __future__ import annotations

import importlib
import os
import sysconfig
import traceback
from pathlib import Path
from types import ModuleType, TracebackType

from fluxlit.config.settings_errors import is_settings_error, settings_error
from fluxlit.errors import UserError

_PACKAGES = tuple(
    str(Path(__file__).resolve().parent.parent / name) + os.sep
    for name in ("fluxlit", "fluxlit_codegen")
)
_LIBRARIES = tuple(
    str(Path(path).resolve()) + os.sep
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (path := sysconfig.get_paths().get(key))
)


class UserCodeError(UserError):
    """The user's code failed while FluxLit imported or ran it; the message is located."""


def is_user_file(filename: str) -> bool:
    """True for a real file that is neither FluxLit's, the standard library's nor a package's."""
    if not filename or filename.startswith("<"):
        return False
    path = str(Path(filename).resolve())
    return not path.startswith(_PACKAGES + _LIBRARIES)


def shown_path(filename: str) -> str:
    """``filename`` relative to the working folder when inside it, else absolute."""
    path = Path(filename).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def user_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """``(file, line)`` of the deepest traceback frame in the user's own code."""
    found = None
    for frame, line in traceback.walk_tb(tb):
        if is_user_file(frame.f_code.co_filename):
            found = (frame.f_code.co_filename, line)
    return found


def describe(exc: BaseException) -> str:
    """``Type: message``, as Python prints the last line of a traceback."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def locate(exc: BaseException, *, doing: str = "") -> str | None:
    """One line naming the user's file and line for ``exc``, or ``None`` if none is theirs.

    A ``SyntaxError`` is located where Python found it; any other exception at the
    deepest frame of the user's code in its traceback. ``doing`` (e.g. ``importing
    app``) is appended in parentheses.
    """
    suffix = f" ({'while ' + doing})" if doing else ""
    if isinstance(exc, SyntaxError) and exc.filename and is_user_file(exc.filename):
        return f"{shown_path(exc.filename)}:{exc.lineno or 0}: {type(exc).__name__}: {exc.msg}"
    where = user_frame(exc.__traceback__)
    if where is None:
        return None
    return f"{shown_path(where[0])}:{where[1]}: {describe(exc)}{suffix}"


def import_user_module(name: str) -> ModuleType:
    """Import the user's module ``name``.

    A ``ModuleNotFoundError`` for ``name`` itself (or a package above it) propagates
    unchanged, for the caller to explain; anything else raised while the user's code
    runs becomes a located ``UserCodeError``.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise
        raise _located(exc, name) from exc
    except UserError:
        raise
    except Exception as exc:
        raise _located(exc, name) from exc


def _located(exc: Exception, name: str) -> UserError:
    if is_settings_error(exc):  # FluxlitSettings() in the user's module: name the variables
        return settings_error(exc)
    line = locate(exc, doing=f"importing {name}")
    return UserCodeError(line or f"{describe(exc)} (while importing {name})")


__all__ = ["UserCodeError", "describe", "import_user_module", "is_user_file", "locate"]
