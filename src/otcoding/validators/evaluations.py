"""OT evaluations: one per day, never with a re-evaluation, and complexity against time.

The OT evaluation codes, added in 2017, are 97165 (low complexity), 97166
(moderate), 97167 (high) and the re-evaluation 97168. Each is one unit per day (MUE
1 with MAI 2, a per-day limit set by CMS policy), and the NCCI pairs them with
modifier indicator 0, so no modifier lets two of them through on one day.

* ``OT-EVAL-001`` more than one evaluation code, or the same code twice, on one date
  of service (an initial evaluation with another initial evaluation, or 97168 with
  97168).
* ``OT-EVAL-002`` an initial evaluation (97165–97167) and a re-evaluation (97168) on
  the same date of service.
* ``OT-EVAL-003`` (info) the documented minutes of an initial evaluation sit nearer
  another level's typical time: possible up- or undercoding.

For 001 and 002 the first evaluation line of the day is taken as the one billed;
each later one is reported once, by 002 when it is of the other kind (evaluation
vs re-evaluation), otherwise by 001. A line that is an exact duplicate of an earlier
one is left to ``OT-DUP-001``.

The EVAL-003 band: CPT gives typical face-to-face times of 30, 45 and 60 minutes
for 97165, 97166 and 97167 (the table's ``typical_minutes``). Typical times are a
guide, not a requirement: the level is set by the history, the number of
performance deficits and the decision-making. So the rule only notes minutes that
lie nearer another level's typical time than the billed one's, i.e. outside the
midpoints between neighbours: 97165 up to 37 minutes, 97166 38–52, 97167 from 53
(the bands move with the table's typical times). Minutes on 97168 are not judged
(one level only).

>>> import datetime as dt
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> def line(code, minutes):
...     return {"code": code, "modifiers": ["GO"], "units": 1, "minutes": minutes,
...             "date_of_service": "2026-03-02"}
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare",
...     "lines": [line("97166", 45), line("97168", 30)]})
>>> ctx = Context(claim, Settings(today=dt.date(2026, 3, 10)))
>>> [(f.rule_id, f.line) for f in evaluation_and_reevaluation(claim, ctx)]
[('OT-EVAL-002', 1)]
>>> band_for("97167", dt.date(2026, 3, 2))
(53, None)
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from otcoding.errors import OTCodingError
from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule
from otcoding.validators.duplicates import duplicate_lines

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = [
    "INITIAL_EVALUATIONS",
    "REEVALUATION",
    "RULES",
    "band_for",
    "complexity_vs_minutes",
    "evaluation_and_reevaluation",
    "more_than_one_evaluation",
]

#: OT initial evaluations, lowest complexity first.
INITIAL_EVALUATIONS: tuple[str, ...] = ("97165", "97166", "97167")
#: The OT re-evaluation.
REEVALUATION = "97168"
_EVALUATION_CODES = frozenset((*INITIAL_EVALUATIONS, REEVALUATION))
_LEVELS = {"97165": "low", "97166": "moderate", "97167": "high"}
_PAYERS_ALL = ("medicare", "medicaid", "commercial")
_NO_PROBLEMS: tuple[Problem, ...] = ()


class _Repeat(NamedTuple):
    line: int
    first: int
    mixed: bool  # evaluation with re-evaluation (EVAL-002) rather than a second of a kind


def _repeats(ctx: Context) -> tuple[_Repeat, ...]:
    if ctx.line_codes.isdisjoint(_EVALUATION_CODES):
        return ()  # most claims bill no evaluation: not worth a memo entry
    return ctx.memo("evaluations.repeats", _find_repeats, ctx)


def _find_repeats(ctx: Context) -> tuple[_Repeat, ...]:
    lines = ctx.claim.lines
    count = 0
    for line in lines:
        if line.code in _EVALUATION_CODES:
            count += 1
    if count < 2:
        return ()
    found: list[_Repeat] = []
    duplicates: object = None
    for indexes in ctx.lines_by_date.values():
        evals = [
            i for i in indexes if lines[i].code in _EVALUATION_CODES and ctx.code(i) is not None
        ]
        if len(evals) < 2:
            continue
        if duplicates is None:
            duplicates = duplicate_lines(ctx)
        first = evals[0]
        first_is_re = lines[first].code == REEVALUATION
        for i in evals[1:]:
            if i in duplicates:  # type: ignore[operator]
                continue
            mixed = (lines[i].code == REEVALUATION) != first_is_re
            found.append(_Repeat(i, first, mixed))
    return tuple(found)


def _kind(code: str) -> str:
    return "re-evaluation" if code == REEVALUATION else "evaluation"


@rule(
    "OT-EVAL-001",
    Severity.ERROR,
    summary="More than one OT evaluation (97165–97168) of a kind on one date of service",
    source=(
        "CMS NCCI MUE 97165–97168: 1 unit per day (MAI 2, CMS policy); CMS NCCI PTP edits "
        "among 97165–97167, modifier indicator 0; CMS Transmittal 1019 (evaluations once "
        "per discipline per day)"
    ),
    payers=_PAYERS_ALL,
)
def more_than_one_evaluation(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """A second initial evaluation, or a second re-evaluation, on the same day."""
    repeats = _repeats(ctx)
    if not repeats:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for r in repeats:
        if r.mixed:
            continue
        line, first = claim.lines[r.line], claim.lines[r.first]
        same = line.code == first.code
        what = f"{line.code} again" if same else f"{line.code} as well as {first.code}"
        out.append(
            Problem(
                f"{line.date_of_service.isoformat()} bills {what} (line {r.first}); only one OT "
                f"{_kind(line.code)} is paid per day.",
                line=r.line,
                fix=(
                    "Delete this line"
                    if same
                    else "Bill the one evaluation whose complexity the documentation supports, "
                    "and delete the other"
                ),
            )
        )
    return out


@rule(
    "OT-EVAL-002",
    Severity.ERROR,
    summary="OT evaluation (97165–97167) and re-evaluation (97168) on the same date of service",
    source=(
        "CMS NCCI PTP edits 97165/97166/97167 with 97168, modifier indicator 0 (mutually "
        "exclusive); CMS Pub 100-02 ch.15 §220.1 (a re-evaluation continues an existing plan "
        "of care)"
    ),
    payers=_PAYERS_ALL,
)
def evaluation_and_reevaluation(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """An initial evaluation starts a plan of care; a re-evaluation revisits one: never both."""
    repeats = _repeats(ctx)
    if not repeats:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for r in repeats:
        if not r.mixed:
            continue
        line, first = claim.lines[r.line], claim.lines[r.first]
        out.append(
            Problem(
                f"{line.code} ({_kind(line.code)}) and {first.code} ({_kind(first.code)}, "
                f"line {r.first}) are both billed on {line.date_of_service.isoformat()}; an "
                "evaluation and a re-evaluation are never paid on the same day.",
                line=r.line,
                fix=(
                    "Bill 97168 alone if the plan of care already existed, or the initial "
                    "evaluation alone if it starts a new one"
                ),
            )
        )
    return out


@functools.lru_cache(maxsize=512)
def _typicals(on: _dt.date) -> tuple[tuple[str, int], ...]:
    from otcoding.codes import lookup

    out = []
    for code in INITIAL_EVALUATIONS:
        try:
            typical = lookup(code, on=on).typical_minutes
        except OTCodingError:
            continue
        if typical is not None:
            out.append((code, typical))
    out.sort(key=lambda pair: pair[1])
    return tuple(out)


@functools.lru_cache(maxsize=2048)
def band_for(code: str, on: _dt.date) -> tuple[int | None, int | None] | None:
    """The documented minutes (lowest, highest; ``None`` = open) that fit ``code``'s level.

    ``None`` when the code is not an initial OT evaluation with a typical time on ``on``.

    >>> import datetime as dt
    >>> [band_for(c, dt.date(2026, 3, 2)) for c in ("97165", "97166", "97168")]
    [(None, 37), (38, 52), None]
    """
    levels = _typicals(on)
    for k, (name, typical) in enumerate(levels):
        if name != code:
            continue
        # Minutes at least as near this level's typical time as a neighbour's fit it,
        # so a whole-minute midpoint counts for both levels and is never flagged.
        low = None if k == 0 else -(-(levels[k - 1][1] + typical) // 2)
        high = None if k == len(levels) - 1 else (typical + levels[k + 1][1]) // 2
        return (low, high)
    return None


@rule(
    "OT-EVAL-003",
    Severity.INFO,
    summary="OT evaluation complexity does not match the documented minutes (possible "
    "up- or undercoding)",
    source=(
        "AMA CPT 2017 OT evaluation descriptors: typically 30, 45 and 60 minutes face-to-face "
        "for 97165, 97166, 97167 (a guide, not a requirement)"
    ),
    payers=_PAYERS_ALL,
)
def complexity_vs_minutes(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Minutes nearer another level's typical time than the billed level's."""
    if ctx.line_codes.isdisjoint(_LEVELS):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        minutes = line.minutes
        if minutes is None or line.code not in _LEVELS or ctx.code(i) is None:
            continue
        band = band_for(line.code, line.date_of_service)
        if band is None:
            continue
        low, high = band
        if low is not None and minutes < low:
            direction, hint = "possible upcoding", "lower"
        elif high is not None and minutes > high:
            direction, hint = "possible undercoding", "higher"
        else:
            continue
        typical = ctx.code(i).typical_minutes  # type: ignore[union-attr]
        out.append(
            Problem(
                f"{line.code} ({_LEVELS[line.code]} complexity, typically {typical} min) is "
                f"documented at {minutes} min, nearer a {hint} level's typical time: "
                f"{direction}. Typical times are a guide; the level rests on the history, "
                "performance deficits and decision-making documented.",
                line=i,
                fix=(
                    "Check that the documented history, deficits and decision-making support "
                    f"{_LEVELS[line.code]} complexity"
                ),
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    more_than_one_evaluation,
    evaluation_and_reevaluation,
    complexity_vs_minutes,
)
