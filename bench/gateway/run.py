"""Gateway benchmark: bare FastAPI, direct Streamlit and both FluxLit modes in one run.

All four servers run at once and load runs are interleaved, so machine drift hits
every configuration alike. With two or more CPUs and ``taskset``, the servers share
CPU 0 and wrk runs on CPU 1, so the load generator does not compete with the server
it measures. Prints medians of API req/s, Streamlit JS-bundle req/s,
launch to ready, resident memory of the whole process tree and time for Chromium
to show the page, then ratios against the baselines measured in this same run.

    python bench/gateway/run.py [--seconds 3] [--repeats 9] [--browser-runs 5] [--no-pin]
    python bench/gateway/run.py --mixed [--rate 5] [--seconds 3] [--repeats 5]
    python bench/gateway/run.py --mixed --rate 0 [--sessions 20]

``--mixed`` measures instead the API under UI load, for both FluxLit modes and for a
sync (``/api/ping``) and an async (``/api/aping``) route: API req/s and p99 latency
while ``--rate`` new Streamlit sessions per second each run the page once (with
``--rate 0``: ``--sessions`` sessions rerunning their page without pause), against
the same server idle, round after round in the same run (``sessions.py``).

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


def _pinned(cpus: str) -> list[str]:
    """A ``taskset`` prefix that runs a command on ``cpus`` (empty when not possible)."""
    if (os.cpu_count() or 1) < 2 or not shutil.which("taskset"):
        return []
    return ["taskset", "-c", cpus]


# Cleared by --no-pin. The sidecar's gateway and Streamlit child share CPU 0 too; the
# several-workers configuration gets every CPU (it exists to use more than one), so
# on a 2-core machine its second worker shares CPU 1 with wrk.
CPU_PREFIX: dict[str, list[str]] = {
    "server": _pinned("0"),
    "load": _pinned("1"),
    "all": _pinned(f"0-{(os.cpu_count() or 1) - 1}"),
}
WORKERS = 2


@dataclass
class Config:
    """One way of serving the bench app."""

    name: str
    command: Callable[[int], list[str]]
    ready_path: str
    api_path: str | None
    ui: bool
    env: dict[str, str] = field(default_factory=dict)
    cpus: str = "server"  # key of CPU_PREFIX


@dataclass
class Result:
    """Medians measured for one configuration."""

    api_rps: float | None = None
    js_rps: float | None = None
    api_runs: list[float] = field(default_factory=list)  # one per load round
    js_runs: list[float] = field(default_factory=list)
    ready_s: float = 0.0
    rss_mib: float = 0.0  # idle, just after ready
    page_s: float | None = None
    session_s: float | None = None  # one new session to script_finished (median)
    burst_s: float | None = None  # --burst new sessions at once, until all finished


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
        Config(
            f"sidecar {WORKERS} workers",
            lambda p: [*fluxlit, "--port", str(p), "--workers", str(WORKERS)],
            "/api/readyz",
            "/api/ping",
            ui=False,
            env={"FLUXLIT_RUNTIME_MODE": "sidecar"},
            cpus="all",
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


def wrk_run(url: str, seconds: int) -> tuple[float, float]:
    """Requests/s and p99 latency (ms) of one wrk run against ``url``."""
    out = subprocess.run(
        [*CPU_PREFIX["load"], "wrk", "-t1", "-c16", "--latency", f"-d{seconds}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    if not match or not p99:
        raise RuntimeError(f"could not read wrk output:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses under load")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(match.group(1)), float(p99.group(1)) * scale


def wrk(url: str, seconds: int) -> float:
    return wrk_run(url, seconds)[0]


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
        [*CPU_PREFIX[config.cpus], *config.command(port)],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    running = Running(config, process, base, Result())
    running.result.ready_s = wait_ready(base + config.ready_path, process)
    running.result.rss_mib = tree_rss_mib(process.pid)
    if config.ui:
        running.bundle = js_bundle_path(base)
    return running


def session_seconds(base: str, sessions: int) -> float:
    """Seconds for ``sessions`` new Streamlit sessions to finish their first run."""
    out = subprocess.run(
        [*CPU_PREFIX["load"], PY, str(HERE / "sessions.py"), base, str(sessions), "--burst"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    return float(out.strip())


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
                print(f"sessions and browser: {run.config.name} ...", flush=True)
                session_seconds(run.base, 1)  # warms the script cache
                runs = [session_seconds(run.base, 1) for _ in range(args.session_runs)]
                run.result.session_s = statistics.median(runs)
                run.result.burst_s = session_seconds(run.base, args.burst)
                run.result.page_s = page_shown_seconds(run.base + "/", args.browser_runs)
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


@dataclass
class Mixed:
    """Per-round API figures of one FluxLit mode, idle and with sessions rerunning."""

    idle_rps: list[float] = field(default_factory=list)
    idle_p99: list[float] = field(default_factory=list)
    busy_rps: list[float] = field(default_factory=list)
    busy_p99: list[float] = field(default_factory=list)
    reruns_per_s: list[float] = field(default_factory=list)


def api_with_sessions(
    run: Running, route: str, args: argparse.Namespace
) -> tuple[float, float, float]:
    """wrk on ``route`` while Streamlit sessions run (see ``--rate``); also runs/s."""
    seconds = args.seconds
    span = seconds + 2  # the sessions start a second early and stop a second late
    load = [str(args.rate), str(span), "--rate"] if args.rate else [str(args.sessions), str(span)]
    driver = subprocess.Popen(
        [*CPU_PREFIX["load"], PY, str(HERE / "sessions.py"), run.base, *load],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    rps, p99 = wrk_run(run.base + route, seconds)
    out, _ = driver.communicate(timeout=span + 60)
    if driver.returncode != 0:
        raise RuntimeError(f"{run.config.name}: the session driver failed")
    return rps, p99, int(out.strip()) / span


MIXED_ROUTES = ("/api/ping", "/api/aping")


def measure_mixed(args: argparse.Namespace) -> dict[str, Mixed]:
    """Both FluxLit modes and both routes, idle then loaded, in interleaved rounds."""
    started: list[Running] = []
    results: dict[str, Mixed] = {}
    try:
        for config in configs():
            if config.name.startswith("FluxLit"):
                print(f"starting {config.name} ...", flush=True)
                started.append(launch(config))
        for round_ in range(args.repeats):
            print(f"mixed round {round_ + 1}/{args.repeats} ...", flush=True)
            for run in started:
                for route in MIXED_ROUTES:
                    result = results.setdefault(f"{run.config.name} {route}", Mixed())
                    rps, p99 = wrk_run(run.base + route, args.seconds)
                    result.idle_rps.append(rps)
                    result.idle_p99.append(p99)
                    rps, p99, reruns = api_with_sessions(run, route, args)
                    result.busy_rps.append(rps)
                    result.busy_p99.append(p99)
                    result.reruns_per_s.append(reruns)
    finally:
        for run in started:
            stop(run)
    return results


def report_mixed(results: dict[str, Mixed]) -> None:
    med = statistics.median
    print()
    print(
        f"{'configuration':<30} {'idle req/s':>10} {'idle p99':>9} {'busy req/s':>10} "
        f"{'busy p99':>9} {'runs/s':>7}  busy/idle req/s  busy/idle p99"
    )
    for name, r in results.items():
        print(
            f"{name:<30} {med(r.idle_rps):>10.0f} {med(r.idle_p99):>7.1f}ms "
            f"{med(r.busy_rps):>10.0f} {med(r.busy_p99):>7.1f}ms {med(r.reruns_per_s):>7.1f}  "
            f"{paired_ratio(r.busy_rps, r.idle_rps):>15}  "
            f"{paired_ratio(r.busy_p99, r.idle_p99):>13}"
        )
    print("\nbusy = with the Streamlit sessions running (runs/s: script runs finished per")
    print("second); ratios are medians of per-round ratios against the same server idle in")
    print("the same round. Targets (issue 12): busy/idle req/s >= 0.90x, p99 <= 1.5x.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=9, help="wrk runs per measure (median)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads (median)")
    parser.add_argument("--no-pin", action="store_true", help="let servers and wrk use any CPU")
    parser.add_argument("--mixed", action="store_true", help="API under UI load (see above)")
    parser.add_argument("--rate", type=float, default=5, help="--mixed: new sessions per second")
    parser.add_argument("--sessions", type=int, default=20, help="--mixed --rate 0: sessions")
    parser.add_argument("--session-runs", type=int, default=5, help="one-session runs (median)")
    parser.add_argument("--burst", type=int, default=50, help="sessions opened at once")
    args = parser.parse_args()
    if args.no_pin:
        CPU_PREFIX.update(server=[], load=[], all=[])
    if args.mixed:
        report_mixed(measure_mixed(args))
        return
    report(measure_all(args), args.burst)


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(results: dict[str, Result], burst: int) -> None:
    """Print the figures of every configuration and their same-run ratios."""
    bare, direct = results["bare FastAPI"], results["direct Streamlit"]
    print()
    print(
        f"{'configuration':<20} {'API req/s':>10} {'JS req/s':>9} {'ready s':>8} {'RSS MiB':>8}"
        "  API/bare  JS/direct  ready/direct  RSS/direct"
    )
    for name, r in results.items():
        print(
            f"{name:<20} {_num(r.api_rps, '.0f'):>10} {_num(r.js_rps, '.0f'):>9} "
            f"{r.ready_s:>8.2f} {r.rss_mib:>8.0f}  "
            f"{paired_ratio(r.api_runs, bare.api_runs):>8}  "
            f"{paired_ratio(r.js_runs, direct.js_runs):>9}  "
            f"{ratio(r.ready_s, direct.ready_s):>12}  {ratio(r.rss_mib, direct.rss_mib):>10}"
        )
    print()
    print(
        f"{'configuration':<20} {'1 session ms':>12} {f'{burst} sessions s':>13} {'page s':>7}"
        "  session/direct  burst/direct  page/direct"
    )
    for name, r in results.items():
        if r.session_s is None:
            continue
        print(
            f"{name:<20} {_num(r.session_s and r.session_s * 1000, '.0f'):>12} "
            f"{_num(r.burst_s, '.2f'):>13} {_num(r.page_s, '.2f'):>7}  "
            f"{ratio(r.session_s, direct.session_s):>14}  {ratio(r.burst_s, direct.burst_s):>12}"
            f"  {ratio(r.page_s, direct.page_s):>11}"
        )
    one, several = results["FluxLit sidecar"], results[f"sidecar {WORKERS} workers"]
    print(
        f"\nAPI req/s, sidecar with {WORKERS} workers vs 1, same rounds: "
        f"{paired_ratio(several.api_runs, one.api_runs)}"
    )
    print("Values are medians; throughput ratios are medians of the per-round ratios against")
    print("the baselines measured in the same round of this run; RSS is the whole process")
    print("tree just after ready; ready is launch to API and UI both answering.")


if __name__ == "__main__":
    main()
