"""NCCI rules: procedure-to-procedure (PTP) edits and Medically Unlikely Edits (MUE).

PTP edits pair a *column 1* code (paid) with a *column 2* code (denied when both are
billed for one patient on one date) unless the edit's modifier indicator is 1 and
the column-2 line carries an NCCI-associated modifier saying the services were
distinct. Only lines with the same date of service are paired. MUEs cap the units
of a code: per line (MAI 1) or per date of service, summed across lines (MAI 2 and
3). Both use the host's tables when given (``Settings.ncci`` / ``Settings.mue``, a
newer CMS quarter) and otherwise the shipped editions (PTP 2024Q2 v30.1, MUE
effective 2024-04-01; CMS replaces both every quarter).

Bypass modifiers accepted for an indicator-1 edit: 59, XE, XS, XP, XU, and anatomic
modifiers (LT/RT, F*/T*/E*, ...) when both lines carry them and they name
different sites.

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97150", "modifiers": ["GO"], "units": 1, "date_of_service": "2026-03-02"},
...     {"code": "97530", "modifiers": ["GO"], "units": 2, "date_of_service": "2026-03-02"}]})
>>> [(f.rule_id, f.line, f.fix) for f in ptp_modifier_missing(claim, Context(claim))]
[('OT-NCCI-002', 1, 'if the services were distinct, add XU (or 59) to 97530')]
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Mapping, Sequence

from otcoding.claim import Claim, ServiceLine
from otcoding.codes import MueEdit, MueTable, NcciEdit, NcciTable, mue_table, ncci_table
from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

__all__ = [
    "DISTINCT_MODIFIERS",
    "RULES",
    "mue_exceeded",
    "ptp_bypassed",
    "ptp_modifier_missing",
    "ptp_no_bypass",
]

#: Modifiers that mark a distinct procedural service (CR 8863 added the X subsets, 2015).
DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_ANATOMIC = frozenset(
    {"LT", "RT", "LC", "LD", "LM", "RC", "RI", "E1", "E2", "E3", "E4", "FA", "TA"}
    | {f"F{d}" for d in range(1, 10)}
    | {f"T{d}" for d in range(1, 10)}
)

_PTP_SOURCE = (
    "CMS Medicare NCCI practitioner PTP edits (shipped edition 2024Q2 v30.1, quarter from "
    "2024-04-01; a newer quarter via Settings.ncci); modifier indicators 0/1/9 per the NCCI "
    "Policy Manual ch.1 and APTA's NCCI guide; 59 and XE/XS/XP/XU per CR 8863 "
    "(Transmittal 1422)"
)
_MUE_SOURCE = (
    "CMS NCCI Medically Unlikely Edits, practitioner services (shipped table effective "
    "2024-04-01; a newer quarter via Settings.mue); MAI 1 per claim line, 2 per day "
    "(policy, absolute), 3 per day (clinical benchmark) per the CMS MUE page"
)


def _ncci(ctx: Context) -> NcciTable:
    return ctx.settings.ncci or ncci_table()


def _mue(ctx: Context) -> MueTable:
    return ctx.settings.mue or mue_table()


def _bypass(column1: ServiceLine, column2: ServiceLine) -> str | None:
    """The modifier on the column-2 line that claims the services were distinct."""
    for m in column2.modifiers:
        if m in DISTINCT_MODIFIERS:
            return m
    sites2 = _ANATOMIC.intersection(column2.modifiers)
    sites1 = _ANATOMIC.intersection(column1.modifiers)
    if sites1 and sites2 and sites1.isdisjoint(sites2):
        return min(sites2)
    return None


_NO_PROBLEMS: tuple[Problem, ...] = ()

# One PTP hit: (column-1 line index, column-2 line index, the edit, date).
_Hit = tuple[int, int, NcciEdit, _dt.date]


@functools.lru_cache(maxsize=8)
def _spans_by_codes(
    table: NcciTable,
) -> dict[frozenset[str], tuple[tuple[_dt.date, _dt.date], ...]]:
    """A table's memo for :func:`_edit_spans` (kept per table: a host may bring its own)."""
    return {}


def _edit_spans(table: NcciTable, codes: frozenset[str]) -> tuple[tuple[_dt.date, _dt.date], ...]:
    """The dates (first, last) of every edit that can be in force between two of ``codes``.

    Claims bill the same few combinations of codes, and the edits among them are few
    and often long ended (97530 with 97535 in 2021): a claim whose dates meet none of
    these spans has no PTP hit, whatever its lines.
    """
    memo = _spans_by_codes(table)
    found = memo.get(codes)
    if found is not None:
        return found
    ordered = sorted(codes)
    spans = []
    for k, a in enumerate(ordered):
        for b in ordered[k + 1 :]:
            for edit in table.history(a, b):
                if edit.modifier_indicator != 9:  # never in force
                    start = edit.effective_from or _dt.date.min
                    spans.append((start, edit.effective_to or _dt.date.max))
    found = tuple(spans)
    if len(memo) < 4096:  # bounded: the codes come from claims
        memo[codes] = found
    return found


def _may_hit(ctx: Context, table: NcciTable) -> bool:
    """Whether an edit between two of the claim's codes is in force on some day of it."""
    first, last = ctx.first_date, ctx.last_date
    # A loop rather than any(<generator>): no generator object per claim.
    for start, end in _edit_spans(table, ctx.line_codes):  # noqa: SIM110
        if start <= last and first <= end:
            return True
    return False


def _ptp_hits(claim: Claim, ctx: Context) -> tuple[_Hit, ...]:
    if len(ctx.line_codes) < 2:
        return ()  # equal codes are never paired
    table = _ncci(ctx)
    if not _may_hit(ctx, table):
        return ()
    lines = claim.lines
    hits: list[_Hit] = []
    for on, indexes in ctx.lines_by_date.items():
        if len(indexes) < 2:
            continue
        codes = tuple([lines[i].code for i in indexes])
        for a, b, edit in table.pairs_among(codes, on):
            i, j = indexes[a], indexes[b]
            col1, col2 = (i, j) if edit.column1 == codes[a] else (j, i)
            hits.append((col1, col2, edit, on))
    return tuple(hits)


def _hits(claim: Claim, ctx: Context) -> tuple[_Hit, ...]:
    # The three PTP rules share one pass over the pairs.
    return ctx.memo("ncci.ptp", _ptp_hits, claim, ctx)


def _with_indicator(
    claim: Claim, ctx: Context, indicator: int
) -> Sequence[tuple[int, NcciEdit, _dt.date, str | None]]:
    """The claim's PTP hits whose edit has ``indicator``: column-2 line, edit, date, and
    the modifier on column 2 that claims distinct services (or ``None``)."""
    hits = _hits(claim, ctx)
    if not hits:
        return ()  # most claims have no PTP hit at all: nothing to filter
    lines = claim.lines
    return [
        (col2, edit, on, _bypass(lines[col1], lines[col2]))
        for col1, col2, edit, on in hits
        if edit.modifier_indicator == indicator
    ]


def _pair_text(edit: NcciEdit, on: _dt.date, table: NcciTable) -> str:
    edition = edit.edition or table.edition
    why = f" ({edit.rationale.lower()})" if edit.rationale else ""
    return (
        f"{edit.column1} with {edit.column2} on {on}: NCCI PTP edit (edition {edition}) pays "
        f"column 1 {edit.column1} and denies column 2 {edit.column2}{why}"
    )


@rule(
    "OT-NCCI-001",
    Severity.ERROR,
    summary="NCCI PTP pair on one date with modifier indicator 0: no modifier can bypass it",
    source=_PTP_SOURCE,
)
def ptp_no_bypass(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Column 2 of an indicator-0 edit is denied whatever modifier it carries."""
    hits = _with_indicator(claim, ctx, 0)
    if not hits:
        return _NO_PROBLEMS
    table = _ncci(ctx)
    out: list[Problem] = []
    for col2, edit, on, carried in hits:
        note = f"; {carried} does not bypass it" if carried else ""
        out.append(
            Problem(
                f"{_pair_text(edit, on, table)}; modifier indicator 0, so no modifier can "
                f"bypass the edit{note}",
                line=col2,
                fix=f"bill {edit.column1} or {edit.column2} for {on}, not both "
                f"(only {edit.column1} is paid when both are billed)",
            )
        )
    return out


@rule(
    "OT-NCCI-002",
    Severity.ERROR,
    summary="NCCI PTP pair on one date, modifier indicator 1, column-2 line lacks 59/X{EPSU}",
    source=_PTP_SOURCE,
)
def ptp_modifier_missing(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Column 2 of an indicator-1 edit is denied unless a distinct-service modifier is on it."""
    hits = _with_indicator(claim, ctx, 1)
    if not hits:
        return _NO_PROBLEMS
    table = _ncci(ctx)
    out: list[Problem] = []
    for col2, edit, on, modifier in hits:
        if modifier is not None:
            continue
        out.append(
            Problem(
                f"{_pair_text(edit, on, table)}; modifier indicator 1, and {edit.column2} carries "
                "no 59/XE/XS/XP/XU modifier, so it will be denied",
                line=col2,
                fix=f"if the services were distinct, add XU (or 59) to {edit.column2}",
            )
        )
    return out


@rule(
    "OT-NCCI-003",
    Severity.INFO,
    summary="NCCI PTP pair bypassed with 59/X{EPSU}: documentation must show distinct services",
    source=_PTP_SOURCE,
)
def ptp_bypassed(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """A bypassed indicator-1 edit is paid only if the record supports distinct services."""
    hits = _with_indicator(claim, ctx, 1)
    if not hits:
        return _NO_PROBLEMS
    table = _ncci(ctx)
    out: list[Problem] = []
    for col2, edit, on, modifier in hits:
        if modifier is None:
            continue
        out.append(
            Problem(
                f"{_pair_text(edit, on, table)}; {modifier} on {edit.column2} bypasses it "
                "(modifier indicator 1): the documentation must show the services were distinct "
                "(separate time blocks, session, site or practitioner)",
                line=col2,
            )
        )
    return out


_MAI_TEXT = {
    1: "MAI 1: per claim line; further units on a separate line with 59/X may be paid "
    "when they were distinct",
    2: "MAI 2: per date of service, set by policy; no modifier or appeal overrides it",
    3: "MAI 3: per date of service, a clinical benchmark; units over it are denied "
    "(appealable with documentation)",
}
_DME_PREFIXES = ("A", "E", "K", "L")


def _zero_mue(code: str, edit: MueEdit, on: _dt.date, edition: str, line: int) -> Problem:
    dme = code.startswith(_DME_PREFIXES)
    where = (
        "orthotics and supplies go to the DME MAC on a DMEPOS supplier claim"
        if dme
        else "Medicare does not pay it separately to practitioners"
    )
    why = f" ({edit.rationale})" if edit.rationale else ""
    return Problem(
        f"{code} on {on}: the practitioner MUE (edition {edition}) is 0 units{why}: the code "
        f"is not payable on a practitioner claim; {where}",
        line=line,
        fix=f"remove {code} from this claim" + (" and bill it to the DME MAC" if dme else ""),
    )


@functools.lru_cache(maxsize=8)
def _fewest_units(table: MueTable) -> Mapping[str, int]:
    """Code → the fewest units any of its practitioner MUEs allows, at any date.

    What :meth:`MueTable.get` looks up (practitioner rows), reduced to one number per
    code: a day within it cannot exceed the edit in force, whatever the date. Tables
    are immutable, so the answer is kept per table.
    """
    fewest: dict[str, int] = {}
    for edit in table:
        if edit.service_type == "Practitioner":
            known = fewest.get(edit.code)
            fewest[edit.code] = edit.units if known is None else min(known, edit.units)
    return fewest


@rule(
    "OT-MUE-001",
    Severity.ERROR,
    summary="Units of a code on one date exceed the practitioner MUE (per line for MAI 1)",
    source=_MUE_SOURCE,
)
def mue_exceeded(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Units over the Medically Unlikely Edit are denied (CARC 151)."""
    table = _mue(ctx)
    fewest = _fewest_units(table)
    lines = claim.lines
    if not ctx.repeats:
        # The usual claim, screened line by line: with no code twice on a date, a day's
        # units of a code are one line's, and a line within the fewest units its code's
        # MUE ever allows is within the edit in force.
        for line in lines:
            least = fewest.get(line.code)
            if least is not None and line.units > least:
                break
        else:
            return _NO_PROBLEMS
    out: list[Problem] = []
    for on, indexes in ctx.lines_by_date.items():
        # Per code: the first line's index and the day's total units.
        totals: dict[str, list[int]] = {}
        for i in indexes:
            line = lines[i]
            if line.units:
                entry = totals.get(line.code)
                if entry is None:
                    totals[line.code] = [i, line.units]
                else:
                    entry[1] += line.units
        for code, (first, total) in totals.items():
            least = fewest.get(code)
            if least is None or total <= least:
                # No practitioner MUE for the code at any date, or the day's units are
                # within the lowest it ever has (so are each line's): nothing to look up.
                continue
            edit = table.get(code, on)
            if edit is None or (total <= edit.units and edit.mai != 1):
                continue
            edition = edit.edition or table.edition
            if edit.units == 0:
                out.append(_zero_mue(code, edit, on, edition, first))
            elif edit.mai == 1:
                for i in indexes:
                    line = lines[i]
                    if line.code == code and line.units > edit.units:
                        out.append(
                            Problem(
                                f"{code} on {on}: {line.units} units on one line exceed the "
                                f"practitioner MUE of {edit.units} (edition {edition}; "
                                f"{_MAI_TEXT[1]})",
                                line=i,
                                fix=f"bill at most {edit.units} units of {code} on this line",
                            )
                        )
            else:
                lines_text = sum(1 for i in indexes if lines[i].code == code)
                across = f" across {lines_text} lines" if lines_text > 1 else ""
                out.append(
                    Problem(
                        f"{code} on {on}: {total} units{across} exceed the practitioner MUE of "
                        f"{edit.units} per day (edition {edition}; "
                        f"{_MAI_TEXT.get(edit.mai, f'MAI {edit.mai}')})",
                        line=first,
                        fix=f"bill at most {edit.units} units of {code} for {on}",
                    )
                )
    return out


RULES: tuple[Rule, ...] = (ptp_no_bypass, ptp_modifier_missing, ptp_bypassed, mue_exceeded)
