"""Observability cost: API req/s with metrics and tracing on vs off, in one run.

In-process FluxLit servers of the gateway bench app run at once: everything off
(twice: the second shows the noise of the machine), metrics on
(``FLUXLIT_METRICS_ENABLED``), tracing on (``FLUXLIT_TRACING_ENABLED``, OpenTelemetry's
SDK recording every span and exporting it nowhere) and both. Load rounds are
interleaved as in ``bench/gateway/run.py`` (whose helpers this reuses), in an order
that rotates each round; prints the median req/s of each and the median of per-round
ratios against "off".

    python bench/observe/run.py [--seconds 3] [--repeats 9] [--no-pin]

Needs wrk (`bash tests/setup/system.sh`) and the metrics and otel extras.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GATEWAY = HERE.parent / "gateway"
sys.path.insert(0, str(GATEWAY))

from run import CPU_PREFIX, PY, Config, Running, launch, paired_ratio, stop, wrk  # noqa: E402

SETUPS = {
    "off": {},
    "off (control)": {},
    "metrics": {"FLUXLIT_METRICS_ENABLED": "true"},
    "tracing": {"FLUXLIT_TRACING_ENABLED": "true"},
    "metrics + tracing": {"FLUXLIT_METRICS_ENABLED": "true", "FLUXLIT_TRACING_ENABLED": "true"},
}


def configs() -> list[Config]:
    def command(target: str) -> list[str]:
        return [PY, "-m", "fluxlit.cli", "run", target, "--log-level", "warning"]

    path = f"{HERE}:{GATEWAY}"
    return [
        Config(
            name,
            lambda p, t=("traced_app:app" if "tracing" in name else "bench_app:app"): [
                *command(t),
                "--port",
                str(p),
            ],
            "/api/readyz",
            "/api/ping",
            ui=False,
            env={"FLUXLIT_RUNTIME_MODE": "inprocess", "PYTHONPATH": path, **env},
        )
        for name, env in SETUPS.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per run")
    parser.add_argument("--repeats", type=int, default=9, help="load rounds (median)")
    parser.add_argument("--no-pin", action="store_true", help="let servers and wrk use any CPU")
    args = parser.parse_args()
    if args.no_pin:
        CPU_PREFIX.update(server=[], load=[])
    started: list[Running] = []
    try:
        for config in configs():
            print(f"starting {config.name} ...", flush=True)
            started.append(launch(config))
        for round_ in range(args.repeats):
            print(f"load round {round_ + 1}/{args.repeats} ...", flush=True)
            shift = round_ % len(started)  # rotate the order: no setup always goes first
            for run in started[shift:] + started[:shift]:
                run.result.api_runs.append(wrk(run.base + "/api/ping", args.seconds))
    finally:
        for run in started:
            stop(run)
    off = started[0].result.api_runs
    print(f"\n{'observability':<20} {'API req/s':>10}  vs off")
    for run in started:
        runs = run.result.api_runs
        print(f"{run.config.name:<20} {statistics.median(runs):>10.0f}  {paired_ratio(runs, off)}")
    print("\ntarget: metrics cost under 5% (>= 0.95x). Medians of req/s; ratios are medians")
    print("of the per-round ratios against 'off' measured in the same round of this run.")


if __name__ == "__main__":
    main()
