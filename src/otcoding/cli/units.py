"""``otcoding units``: minutes per code in, billable units and the reasoning out.

otcoding units 97110=33 97140=7 [--method cms|cpt] [--on DATE] [--format text|json]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from otcoding.errors import InvalidInputError
from otcoding.units import METHODS, Allocation, allocate

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``units`` subcommand to the dispatcher's subparsers."""
    parser = subparsers.add_parser(
        "units",
        help="turn minutes per code into billable units (8-minute rule)",
        description=(
            "Allocate a day's timed minutes to billable units, with the reasoning. "
            "cms: Medicare total-time method (Pub 100-04 ch.5 §20.2); "
            "cpt: per-code midpoint method, no pooling."
        ),
        epilog="example: otcoding units 97110=33 97140=7 --on 2026-03-02",
    )
    parser.add_argument(
        "minutes",
        nargs="+",
        metavar="CODE=MINUTES",
        help="minutes documented for a code on the day; a repeated code is summed",
    )
    parser.add_argument("--method", choices=METHODS, default="cms", help="unit method")
    parser.add_argument(
        "--on", metavar="YYYY-MM-DD", default=None, help="date of service (default: today)"
    )
    parser.add_argument(
        "--no-lookup",
        dest="lookup",
        action="store_false",
        help="treat every CODE as a timed 15-minute service label (no code tables)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _token(text: str) -> tuple[str, str]:
    code, sep, minutes = text.partition("=")
    if not sep or not code.strip():
        raise InvalidInputError("argument", text, "expected CODE=MINUTES such as 97110=33")
    return code, minutes


def _table(allocation: Allocation) -> str:
    untimed = set(allocation.untimed)
    width = max(len("Code"), *(len(code) for code in allocation.minutes))
    rows = [f"{'Code':<{width}}  Minutes  Units"]
    for code, minutes in allocation.minutes.items():
        flag = "  (untimed)" if code in untimed else ""
        rows.append(f"{code:<{width}}  {minutes:>7}  {allocation.units[code]:>5}{flag}")
    rows.append(f"{'Total':<{width}}  {'':>7}  {allocation.total_units:>5}")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    """Print the allocation; bad input raises and the dispatcher exits 2."""
    pairs = [_token(text) for text in args.minutes]
    allocation = allocate(pairs, method=args.method, on=args.on, lookup=args.lookup)
    if args.format == "json":
        print(json.dumps(allocation.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_table(allocation))
        print()
        print(allocation.explain())
    return 0
