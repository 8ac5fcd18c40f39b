"""The end of a shutdown: one summary line, and no waiting on requests past the grace period."""

from __future__ import annotations

import logging
import os
import sys
import threading

from fluxlit.gateway.drain import CUT_OFF

logger = logging.getLogger("fluxlit.runtime")


def lingering_threads() -> list[threading.Thread]:
    """Non-daemon threads still alive besides the main one (e.g. sync routes still running)."""
    main = threading.main_thread()
    return [t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()]


def end_shutdown(grace_s: float, code: int, *, join_s: float = 0.5) -> None:
    """Log what the shutdown cut off; exit at once if request threads still run.

    Called after the server has stopped. Requests cancelled at the end of the grace
    period were answered 503 (``fluxlit.gateway.drain``); their worker threads cannot
    be interrupted, and Python would wait for them before exiting. After ``join_s``
    for threads that are just finishing, the process exits with ``code`` without
    waiting for the rest (log handlers are flushed first).
    """
    for thread in lingering_threads():
        thread.join(join_s / 4)
    stuck = lingering_threads()
    if not CUT_OFF.count and not stuck:
        return
    logger.warning(
        "Shutdown grace period of %g s (FLUXLIT_SHUTDOWN_GRACE_S) over: %d request(s) still "
        "running were answered 503%s",
        grace_s,
        CUT_OFF.count,
        f"; exiting without waiting for {len(stuck)} worker thread(s)" if stuck else "",
    )
    if stuck:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
