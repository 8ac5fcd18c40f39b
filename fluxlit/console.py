"""Console-script entry: answers an up-to-date ``fluxlit compile`` before loading the CLI.

Every ``fluxlit`` command runs inside ``guarded``, the CLI's one error handler: a
mistake the user can fix is one line on stderr and exit 2, never a traceback through
FluxLit; ``--debug`` or ``FLUXLIT_DEBUG=1`` adds the full traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def guarded(command: Callable[[], object]) -> None:
    """Run ``command``; report an exception that escapes it and exit with its code."""
    try:
        command()
    except Exception as exc:
        from fluxlit.cli.failure import report

        sys.exit(report(exc))


def _main() -> None:
    if sys.argv[1:] == ["compile"]:
        from fluxlit_codegen.stamp import build_is_current

        if build_is_current(Path.cwd()):
            print("up to date (nothing changed since the last compile)")
            return
    from fluxlit.cli import app

    app()


def main() -> None:
    """Run the ``fluxlit`` command."""
    guarded(_main)
