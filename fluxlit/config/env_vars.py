"""Every ``FLUXLIT_*`` environment variable FluxLit reads, and warnings for the others."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from fluxlit.config.settings import SETTING_ALIASES, FluxlitSettings

PREFIX = "FLUXLIT_"

SETTINGS_VARIABLES = frozenset(
    PREFIX + name.upper() for name in [*FluxlitSettings.model_fields, *SETTING_ALIASES]
)
"""One variable per ``FluxlitSettings`` field (``FLUXLIT_GATEWAY_PORT``, ...) and per alias
of the published package's spelling (``FLUXLIT_ENABLE_SECURITY_HEADERS``, ...)."""

APP = "FLUXLIT_APP"
"""``module:attr`` for ``uvicorn --factory fluxlit.runtime:create_unified_app`` and the
seed's Streamlit entry script run on its own (``streamlit run``, ``AppTest``)."""
PIDFILE = "FLUXLIT_PIDFILE"
"""Where ``fluxlit run|dev`` write, and ``fluxlit shutdown`` reads, the PID file."""
NO_PIDFILE = "FLUXLIT_NO_PIDFILE"
"""``1``/``true``/``yes``: write no PID file."""
STREAMLIT_UPSTREAM = "FLUXLIT_STREAMLIT_UPSTREAM"
"""Streamlit's base URL for the gateway-only factory and the readiness probe."""
STREAMLIT_UPSTREAM_FILE = "FLUXLIT_STREAMLIT_UPSTREAM_FILE"
"""A file holding that URL (rewritten when the sidecar restarts on a new port)."""
API_PREFIX = "FLUXLIT_API_PREFIX"
"""API prefix for the gateway-only factory and the test toolkit's Streamlit runs."""
EXTRA_SYS_PATH = "FLUXLIT_EXTRA_SYS_PATH"
"""A folder the seed's Streamlit entry script adds to ``sys.path`` (test toolkit)."""
TESTS = "FLUXLIT_TESTS"
"""Set by the test toolkit while it runs a Streamlit script."""
TEST_PAGE_OVERRIDES = "FLUXLIT_TEST_PAGE_OVERRIDES"
"""JSON map of page-parameter overrides (test toolkit)."""
TEST_PAGE_KEY = "FLUXLIT_TEST_PAGE_KEY"
"""Query key for deep links in test runs (test toolkit)."""

OTHER_VARIABLES = frozenset(
    {
        APP,
        PIDFILE,
        NO_PIDFILE,
        STREAMLIT_UPSTREAM,
        STREAMLIT_UPSTREAM_FILE,
        API_PREFIX,
        EXTRA_SYS_PATH,
        TESTS,
        TEST_PAGE_OVERRIDES,
        TEST_PAGE_KEY,
    }
)
KNOWN_VARIABLES = SETTINGS_VARIABLES | OTHER_VARIABLES


def unknown_variable_warnings(environ: Mapping[str, str]) -> list[str]:
    """One warning per ``FLUXLIT_*`` name in ``environ`` that FluxLit does not read.

    Each names the closest known variable when there is one, e.g.
    ``FLUXLIT_SECURTY_HEADERS is not a FluxLit setting; did you mean
    FLUXLIT_SECURITY_HEADERS?``.
    """
    known = sorted(KNOWN_VARIABLES)
    warnings = []
    for name in sorted(environ):
        if not name.upper().startswith(PREFIX) or name.upper() in KNOWN_VARIABLES:
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"{name} is not a FluxLit setting{hint}")
    return warnings
