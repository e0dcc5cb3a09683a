"""``otcoding lookup``: what a code means on a date, and its history."""

from __future__ import annotations

import argparse
import datetime as _dt
import enum
import json
import sys
from typing import Any

import attrs

from otcoding._parse import resolve_on
from otcoding.errors import InvalidInputError

__all__ = ["register", "run", "to_jsonable"]

_EPILOG = """examples:
  otcoding lookup 97168
  otcoding lookup 97532 --on 2021-06-01      # deleted: says when and what replaced it
  otcoding lookup GO --table modifier
  otcoding lookup 10 --table pos --on 2026-01-15 --format json

exit status: 0 found, 2 unknown, malformed or not in effect on that date
"""


def register(subparsers: Any) -> None:
    """Add the ``lookup`` subcommand."""
    parser = subparsers.add_parser(
        "lookup",
        help="look a code up in the effective-dated tables",
        description="Look up a CPT/HCPCS procedure code, a modifier or a place of service "
        "as in effect on a date (default: today).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("code")
    parser.add_argument("--on", help="date of service, YYYY-MM-DD (default: today)")
    parser.add_argument("--table", choices=("procedure", "modifier", "pos"), default="procedure")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def to_jsonable(value: object) -> Any:
    """An attrs record (or a value inside one) as JSON-ready data."""
    if attrs.has(type(value)):
        return {k: to_jsonable(v) for k, v in attrs.asdict(value, recurse=False).items()}  # type: ignore[arg-type]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    """Print the row in effect; an unknown code raises (exit 2 via the dispatcher)."""
    from otcoding import codes

    on = resolve_on(args.on, field="--on")
    found: object
    if args.table == "modifier":
        found = codes.modifier(args.code, on=on)
    elif args.table == "pos":
        found = codes.place_of_service(args.code, on=on)
    else:
        try:
            found = codes.lookup(args.code, on=on)
        except InvalidInputError as exc:
            if len(args.code.strip()) != 2:
                raise
            # "GO" or "11" is a modifier or a place of service: say how to look it up.
            hint = "; for a modifier or a place of service add --table modifier or --table pos"
            raise InvalidInputError(exc.field, exc.value, exc.reason + hint) from None
    if args.format == "json":
        json.dump({"on": on.isoformat(), **to_jsonable(found)}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"{found}  (as of {on.isoformat()})")
        note = getattr(found, "note", "")
        source = getattr(found, "source", "")
        if note:
            print(f"  note: {note}")
        if source:
            print(f"  source: {source}")
    return 0
