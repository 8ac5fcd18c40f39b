"""PID file of ``fluxlit dev|run`` and the ``fluxlit shutdown`` that uses it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from fluxlit.errors import ConfigurationError, UserError

PIDFILE_ENV = "FLUXLIT_PIDFILE"
DEFAULT_NAME = ".fluxlit.pid"


def default_pidfile_path(explicit: str | Path | None = None) -> Path:
    """PID file path: ``explicit``, else ``FLUXLIT_PIDFILE``, else ``./.fluxlit.pid``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(PIDFILE_ENV)
    return Path(env) if env else Path.cwd() / DEFAULT_NAME


def pidfile_disabled() -> bool:
    """True when ``FLUXLIT_NO_PIDFILE`` is 1/true/yes."""
    return os.environ.get("FLUXLIT_NO_PIDFILE", "").lower() in {"1", "true", "yes"}


class NoPidFileError(UserError, FileNotFoundError):
    """``fluxlit shutdown`` found no PID file (no server started here, or another path)."""


class PidFileInUseError(UserError):
    """The PID file names another server that is still running."""


def read_pid(path: Path) -> int | None:
    """The PID recorded in ``path``; ``None`` when missing or not a number."""
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def write_pidfile(path: Path) -> None:
    """Record this process's PID (atomically), refusing to replace a live server's.

    A PID file naming a process that is gone (or unreadable) is replaced; one naming
    another running process raises ``PidFileInUseError`` and is left as it is, so
    ``fluxlit shutdown`` still finds that server.
    """
    pid = read_pid(path)
    if pid is not None and pid != os.getpid() and _alive(pid):
        raise PidFileInUseError(
            f"{path.name}: a FluxLit server started here is still running (PID {pid}); "
            "stop it with `fluxlit shutdown`, or give this one its own --pidfile "
            "(or --no-pidfile)"
        )
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{os.getpid()}\n", encoding="utf-8")
    os.replace(tmp, path)


def remove_pidfile(path: Path) -> None:
    """Remove ``path`` if it still names this process (never another server's)."""
    if read_pid(path) == os.getpid():
        path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie awaiting its parent's ``wait`` counts as gone)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def shutdown_unified_process(
    pidfile: str | Path | None = None, *, force: bool = False, wait_s: float = 5.0
) -> bool:
    """Stop a stack started by ``run_unified`` using its PID file.

    Sends SIGTERM (``taskkill /T`` on Windows) and waits up to ``wait_s``; with
    ``force`` a process still alive then gets SIGKILL (``/F``). A PID file whose
    process is gone is removed. Returns True when the process is gone.
    """
    path = default_pidfile_path(pidfile)
    try:
        pid = int(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        raise NoPidFileError(
            f"no PID file at {path}; run from the server's folder or pass --pidfile"
        ) from None
    except ValueError:
        path.unlink(missing_ok=True)
        raise ConfigurationError(f"PID file {path} is corrupt; removed it") from None
    if not _alive(pid):
        path.unlink(missing_ok=True)
        return True
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        args = ["taskkill", "/PID", str(pid), "/T"] + (["/F"] if force else [])
        subprocess.run(args, check=False, capture_output=True)
    else:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            path.unlink(missing_ok=True)
            return True
        time.sleep(0.05)
    if force and sys.platform != "win32":
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    gone = not _alive(pid)
    if gone:
        path.unlink(missing_ok=True)
    return gone
