"""Streamlit entry script for a Python FluxLit app (``streamlit run`` and AppTest).

Reads ``FLUXLIT_APP`` (``module:attr``), imports the app from the working directory
(plus ``FLUXLIT_EXTRA_SYS_PATH``) and renders it exactly like a generated entrypoint.
Not import-safe: it runs on import, as Streamlit scripts do.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

for extra in (os.environ.get("FLUXLIT_EXTRA_SYS_PATH"), os.getcwd()):
    if extra and extra not in sys.path:
        sys.path.insert(0, extra)

from fluxlit.runtime.loading import load_fluxlit  # noqa: E402
from fluxlit.streamlit.entry import app_model, run_model  # noqa: E402

_target = os.environ.get("FLUXLIT_APP", "")
if not _target:
    st.error("FLUXLIT_APP is not set: start the app with `fluxlit run module:app`.")
else:
    _app = load_fluxlit(_target)
    run_model(app_model(_app, _target), project_root=Path.cwd(), app=_app)
