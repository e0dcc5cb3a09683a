"""Duplicate service lines within one claim.

Medicare's claim system denies an exact repeat of a service line (same code,
modifiers and date of service) as a duplicate (CARC 18). A service really given
twice on one day is told apart by a repeat or distinct-service modifier on the
repeat line: 76 (repeated by the same clinician), 77 (by another clinician), 59
or one of its subsets XE, XP, XS, XU. Modifiers are compared as a set, since
their order on the line does not make the service different.

Other rules that look at repeated codes (``OT-UNITS-005`` one line per timed code
per day, ``OT-EVAL-001`` one evaluation per day) call :func:`duplicate_lines` and
leave the lines reported here alone, so one mistake is reported once.

>>> import datetime as dt
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> line = {"code": "97150", "modifiers": ["GO"], "units": 1,
...         "date_of_service": "2026-03-02"}
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare",
...                          "lines": [line, line]})
>>> [(f.rule_id, f.line) for f in duplicate_line(claim, Context(claim))]
[('OT-DUP-001', 1)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = ["REPEAT_MODIFIERS", "RULES", "duplicate_line", "duplicate_lines", "repeats_a_code"]

#: Modifiers that mark a line as a deliberate repeat or a distinct service.
REPEAT_MODIFIERS: frozenset[str] = frozenset({"76", "77", "59", "XE", "XP", "XS", "XU"})

_EMPTY: Mapping[int, int] = {}


def repeats_a_code(ctx: Context) -> bool:
    """Whether any code appears on more than one line for one date of service.

    A cheap screen shared by the rules about repeated lines: most claims never
    repeat a code on a day, and those rules can then skip their work. The context
    works it out as it groups the lines (:attr:`Context.repeats`).
    """
    return ctx.repeats


def _find(ctx: Context) -> Mapping[int, int]:
    seen: dict[object, int] = {}
    found: dict[int, int] = {}
    for i, line in enumerate(ctx.claim.lines):
        mods = frozenset(line.modifiers)
        key = (line.code, line.date_of_service, mods)
        first = seen.get(key)
        if first is None:
            seen[key] = i
        elif not mods & REPEAT_MODIFIERS:
            found[i] = first
    return found


def duplicate_lines(ctx: Context) -> Mapping[int, int]:
    """Line index → index of the earlier line it duplicates (what OT-DUP-001 reports).

    Computed once per check and shared with the rules that must not report the
    same line again.
    """
    if not ctx.repeats:
        return _EMPTY  # the usual claim: not worth a memo entry
    return ctx.memo("duplicates.lines", _find, ctx)


@rule(
    "OT-DUP-001",
    Severity.ERROR,
    summary="The same code, modifiers and date of service on two lines, with no repeat modifier",
    source=(
        "CMS duplicate-claim edits (CARC 18, exact duplicate claim/service); NGS and FCSO "
        "guidance on 76/77/59/X{EPSU} for repeated services; CMS Pub 100-04 ch.5 §20.2 "
        "(timed units per code per day on one line)"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def duplicate_line(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Report the second (and any later) copy of a service line."""
    found = duplicate_lines(ctx)
    if not found:
        return ()
    out: list[Problem] = []
    for i, first in found.items():
        line = claim.lines[i]
        mods = "-".join(line.modifiers) or "no modifiers"
        code = ctx.code(i)
        if code is not None and code.timed:
            fix = (
                f"Report the day's units of {line.code} on line {first} alone and delete "
                "this line; a timed code takes one line per date of service"
            )
        else:
            fix = (
                "Delete this line if it was entered twice; if the service really was given "
                "again that day, add 76 (same clinician), 77 (another clinician) or XE "
                "(separate encounter)"
            )
        out.append(
            Problem(
                f"Line {i} repeats line {first}: {line.code} ({mods}) on "
                f"{line.date_of_service.isoformat()}; the payer will deny it as a duplicate.",
                line=i,
                fix=fix,
            )
        )
    return out


RULES: tuple[Rule, ...] = (duplicate_line,)
