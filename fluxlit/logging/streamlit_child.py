"""Start ``streamlit`` with a log format applied first: the sidecar child's entry.

    python -m fluxlit.logging.streamlit_child --log-format json --log-level info -- run app.py ...

The gateway passes its log format on the command line, so Streamlit's first line (its
startup banner) is already in the parent's format; what follows ``--`` is exactly
what ``python -m streamlit`` would get.
"""

from __future__ import annotations

import argparse
import runpy
import sys

from fluxlit.logging.output import use_json_output


def child_command(log_format: str, log_level: str, streamlit_args: list[str]) -> list[str]:
    """The command running ``python -m streamlit STREAMLIT_ARGS`` in ``log_format``."""
    return [
        sys.executable,
        "-m",
        "fluxlit.logging.streamlit_child",
        "--log-format",
        log_format,
        "--log-level",
        log_level,
        "--",
        *streamlit_args,
    ]


def main(argv: list[str] | None = None) -> None:
    """Apply the log format, then run Streamlit's command line with the rest."""
    parser = argparse.ArgumentParser(prog="fluxlit.logging.streamlit_child")
    parser.add_argument("--log-format", choices=["text", "json"], required=True)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    rest = args.streamlit_args[1:] if args.streamlit_args[:1] == ["--"] else args.streamlit_args
    if args.log_format == "json":
        use_json_output(args.log_level)
    sys.argv = ["streamlit", *rest]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
