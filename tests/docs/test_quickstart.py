"""docs/quickstart.md runs as written: its files are written, its commands run, outputs match.

The page's blocks, in order: a fence with ``title="NAME"`` is a file to write; a ``bash``
fence is commands to run (``cd`` moves on, ``fluxlit run`` starts a server for the blocks
that follow, on a free port in place of 8000); a ``text`` fence right after a ``bash``
fence is that block's exact output. ``shell`` fences (installing) are what this test's
own environment already did.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.ci import require_program
from tests.helpers.net import free_port, wait_for_200
from tests.helpers.servers import stop_process

DOC = Path(__file__).resolve().parents[2] / "docs" / "quickstart.md"
FENCE = re.compile(r"^```(\w+)(?: title=\"([^\"]+)\")?\n(.*?)^```$", re.M | re.S)


def blocks() -> list[tuple[str, str | None, str]]:
    """(language, file name or None, body) for each fenced block of the page."""
    return [(m[1], m[2], m[3]) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]


def commands(body: str) -> Iterator[str]:
    """Each command of a bash block, comments removed."""
    for line in body.splitlines():
        for command in line.split("#", 1)[0].split("&&"):
            if command.strip():
                yield command.strip()


def test_the_page_has_files_commands_and_outputs() -> None:
    kinds = [(lang, name) for lang, name, _ in blocks()]
    assert ("python", "app.py") in kinds and ("python", "test_app.py") in kinds
    assert sum(lang == "bash" for lang, _ in kinds) >= 5
    assert sum(lang == "text" for lang, _ in kinds) == 2


@pytest.mark.slow
def test_quickstart_runs_as_written(tmp_path: Path) -> None:
    require_program("curl")
    port = free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env = {k: v for k, v in env.items() if not k.startswith("FLUXLIT_")}
    cwd = tmp_path
    server: subprocess.Popen[bytes] | None = None
    last_output: str | None = None
    try:
        for lang, name, body in blocks():
            if name:
                (cwd / name).write_text(body, encoding="utf-8")
            elif lang == "text":
                assert last_output is not None and last_output.strip() == body.strip()
            elif lang == "bash":
                last_output = ""
                for command in commands(body.replace(":8000", f":{port}")):
                    words = shlex.split(command)
                    if words[0] == "cd":
                        cwd = cwd / words[1]
                    elif words[:2] == ["fluxlit", "run"]:
                        if server is not None:
                            stop_process(server)
                        server = subprocess.Popen(
                            [*words, "--host", "127.0.0.1", "--port", str(port)],
                            cwd=cwd,
                            env=env,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT,
                        )
                        wait_for_200(f"http://127.0.0.1:{port}/api/healthz", process=server)
                    else:
                        done = subprocess.run(
                            command, shell=True, cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300,
                        )  # fmt: skip
                        assert done.returncode == 0, f"{command}:\n{done.stdout}{done.stderr}"
                        last_output += done.stdout
    finally:
        if server is not None:
            stop_process(server)
    assert (tmp_path / "sales" / "fluxlit.toml").read_text().count("[[pages]]") == 2
