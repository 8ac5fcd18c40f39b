"""Compile benchmark: a generated 1,000-page, 1,000-route manifest.

Prints the median of 5 cold compiles (each in a new process, output removed first:
parse, check handlers, render, write) and of 5 no-op recompiles in a new process,
against the targets (cold < 1 s, no-op < 0.1 s). The in-process figure is for
reference only.

    python bench/compile/run.py [--pages 1000] [--routes 1000] [--runs 5]

Not a test: it reports numbers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_project(root: Path, pages: int, routes: int) -> None:
    """A manifest app with ``pages`` pages and ``routes`` routes, plus its handlers."""
    lines = ['title = "Bench"', ""]
    for i in range(pages):
        lines += [
            "[[pages]]",
            f'path = "/page-{i}"',
            f'title = "Page {i}"',
            f'handler = "handlers:page_{i % 10}"',
            "",
        ]
    for i in range(routes):
        lines += [
            "[[routes]]",
            f'path = "/items/{i}"',
            'methods = ["GET"]',
            f'handler = "handlers:route_{i % 10}"',
            "",
        ]
    (root / "fluxlit.toml").write_text("\n".join(lines))
    handlers = [f"def page_{i}(st, client):\n    st.write({i})\n" for i in range(10)]
    handlers += [f"def route_{i}():\n    return {i}\n" for i in range(10)]
    (root / "handlers.py").write_text("\n".join(handlers))


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--routes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = [str(Path(sys.executable).with_name("fluxlit")), "compile"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, args.pages, args.routes)
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(root / ".fluxlit", ignore_errors=True)
            cold.append(timed(command, root))
        noop = [timed(command, root) for _ in range(args.runs)]
        from fluxlit_codegen.compile import compile_resolved
        from fluxlit_codegen.project import resolve_app

        resolved = resolve_app(None, root)
        in_process = []
        for _ in range(args.runs):
            start = time.perf_counter()
            compile_resolved(resolved)
            in_process.append(time.perf_counter() - start)
        size = sum(p.stat().st_size for p in (root / ".fluxlit" / "build").iterdir())
    print(f"manifest: {args.pages} pages, {args.routes} routes; build output {size / 1024:.0f} KiB")
    print(f"cold compile (new process): median {statistics.median(cold):.3f} s   target < 1 s")
    print(f"no-op recompile (new process): median {statistics.median(noop):.3f} s   target < 0.1 s")
    print(
        "no-op recompile (in process, parsed once; handler checks and render each time): median "
        f"{statistics.median(in_process) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
