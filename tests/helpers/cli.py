"""The installed ``fluxlit`` command, run in a child process as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

FLUXLIT = str(Path(sys.executable).with_name("fluxlit"))


def run_fluxlit(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``fluxlit ARGS`` in ``cwd`` (with ``env``, else ours) and capture its text output."""
    return subprocess.run(
        [FLUXLIT, *args],
        cwd=cwd,
        env=dict(os.environ if env is None else env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
