"""Streamlit entry script for a Python FluxLit app (``streamlit run`` and AppTest).

Served by FluxLit, it finds the app in the script context the runtime handed over (in
memory in-process, a file named on the sidecar's command line). Run on its own (the test
toolkit, ``streamlit run``), it reads ``FLUXLIT_APP`` (``module:attr``) and imports the
app from the working directory (plus ``FLUXLIT_EXTRA_SYS_PATH``). Either way it renders
the app exactly like a generated entrypoint. Not import-safe: it runs on import, as
Streamlit scripts do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from fluxlit.config.env_vars import APP, EXTRA_SYS_PATH
from fluxlit.streamlit.context import script_context

_named = os.environ.get(APP)
_context = script_context()
if _context is not None and _named and _named != _context.target:
    _context = None  # a test toolkit run for another app in the same process
_root = _context.project_root if _context is not None else os.getcwd()
for extra in (os.environ.get(EXTRA_SYS_PATH), _root):
    if extra and extra not in sys.path:
        sys.path.insert(0, extra)

from fluxlit.loading import load_fluxlit  # noqa: E402
from fluxlit.streamlit.entry import app_model, run_model  # noqa: E402

_target = _named or (_context.target if _context is not None else None)
if not _target:
    st.error("FLUXLIT_APP is not set: start the app with `fluxlit run module:app`.")
else:
    _app = load_fluxlit(_target)
    run_model(app_model(_app, _target), project_root=Path(_root), app=_app)
