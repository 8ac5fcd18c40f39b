"""Console-script entry: answers an up-to-date ``fluxlit compile`` before loading the CLI."""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    """Run the ``fluxlit`` command."""
    if sys.argv[1:] == ["compile"]:
        from fluxlit_codegen.stamp import build_is_current

        if build_is_current(Path.cwd()):
            print("up to date (nothing changed since the last compile)")
            return
    from fluxlit.cli import main as cli_main

    cli_main()
