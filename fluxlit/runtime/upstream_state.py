"""Where the gateway finds the Streamlit sidecar: a small state file plus env vars."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fluxlit.errors import FluxLitRuntimeError
from fluxlit.health import configured_upstream

UPSTREAM_ENV = "FLUXLIT_STREAMLIT_UPSTREAM"
UPSTREAM_FILE_ENV = "FLUXLIT_STREAMLIT_UPSTREAM_FILE"


def update_streamlit_upstream_file(path: str | Path, url: str) -> None:
    """Atomically replace the upstream URL stored in ``path`` (e.g. after a restart)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upstream-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(url)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_streamlit_upstream_state(url: str) -> Path:
    """Write ``url`` to a new temp file and point both env vars at it; return the file."""
    fd, name = tempfile.mkstemp(prefix="fluxlit-upstream-", suffix=".txt")
    os.close(fd)
    update_streamlit_upstream_file(name, url)
    os.environ[UPSTREAM_FILE_ENV] = name
    os.environ[UPSTREAM_ENV] = url
    return Path(name)


def read_streamlit_upstream_url() -> str:
    """Current Streamlit base URL from the state file, else ``FLUXLIT_STREAMLIT_UPSTREAM``.

    Raises ``RuntimeError`` when neither is available.
    """
    url = configured_upstream()
    if not url:
        raise FluxLitRuntimeError(
            f"no Streamlit upstream configured: set {UPSTREAM_ENV} or {UPSTREAM_FILE_ENV}"
        )
    return url
