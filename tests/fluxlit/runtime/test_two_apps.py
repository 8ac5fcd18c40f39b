"""Two in-process apps in one process: a clear FluxLitError, and the second works later.

Run in a child process: Streamlit's runtime is a process-wide singleton, and the test
must not leave one behind for other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fluxlit.runtime.streamlit_runtime import OneStreamlitPerProcessError

pytestmark = pytest.mark.slow

SCRIPT = """
import json
from starlette.testclient import TestClient
from fluxlit import FluxLit, FluxlitSettings
from fluxlit.errors import FluxLitError

first = FluxLit(settings=FluxlitSettings(title="First"), import_target="two:first")
second = FluxLit(settings=FluxlitSettings(title="Second"), import_target="two:second")
result = {}
with TestClient(first) as one:
    result["first"] = [one.get("/").status_code, one.get("/api/readyz").status_code]
    try:
        with TestClient(second):
            result["second_while_first_runs"] = "started"
    except FluxLitError as exc:
        result["error"] = [type(exc).__name__, isinstance(exc, RuntimeError), str(exc)]
    result["first_still_serves"] = one.get("/").status_code
with TestClient(second) as two:
    result["second_after_first_stopped"] = [
        two.get("/").status_code,
        two.get("/api/readyz").status_code,
    ]
print("RESULT " + json.dumps(result))
"""


def test_a_second_app_names_the_limit_and_works_once_the_first_stopped(
    clean_fluxlit_env: Path,
) -> None:
    (clean_fluxlit_env / "two.py").write_text(SCRIPT)
    run = subprocess.run(
        [sys.executable, "two.py"],
        cwd=clean_fluxlit_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    assert run.returncode == 0 and lines, run.stderr[-3000:]
    result = json.loads(lines[0].removeprefix("RESULT "))
    assert result["first"] == [200, 200]
    assert "second_while_first_runs" not in result
    name, is_runtime_error, message = result["error"]
    assert name == OneStreamlitPerProcessError.__name__ and is_runtime_error
    assert "one Streamlit app per process" in message
    assert "'Second'" in message and "lifespan" in message
    assert "FLUXLIT_RUNTIME_MODE=sidecar" in message
    assert "Runtime instance already exists" not in message
    assert result["first_still_serves"] == 200
    assert result["second_after_first_stopped"] == [200, 200]
