"""``otcoding check``: validate one claim in the JSON claim format."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from otcoding._parse import parse_date
from otcoding.claim import Claim
from otcoding.errors import InvalidInputError
from otcoding.rulesets import for_payer

__all__ = ["register", "run"]

_EPILOG = """examples:
  otcoding check claim.json
  otcoding check claim.json --format json
  otcoding check claim.json --year 2025 --method cpt
  cat claim.json | otcoding check -
  otcoding check --example kx

exit status: 0 no error findings, 1 at least one error finding, 2 unusable input
"""


def register(subparsers: Any) -> None:
    """Add the ``check`` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="validate one claim (JSON) against its payer's rules",
        description="Validate one claim in the otcoding JSON format. The payer comes "
        "from the claim's 'payer' field.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("claim", nargs="?", help="claim JSON file, or - for standard input")
    parser.add_argument("--example", metavar="NAME", help="check a claim shipped with otcoding")
    parser.add_argument("--year", type=int, help="pin yearly figures (KX threshold, ...) to YYYY")
    parser.add_argument(
        "--method", choices=("cms", "cpt"), help="unit method (default: cms for Medicare)"
    )
    parser.add_argument("--today", help="judge 'future' dates against this date (YYYY-MM-DD)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def _load(args: argparse.Namespace) -> tuple[str, Any]:
    if args.example:
        from otcoding.examples import load_claim

        return f"example {args.example!r}", load_claim(args.example)
    if not args.claim:
        raise InvalidInputError("claim", None, "give a claim file, '-' or --example NAME")
    name = "<stdin>" if args.claim == "-" else args.claim
    try:
        if args.claim == "-":
            text = sys.stdin.read()
        else:
            with open(args.claim, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise InvalidInputError("claim", args.claim, f"cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidInputError("claim", args.claim, "file is not UTF-8 text") from None
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            "claim", name, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def run(args: argparse.Namespace) -> int:
    """Check the claim and print the report; the exit status says whether it has errors."""
    name, data = _load(args)
    claim = Claim.from_dict(data)
    today = parse_date(args.today, field="--today") if args.today else None
    ruleset = for_payer(claim.payer, year=args.year, unit_method=args.method, today=today)
    report = ruleset.check(claim)
    if args.format == "json":
        json.dump(report.to_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"{name}: {ruleset.name} rules")
        print(report)
    return 0 if report.ok else 1
