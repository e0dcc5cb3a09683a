"""The ``otcoding`` command line (also ``python -m otcoding``).

Each subcommand lives in its own module here with two functions:
``register(subparsers)`` adds its parser and sets ``func`` to its ``run(args) -> int``.
Exit codes: 0 success / no error findings, 1 error findings, 2 unusable input,
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from otcoding import __version__
from otcoding.errors import OTCodingError

__all__ = ["build_parser", "main"]

# Subcommand modules, in the order --help lists them.
_COMMANDS: tuple[str, ...] = ("units", "lookup", "check", "audit")

_EPILOG = """examples:
  otcoding units 97110=33 97140=7
  otcoding lookup 97168 --on 2026-03-02
  otcoding check claim.json --format json
  otcoding audit --example
  otcoding audit export.csv -o findings.csv
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="otcoding",
        description="Check occupational-therapy billing before the claim leaves the clinic.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"otcoding {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMANDS:
        module = importlib.import_module(f"otcoding.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args.func(args)
    except OTCodingError as exc:
        print(f"otcoding: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("otcoding: interrupted", file=sys.stderr)
        return 130
    return code
