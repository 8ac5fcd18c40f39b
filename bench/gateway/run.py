"""Gateway benchmark: bare FastAPI, direct Streamlit and both FluxLit modes in one run.

All four servers run at once and load runs are interleaved, so machine drift hits
every configuration alike. With two or more CPUs and ``taskset``, the servers share
CPU 0 and wrk runs on CPU 1, so the load generator does not compete with the server
it measures. Prints medians of API req/s, Streamlit JS-bundle req/s,
launch to ready, resident memory of the whole process tree and time for Chromium
to show the page, then ratios against the baselines measured in this same run.

    python bench/gateway/run.py [--seconds 3] [--repeats 9] [--browser-runs 5] [--no-pin]

Needs wrk and Chromium (`bash tests/setup/system.sh`). Not a test: it reports numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parent
PY = sys.executable
CHROMIUM = os.environ.get("FLUXLIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _pinned(cpu: int) -> list[str]:
    """A ``taskset`` prefix that runs a command on one CPU (empty when not possible)."""
    if (os.cpu_count() or 1) < 2 or not shutil.which("taskset"):
        return []
    return ["taskset", "-c", str(cpu)]


# Cleared by --no-pin. The sidecar's gateway and Streamlit child share CPU 0 too.
CPU_PREFIX: dict[str, list[str]] = {"server": _pinned(0), "load": _pinned(1)}


@dataclass
class Config:
    """One way of serving the bench app."""

    name: str
    command: Callable[[int], list[str]]
    ready_path: str
    api_path: str | None
    ui: bool
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """Medians measured for one configuration."""

    api_rps: float | None = None
    js_rps: float | None = None
    api_runs: list[float] = field(default_factory=list)  # one per load round
    js_runs: list[float] = field(default_factory=list)
    ready_s: float = 0.0
    rss_mib: float = 0.0
    page_s: float | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configs() -> list[Config]:
    uvicorn = [PY, "-m", "uvicorn", "--app-dir", str(HERE), "--log-level", "warning"]
    fluxlit = [PY, "-m", "fluxlit.cli", "run", "bench_app:app", "--log-level", "warning"]
    return [
        Config(
            "bare FastAPI",
            lambda p: [*uvicorn, "--no-access-log", "--port", str(p), "bench_app:bare_api"],
            "/ping",
            "/ping",
            ui=False,
        ),
        Config(
            "direct Streamlit",
            lambda p: [
                PY,
                "-m",
                "streamlit",
                "run",
                str(HERE / "ui.py"),
                "--server.port",
                str(p),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            "/_stcore/health",
            None,
            ui=True,
        ),
        Config(
            "FluxLit in-process",
            lambda p: [*fluxlit, "--port", str(p)],
            "/api/readyz",
            "/api/ping",
            ui=True,
            env={"FLUXLIT_RUNTIME_MODE": "inprocess"},
        ),
        Config(
            "FluxLit sidecar",
            lambda p: [*fluxlit, "--port", str(p)],
            "/api/readyz",
            "/api/ping",
            ui=True,
            env={"FLUXLIT_RUNTIME_MODE": "sidecar"},
        ),
    ]


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        [*CPU_PREFIX["load"], "wrk", "-t1", "-c16", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"could not read wrk output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses under load")
    return float(match.group(1))


def js_bundle_path(base: str) -> str:
    html = httpx.get(base + "/", timeout=5).text
    match = re.search(r'src="\.?/?(static/js/index\.[\w-]+\.js)"', html)
    if not match:
        raise RuntimeError("no Streamlit JS bundle referenced from the index page")
    return "/" + match.group(1)


def tree_rss_mib(pid: int) -> float:
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += proc.memory_info().rss
    return total / (1024 * 1024)


def page_shown_seconds(url: str, runs: int) -> float | None:
    if not Path(CHROMIUM).is_file():
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs + 1):  # the first run warms Streamlit's script cache
            context = browser.new_context()
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.get_by_text("Bench page").first.wait_for(timeout=60_000)
            times.append(time.perf_counter() - start)
            context.close()
        browser.close()
    return statistics.median(times[1:])


@dataclass
class Running:
    """A started configuration and what was measured for it."""

    config: Config
    process: subprocess.Popen[bytes]
    base: str
    result: Result
    bundle: str = ""


def launch(config: Config) -> Running:
    port = free_port()
    env = {**os.environ, "FLUXLIT_NO_PIDFILE": "1", "PYTHONPATH": str(HERE), **config.env}
    process = subprocess.Popen(
        [*CPU_PREFIX["server"], *config.command(port)],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    running = Running(config, process, base, Result())
    running.result.ready_s = wait_ready(base + config.ready_path, process)
    if config.ui:
        running.bundle = js_bundle_path(base)
    return running


def stop(running: Running) -> None:
    os.killpg(running.process.pid, signal.SIGTERM)
    try:
        running.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(running.process.pid, signal.SIGKILL)


def measure_all(args: argparse.Namespace) -> dict[str, Result]:
    """Start every configuration, then interleave the load runs so drift hits all alike."""
    started: list[Running] = []
    try:
        for config in configs():
            print(f"starting {config.name} ...", flush=True)
            started.append(launch(config))
        for round_ in range(args.repeats):
            print(f"load round {round_ + 1}/{args.repeats} ...", flush=True)
            for run in started:
                if run.config.api_path:
                    run.result.api_runs.append(wrk(run.base + run.config.api_path, args.seconds))
                if run.config.ui:
                    run.result.js_runs.append(wrk(run.base + run.bundle, args.seconds))
        for run in started:
            if run.result.api_runs:
                run.result.api_rps = statistics.median(run.result.api_runs)
            if run.result.js_runs:
                run.result.js_rps = statistics.median(run.result.js_runs)
            if run.config.ui:
                print(f"browser: {run.config.name} ...", flush=True)
                run.result.page_s = page_shown_seconds(run.base + "/", args.browser_runs)
            run.result.rss_mib = tree_rss_mib(run.process.pid)
    finally:
        for run in started:
            stop(run)
    return {run.config.name: run.result for run in started}


def ratio(value: float | None, baseline: float | None) -> str:
    if value is None or not baseline:
        return "-"
    return f"{value / baseline:.2f}x"


def paired_ratio(runs: list[float], baseline_runs: list[float]) -> str:
    """Median of the per-round ratios: rounds run back to back, so drift cancels out."""
    if not runs or not baseline_runs:
        return "-"
    pairs = [value / base for value, base in zip(runs, baseline_runs, strict=True)]
    return f"{statistics.median(pairs):.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=9, help="wrk runs per measure (median)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads (median)")
    parser.add_argument("--no-pin", action="store_true", help="let servers and wrk use any CPU")
    args = parser.parse_args()
    if args.no_pin:
        CPU_PREFIX.update(server=[], load=[])
    results = measure_all(args)
    bare, direct = results["bare FastAPI"], results["direct Streamlit"]
    print()
    header = f"{'configuration':<20} {'API req/s':>10} {'JS req/s':>10} {'ready s':>8} "
    print(header + f"{'RSS MiB':>8} {'page s':>7}  API/bare  JS/direct  page/direct")
    for name, r in results.items():
        api = f"{r.api_rps:.0f}" if r.api_rps else "-"
        js = f"{r.js_rps:.0f}" if r.js_rps else "-"
        page = f"{r.page_s:.2f}" if r.page_s else "-"
        print(
            f"{name:<20} {api:>10} {js:>10} {r.ready_s:>8.2f} {r.rss_mib:>8.0f} {page:>7}  "
            f"{paired_ratio(r.api_runs, bare.api_runs):>8}  "
            f"{paired_ratio(r.js_runs, direct.js_runs):>9}  "
            f"{ratio(r.page_s, direct.page_s):>11}"
        )
    print("\ntargets (in-process): API >= 0.95x bare, JS >= 0.95x direct, page <= 1.1x direct,")
    print("RSS < 120 MiB. Values are medians; throughput ratios are medians of the per-round")
    print("ratios against the baselines measured in the same round of this run.")


if __name__ == "__main__":
    main()
