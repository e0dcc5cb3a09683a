"""Units against minutes: the 8-minute rule, once-per-session codes, one line per timed code.

For each date of service the timed (15-minute) lines are grouped by code, their
units and minutes summed, and the billing compared with what the minutes
support under the rule set's unit method (:attr:`Context.unit_method`): the CMS
total-time method for Medicare, the CPT per-code midpoint method otherwise. The
arithmetic is :func:`otcoding.units.compare`; under the CMS method a billing that
matches any valid tie-break passes (20 + 20 minutes may be 2 + 1 either way).

* ``OT-UNITS-001`` error: a code billed for more units than the minutes support.
* ``OT-UNITS-002`` warning: fewer units billed than the minutes support (revenue left).
* ``OT-UNITS-003`` warning: a timed line with no minutes, so its units cannot be
  checked. Under the CMS method the day's pool of minutes is then incomplete, so
  no timed line of that day is judged; under the CPT method only that code is skipped.
* ``OT-UNITS-004`` error: a once-per-session untimed code billed with more than
  1 unit on a line (:data:`ONE_PER_SESSION`).
* ``OT-UNITS-005`` error (Medicare): the same timed code on more than one line for a
  date of service, on claims received on or after 2021-04-19. A line split by the
  assistant modifier CO/CQ is allowed (CMS's CQ/CO billing examples split units that
  way), and lines already reported as exact duplicates (``OT-DUP-001``) are left out.

Lines whose code is unknown or not in effect (``ctx.code(i) is None``) are skipped
here: the codes rules report them. Untimed minutes never count toward timed
minutes. Codes billed in other time blocks (97545, 97550, 96112, ...) are not
15-minute codes and are not judged by the 8-minute rule. Timed minutes are pooled
per date of service across the claim; CMS text on pooling per discipline was not
found (medicare-rules.md §1.5, UNCONFIRMED), and an OT claim carries one discipline.

>>> import datetime as dt
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> def line(code, units, minutes):
...     return {"code": code, "modifiers": ["GO"], "units": units, "minutes": minutes,
...             "date_of_service": "2026-03-02"}
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare",
...     "lines": [line("97110", 3, 33), line("97140", 0, 7)]})
>>> ctx = Context(claim, Settings(today=dt.date(2026, 3, 10)))
>>> [(f.rule_id, f.line) for f in units_over(claim, ctx)]
[('OT-UNITS-001', 0)]
>>> [(f.rule_id, f.line) for f in units_under(claim, ctx)]
[('OT-UNITS-002', 1)]
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from otcoding.findings import Severity
from otcoding.units import MAX_MINUTES, Comparison, LineComparison, _fits, compare
from otcoding.validators._core import Context, Problem, Rule, rule
from otcoding.validators.duplicates import duplicate_lines

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = [
    "ONE_LINE_PER_DAY_FROM",
    "ONE_PER_SESSION",
    "RULES",
    "one_per_session",
    "timed_code_split",
    "timed_without_minutes",
    "units_over",
    "units_under",
]

#: Untimed codes billed as exactly one unit per session (per line).
#:
#: Evaluations and re-evaluations (97161–97168), group therapy (97150), supervised
#: modalities (97010–97028) and their Medicare substitute G0283, and the swallowing
#: codes 92526/92610: service-based codes whose descriptor has no time and no count
#: (CMS Pub 100-04 ch.5 §20.2; CMS Transmittal 1019 chart of codes billable once per
#: discipline per day; MUE 1 for each). Untimed codes counted per item are left to the
#: MUE rules instead, since several units can be right: 95851 (each extremity), 29130
#: and 29131 (each finger), 97598 (each further 20 sq cm), 96110 (each instrument).
ONE_PER_SESSION: frozenset[str] = frozenset(
    {
        "97161",
        "97162",
        "97163",
        "97164",
        "97165",
        "97166",
        "97167",
        "97168",
        "97150",
        "97010",
        "97012",
        "97014",
        "97016",
        "97018",
        "97022",
        "97024",
        "97026",
        "97028",
        "G0283",
        "92526",
        "92610",
    }
)

#: Claims received on or after this date are rejected when a timed code is on more
#: than one line for a date of service (MAC FCSO, "Counting units for therapy services").
ONE_LINE_PER_DAY_FROM = _dt.date(2021, 4, 19)

# Assistant modifiers: CMS's CQ/CO examples bill one code's units on two lines, with
# and without the modifier, so such a split is not a duplicate line.
_ASSISTANT = frozenset({"CO", "CQ"})

_METHOD_NAMES = {"cms": "CMS total-time method", "cpt": "CPT per-code midpoint method"}
_NO_PROBLEMS: tuple[Problem, ...] = ()


class _Day(NamedTuple):
    on: _dt.date
    comparison: Comparison
    over: tuple[LineComparison, ...]
    under: tuple[LineComparison, ...]
    first_line: Mapping[str, int]  # code -> first line billing it that day


class _Analysis(NamedTuple):
    days: tuple[_Day, ...]  # only days whose billing is not supportable
    missing: tuple[int, ...]  # timed lines with no minutes
    skipped: frozenset[_dt.date]  # CMS days not judged because minutes are missing


_CLEAN = _Analysis((), (), frozenset())


# Small: only days billed wrong get here, each entry holds a whole comparison (about a
# kilobyte), and the mistakes that repeat are few; a larger cache grew a long audit's
# memory for few more hits.
@functools.lru_cache(maxsize=512)
def _verdict(
    method: str, billed: tuple[tuple[str, int], ...], minutes: tuple[tuple[str, int], ...]
) -> tuple[Comparison, tuple[LineComparison, ...], tuple[LineComparison, ...]] | None:
    """``None`` when the day's timed billing is supportable, else the comparison and its misses.

    Reached only for days :func:`otcoding.units._fits` could not pass at once. Only
    timed codes reach here (the rule has looked each one up already), so
    ``lookup=False`` spares a second lookup. The answer depends on nothing but the
    arguments and is frozen, so one cache serves every claim and thread; days repeat
    a great deal across claims (97530 × 2 for 30 minutes, ...).
    """
    comparison = compare(billed, minutes, method=method, lookup=False)
    over = tuple(ln for ln in comparison.lines if ln.billed > ln.supportable)
    under = tuple(ln for ln in comparison.lines if ln.billed < ln.supportable)
    if not over and not under:
        return None
    return comparison, over, under


def _analyse(ctx: Context) -> _Analysis:
    """Group each date's timed lines by code, and judge the day.

    Not cached per claim: whole claims rarely repeat (their dates differ), so such a
    cache missed nearly always and its key cost more than this walk. The costly step,
    comparing a day that does not fit, is cached in :func:`_verdict`.
    """
    codes = ctx.codes
    lines = ctx.claim.lines
    method = ctx.unit_method
    days: list[_Day] = []
    missing: list[int] = []
    skipped: set[_dt.date] = set()
    for on, indexes in ctx.lines_by_date.items():
        if len(indexes) == 1:
            # One line that day, the most common case: its units fit when they are the
            # chart's units for its minutes, by either method (what _fits finds for a
            # single code), so no day needs building.
            i = indexes[0]
            code = codes[i]
            if code is None or not code.timed:
                continue
            line = lines[i]
            mins = line.minutes
            if mins is not None and line.units == (0 if mins < 8 else (mins + 7) // 15):
                continue
        elif not ctx.repeats:
            # Several lines, none repeating a code (the usual day): each timed line is
            # its code's billing, so the day is judged as it is read, without the
            # grouping below (which a day missing minutes, or not fitting, still gets).
            billed_of: dict[str, int] = {}
            minutes_of: dict[str, int] = {}
            day_total = 0
            for i in indexes:
                code = codes[i]
                if code is None or not code.timed:
                    continue
                line = lines[i]
                mins = line.minutes
                if mins is None:
                    break
                billed_of[line.code] = line.units
                minutes_of[line.code] = mins
                day_total += mins
            else:
                if not billed_of or day_total > MAX_MINUTES or _fits(method, billed_of, minutes_of):
                    continue
        billed: dict[str, int] = {}
        minutes: dict[str, int] = {}
        first: dict[str, int] = {}
        no_minutes: set[str] | None = None
        total = 0
        for i in indexes:
            code = codes[i]
            if code is None or not code.timed:
                continue
            line = lines[i]
            name, mins = line.code, line.minutes
            if name in billed:
                billed[name] += line.units
            else:
                billed[name] = line.units
                minutes[name] = 0
                first[name] = i
            if mins is None:
                missing.append(i)
                if no_minutes is None:
                    no_minutes = set()
                no_minutes.add(name)
            else:
                minutes[name] += mins
                total += mins
        if not billed:
            continue  # no timed line on this date
        if no_minutes:
            if method == "cms":
                skipped.add(on)
                continue
            for name in no_minutes:
                del billed[name], minutes[name]
            if not billed:
                continue
        if total > MAX_MINUTES or max(billed.values()) > MAX_MINUTES:
            # More minutes than a day has, or more units of one code than a day has
            # minutes (lines repeating a code, their units summed): a data error no
            # unit count can fix, and the comparison would be meaningless (it refuses
            # such figures), so the day is left unjudged. The repeat rules report it.
            continue
        if _fits(method, billed, minutes):
            continue
        verdict = _verdict(method, tuple(billed.items()), tuple(minutes.items()))
        if verdict is not None:
            days.append(_Day(on, *verdict, first))
    if not days and not missing:
        return _CLEAN
    return _Analysis(tuple(days), tuple(sorted(missing)), frozenset(skipped))


def _analysis(ctx: Context) -> _Analysis:
    return ctx.memo("units.analysis", _analyse, ctx)


def _plural(n: int, word: str = "unit") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _basis(comparison: Comparison) -> str:
    allocation = comparison.allocation
    parts = ", ".join(f"{code} {m} min" for code, m in allocation.minutes.items())
    if comparison.method == "cms":
        return (
            f"{parts}: {allocation.timed_minutes} timed min → "
            f"{_plural(allocation.timed_units)} ({_METHOD_NAMES['cms']})"
        )
    return f"{parts} ({_METHOD_NAMES['cpt']})"


def _billing(comparison: Comparison) -> str:
    shown = [f"{ln.code} × {ln.supportable}" for ln in comparison.lines if ln.supportable]
    return ", ".join(shown) if shown else "no timed units"


def _mismatches(days: tuple[_Day, ...], *, over: bool) -> list[Problem]:
    """One problem per code billed over (or under) what its day's minutes support."""
    out: list[Problem] = []
    for day in days:
        comparison = day.comparison
        for ln in day.over if over else day.under:
            why = f" ({ln.reason})" if ln.reason else ""
            if over:
                gap = f"over by {ln.difference}{why}"
            else:
                gap = f"under by {-ln.difference}, revenue left unbilled{why}"
            out.append(
                Problem(
                    f"{ln.code} on {day.on.isoformat()} is billed for {_plural(ln.billed)} "
                    f"but the minutes support {ln.supportable}: {gap}. "
                    f"Minutes: {_basis(comparison)}.",
                    line=day.first_line[ln.code],
                    fix=f"Bill {ln.code} × {ln.supportable} (the day: {_billing(comparison)})",
                )
            )
    return out


@rule(
    "OT-UNITS-001",
    Severity.ERROR,
    summary="Timed code billed for more units than its minutes support (8-minute rule)",
    source=(
        "CMS Pub 100-04 ch.5 §20.2 (Medicare total-time method); AMA CPT time rule, "
        "midpoint per code (other payers)"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def units_over(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Over-billing per code per date of service, against the nearest valid allocation."""
    days = _analysis(ctx).days
    return _mismatches(days, over=True) if days else _NO_PROBLEMS


@rule(
    "OT-UNITS-002",
    Severity.WARNING,
    summary="Timed code billed for fewer units than its minutes support (revenue left)",
    source=(
        "CMS Pub 100-04 ch.5 §20.2 (a service of at least 15 minutes is billed for at least "
        "one unit); AMA CPT time rule, midpoint per code (other payers)"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def units_under(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Under-billing per code per date of service."""
    days = _analysis(ctx).days
    return _mismatches(days, over=False) if days else _NO_PROBLEMS


@rule(
    "OT-UNITS-003",
    Severity.WARNING,
    summary="Timed line without minutes: its units cannot be checked",
    source=(
        "CMS Pub 100-02 ch.15 §220.3 (total timed-code minutes must be documented); "
        "CMS Pub 100-04 ch.5 §20.2"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def timed_without_minutes(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Say which timed lines lack minutes, and what could not be checked because of it."""
    analysis = _analysis(ctx)
    if not analysis.missing:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i in analysis.missing:
        line = claim.lines[i]
        on = line.date_of_service
        if on in analysis.skipped:
            scope = (
                f"the day's timed minutes are incomplete, so no timed line on {on.isoformat()} "
                "was checked against the 8-minute rule"
            )
        else:
            scope = f"the units of {line.code} were not checked against the 8-minute rule"
        out.append(
            Problem(
                f"{line.code} is a timed code billed for {_plural(line.units)} with no minutes; "
                f"{scope}.",
                line=i,
                fix="Add the documented treatment minutes for this code",
            )
        )
    return out


@rule(
    "OT-UNITS-004",
    Severity.ERROR,
    summary="Once-per-session untimed code billed with more than 1 unit on a line",
    source=(
        "CMS Pub 100-04 ch.5 §20.2 (untimed codes: 1 unit however long the service); "
        "CMS Transmittal 1019 (2006) once-per-day therapy codes; CMS NCCI MUE value 1"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def one_per_session(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Evaluations, 97150, supervised modalities, G0283, 92526, 92610: one unit each."""
    if ONE_PER_SESSION.isdisjoint(ctx.line_codes):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        if line.units > 1 and line.code in ONE_PER_SESSION and ctx.code(i) is not None:
            out.append(
                Problem(
                    f"{line.code} is an untimed code billed once per session, however long it "
                    f"took, but this line bills {line.units} units.",
                    line=i,
                    fix=f"Bill {line.code} × 1",
                )
            )
    return out


def _received(claim: Claim, ctx: Context) -> _dt.date:
    # The rule keys on the date the MAC receives the claim; submitted_on is the
    # nearest fact the claim carries, and a claim still being checked goes out today.
    return claim.submitted_on or ctx.today


@rule(
    "OT-UNITS-005",
    Severity.ERROR,
    summary="Medicare: the same timed code on more than one line for one date of service",
    source=(
        "CMS Pub 100-04 ch.5 §20.2 (units of a timed code per calendar day); MAC FCSO "
        "'Counting units for therapy services': claims received on or after 2021-04-19 are "
        "rejected unless each timed code is on a single line per date of service"
    ),
    payers=("medicare",),
)
def timed_code_split(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Report the second and later lines of a timed code on one date of service."""
    if ctx.payer != "medicare" or not ctx.repeats:
        return _NO_PROBLEMS
    lines = claim.lines
    if _received(claim, ctx) < ONE_LINE_PER_DAY_FROM and ctx.last_date < ONE_LINE_PER_DAY_FROM:
        return _NO_PROBLEMS
    duplicates = duplicate_lines(ctx)
    out: list[Problem] = []
    for on, indexes in ctx.lines_by_date.items():
        if len(indexes) < 2:
            continue
        first: dict[tuple[str, bool], int] = {}
        for i in indexes:
            code = ctx.code(i)
            if code is None or not code.timed:
                continue
            line = lines[i]
            key = (line.code, not _ASSISTANT.isdisjoint(line.modifiers))
            earlier = first.get(key)
            if earlier is None:
                first[key] = i
                continue
            if i in duplicates:
                continue
            same = [j for j in indexes if j <= i and (lines[j].code, key[1]) == key]
            units = sum(lines[j].units for j in same)
            minutes = [lines[j].minutes for j in same]
            documented = (
                f", {sum(m for m in minutes if m is not None)} min" if None not in minutes else ""
            )
            out.append(
                Problem(
                    f"{line.code} on {on.isoformat()} is already billed on line {earlier}; "
                    "Medicare rejects a timed code reported on more than one line for a date "
                    "of service.",
                    line=i,
                    fix=(
                        f"Report {line.code} once for {on.isoformat()}, on line {earlier}, with "
                        f"the day's total units ({units} as billed{documented}), and delete "
                        "this line"
                    ),
                )
            )
    return out


RULES: tuple[Rule, ...] = (
    units_over,
    units_under,
    timed_without_minutes,
    one_per_session,
    timed_code_split,
)
