"""What the suite needs from the machine: skipped locally when missing, a failure in CI.

CI installs every program and package the suite uses (``make test``: the ``dev`` extra and
``tests/setup/``), so there a missing one is a broken setup, never a reason to skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(message: str) -> NoReturn:
    """Skip (also at module level) locally; fail in CI."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


def require(condition: object, message: str) -> None:
    """Go on when ``condition`` holds, else ``skip_or_fail(message)``."""
    if not condition:
        skip_or_fail(message)


def require_program(name: str, *candidates: str) -> str:
    """Return the path of an external program (a name on PATH or a file path)."""
    for candidate in (name, *candidates):
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    skip_or_fail(f"{name} is not installed; run `bash tests/setup/system.sh` to install it")


def require_module(name: str, extra: str = "dev") -> ModuleType:
    """Import an optional Python package the project declares in the ``extra`` extra."""
    try:
        return importlib.import_module(name)
    except ImportError:
        skip_or_fail(f"{name} is not installed; `make setup` installs fluxlit[{extra}]")
