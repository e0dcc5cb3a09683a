"""Code validity: procedure codes, modifiers and places of service, on each line's date of service.

HIPAA requires the code set "valid at the time the health care is furnished"
(45 CFR 162.1000), within the dates its maintainer sets (45 CFR 162.1011), so
every code is judged on the line's date of service, never on today's date.

* ``OT-CODE-001`` the procedure code is in no table at any date.
* ``OT-CODE-002`` the code exists, but not on the date of service; the message
  says when it was deleted and what replaced it (following the chain to codes in
  effect on that date), or when it starts.
* ``OT-CODE-003`` a modifier is unknown or not in effect on the date of service.
* ``OT-CODE-004`` the place of service (line or claim) is unknown, unassigned or
  not in effect.
* ``OT-CODE-005`` (Medicare) the code has PFS status I: not valid for Medicare,
  which pays another code (97014 → G0283, 97127 → G0515).
* ``OT-CODE-006`` (Medicare, warning) the code has PFS status B: bundled, never
  paid separately (97010, 97602).

The PFS status comes from the code table's ``medicare_status`` (the CY2025 RVU
file, RVU25D; effective-dated rows carry their own status, e.g. 97127 in
2018–2019).

>>> import datetime as dt
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97532", "modifiers": ["GO"], "units": 1, "minutes": 15,
...      "date_of_service": "2021-06-01"}]})
>>> ctx = Context(claim, Settings(today=dt.date(2021, 6, 10)))
>>> [f.message for f in code_not_in_effect(claim, ctx)]  # doctest: +NORMALIZE_WHITESPACE
['97532 is not in effect on 2021-06-01: it was deleted on 2018-01-01 (last valid
  2017-12-31) and replaced by 97127, G0515; on 2021-06-01 the code in effect is
  97129/+97130.']
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from otcoding.errors import OTCodingError, UnknownCodeError
from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim
    from otcoding.codes import Code

__all__ = [
    "MEDICARE_SUBSTITUTES",
    "RULES",
    "code_not_in_effect",
    "medicare_bundled",
    "medicare_invalid",
    "modifier_not_in_effect",
    "place_of_service_invalid",
    "unknown_code",
]

#: Codes Medicare does not recognise (PFS status I) → the code Medicare pays instead.
#: 97014: CMS created G0283 for unattended e-stim (code-tables.md §1c, §2).
#: 97127: Medicare paid G0515 in 2018–2019 (medicare-rules.md §9).
MEDICARE_SUBSTITUTES: Mapping[str, str] = {"97014": "G0283", "97127": "G0515"}

_PAYERS_ALL = ("medicare", "medicaid", "commercial")
_NO_PROBLEMS: tuple[Problem, ...] = ()
_NO_LINE_PLACE = frozenset({None})


# ------------------------------------------------------------------ procedure codes


@functools.lru_cache(maxsize=2048)
def _procedure_error(code: str, on: _dt.date) -> UnknownCodeError | None:
    """Why a code is unusable on a date (``None`` if it is fine). Only reached on failure."""
    from otcoding.codes import lookup

    try:
        lookup(code, on=on)
    except UnknownCodeError as err:
        # Keep the facts, not the traceback, in the cache.
        return UnknownCodeError(
            err.code,
            table=err.table,
            on=err.on,
            effective_from=err.effective_from,
            effective_to=err.effective_to,
            replaced_by=err.replaced_by,
        )
    return None


def _in_effect_or_none(code: str, on: _dt.date) -> Code | None:
    from otcoding.codes import lookup

    try:
        return lookup(code, on=on)
    except OTCodingError:
        return None


def _successors(code: str, on: _dt.date, payer: str, depth: int = 0) -> list[Code]:
    """Codes in effect on ``on`` that descend from a deleted code's replacements."""
    from otcoding.codes import history

    out: list[Code] = []
    try:
        rows = history(code)
    except OTCodingError:
        return out
    replaced: tuple[str, ...] = ()
    for row in rows:
        if row.effective_to is not None and row.effective_to < on:
            replaced = row.replaced_by or replaced
    for successor in replaced:
        current = _in_effect_or_none(successor, on)
        if current is not None:
            if payer == "medicare" and current.medicare_status == "I":
                continue
            out.append(current)
        elif depth < 4:
            out.extend(_successors(successor, on, payer, depth + 1))
    return out


@functools.lru_cache(maxsize=1)
def _predecessors() -> Mapping[str, tuple[str, ...]]:
    from otcoding.codes import codes

    found: dict[str, list[str]] = {}
    for row in codes():
        for successor in row.replaced_by:
            if row.code not in found.setdefault(successor, []):
                found[successor].append(row.code)
    return {k: tuple(v) for k, v in found.items()}


def _code_list(codes: Iterable[Code]) -> str:
    names: list[str] = []
    for c in codes:
        name = f"+{c.code}" if c.add_on_to else c.code
        if name not in names:
            names.append(name)
    return "/".join(names)


def _find_unusable(ctx: Context) -> list[tuple[int, UnknownCodeError]]:
    out = []
    lines = ctx.claim.lines
    for i, code in enumerate(ctx.codes):
        if code is None:
            line = lines[i]
            err = _procedure_error(line.code, line.date_of_service)
            if err is not None:
                out.append((i, err))
    return out


def _unusable_lines(ctx: Context) -> list[tuple[int, UnknownCodeError]]:
    if all(ctx.codes):
        return []  # every line has its row: nothing to explain
    return ctx.memo("codes.unusable", _find_unusable, ctx)


@rule(
    "OT-CODE-001",
    Severity.ERROR,
    summary="Procedure code is not a known CPT or HCPCS Level II code",
    source=(
        "45 CFR 162.1002 (CPT and HCPCS are the HIPAA procedure code sets); "
        "AMA CPT code set; CMS HCPCS Level II file"
    ),
    payers=_PAYERS_ALL,
)
def unknown_code(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """A code found in no table, at any date."""
    unusable = _unusable_lines(ctx)
    if not unusable:
        return _NO_PROBLEMS
    return [
        Problem(
            f"{err.code} is not a CPT or HCPCS Level II code in the otcoding tables",
            line=i,
            fix="Check the code for a typing error; the OT codes are listed by `otcoding lookup`",
        )
        for i, err in unusable
        if err.effective_from is None and err.effective_to is None
    ]


@rule(
    "OT-CODE-002",
    Severity.ERROR,
    summary="Procedure code is not in effect on the date of service (deleted or not yet added)",
    source=(
        "45 CFR 162.1000(a) and 162.1011 (code valid on the date of service); AMA CPT and "
        "CMS HCPCS annual updates (e.g. 97532 deleted 2018-01-01, 97127 deleted 2020-01-01)"
    ),
    payers=_PAYERS_ALL,
)
def code_not_in_effect(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """A code used outside its effective dates, with what to bill instead."""
    unusable = _unusable_lines(ctx)
    if not unusable:
        return _NO_PROBLEMS
    out = []
    for i, err in unusable:
        on = claim.lines[i].date_of_service
        day = on.isoformat()
        if err.effective_to is not None and on > err.effective_to:
            deleted = (err.effective_to + _dt.timedelta(days=1)).isoformat()
            text = (
                f"{err.code} is not in effect on {day}: it was deleted on {deleted} "
                f"(last valid {err.effective_to.isoformat()})"
            )
            if err.replaced_by:
                text += f" and replaced by {', '.join(err.replaced_by)}"
            now = _successors(err.code, on, ctx.payer)
            replaced = {c.code for c in now}
            if now and replaced != set(err.replaced_by):
                text += f"; on {day} the code in effect is {_code_list(now)}"
            fix = (
                f"Bill {_code_list(now)} instead, as documented"
                if now
                else "Bill the code that describes the service on the date of service"
            )
            out.append(Problem(text + ".", line=i, fix=fix))
        elif err.effective_from is not None:
            text = f"{err.code} is not in effect on {day}: it starts on {err.effective_from}"
            earlier = [
                c
                for c in (_in_effect_or_none(p, on) for p in _predecessors().get(err.code, ()))
                if c is not None
            ]
            if earlier:
                text += f"; on {day} the code in effect was {_code_list(earlier)}"
                fix = f"Bill {_code_list(earlier)} for a service on {day}, or correct the date"
            else:
                fix = "Check the date of service; the code cannot be billed before it starts"
            out.append(Problem(text + ".", line=i, fix=fix))
    return out


# ------------------------------------------------------------------------ modifiers


@functools.lru_cache(maxsize=4096)
def _modifier_problem(code: str, on: _dt.date) -> str | None:
    from otcoding.codes import modifier

    try:
        modifier(code, on=on)
    except UnknownCodeError as err:
        if err.effective_to is not None:
            deleted = (err.effective_to + _dt.timedelta(days=1)).isoformat()
            return f"modifier {code} is not in effect on {on.isoformat()}: deleted {deleted}"
        if err.effective_from is not None:
            return (
                f"modifier {code} is not in effect on {on.isoformat()}: it starts on "
                f"{err.effective_from.isoformat()}"
            )
        return f"modifier {code} is not a known CPT or HCPCS modifier"
    except OTCodingError:
        return f"modifier {code!r} is malformed"
    return None


def _unbroken_spans(
    rows: Iterable[tuple[str, _dt.date | None, _dt.date | None]],
) -> Mapping[str, tuple[_dt.date, _dt.date]]:
    """Code → the one unbroken span of dates its rows are in effect on (both ends included).

    ``rows`` are (code, effective_from, effective_to). Only codes whose rows join into a
    single span are listed (a code with a gap between its rows is not), so a date
    inside the span is always valid.
    """
    dated_rows: dict[str, list[tuple[_dt.date, _dt.date]]] = {}
    for code, effective_from, effective_to in rows:
        dated_rows.setdefault(code, []).append(
            (effective_from or _dt.date.min, effective_to or _dt.date.max)
        )
    spans: dict[str, tuple[_dt.date, _dt.date]] = {}
    for code, dated in dated_rows.items():
        dated.sort()
        start, end = dated[0]
        for begin, finish in dated[1:]:
            if end < _dt.date.max and begin > end + _dt.timedelta(days=1):
                break  # a gap: some dates inside the rows' range are not in effect
            end = max(end, finish)
        else:
            spans[code] = (start, end)
    return spans


@functools.lru_cache(maxsize=1)
def _modifier_spans() -> Mapping[str, tuple[_dt.date, _dt.date]]:
    """Modifier → the one unbroken span of dates it is in effect on (see _unbroken_spans)."""
    from otcoding.codes import modifiers

    return _unbroken_spans((m.code, m.effective_from, m.effective_to) for m in modifiers())


def _modifiers_in_effect(ctx: Context) -> bool:
    """Cheap screen: every modifier of the claim is in effect from its first to last date.

    Most claims carry one or two modifiers (GO, ...) in effect for decades, so one
    span test per modifier replaces a lookup per modifier per line.
    """
    spans = _modifier_spans()
    dates = ctx.lines_by_date
    if not dates:
        return True
    first, last = ctx.first_date, ctx.last_date
    for mod in ctx.modifiers:
        span = spans.get(mod)
        if span is None or first < span[0] or span[1] < last:
            return False
    return True


@rule(
    "OT-CODE-003",
    Severity.ERROR,
    summary="Modifier is unknown or not in effect on the date of service",
    source=(
        "AMA CPT Appendix A modifiers; CMS HCPCS Level II modifier file (dated additions and "
        "terminations, e.g. GD terminated 2019-12-31); 45 CFR 162.1011"
    ),
    payers=_PAYERS_ALL,
)
def modifier_not_in_effect(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Every modifier must exist on the line's date of service."""
    if _modifiers_in_effect(ctx):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        on = line.date_of_service
        for mod in line.modifiers:
            text = _modifier_problem(mod, on)
            if text is not None:
                out.append(
                    Problem(
                        f"{line.code}: {text}",
                        line=i,
                        fix=f"Remove {mod} or replace it with the modifier valid on {on}",
                    )
                )
    return out


# --------------------------------------------------------------- place of service


@functools.lru_cache(maxsize=4096)
def _pos_problem(code: str, on: _dt.date) -> str | None:
    from otcoding.codes import place_of_service

    try:
        place_of_service(code, on=on)
    except UnknownCodeError as err:
        if err.effective_to is not None:
            deleted = (err.effective_to + _dt.timedelta(days=1)).isoformat()
            return f"place of service {code} is not in effect on {on}: it was retired on {deleted}"
        if err.effective_from is not None:
            return (
                f"place of service {code} is not in effect on {on}: it starts on "
                f"{err.effective_from.isoformat()}"
            )
        text = str(err)
        if "unassigned" in text:
            return f"place of service {code} is unassigned in the CMS code set"
        return f"place of service {code} is not a CMS place-of-service code"
    except OTCodingError:
        return f"place of service {code!r} is malformed"
    return None


@functools.lru_cache(maxsize=1)
def _place_spans() -> Mapping[str, tuple[_dt.date, _dt.date]]:
    """Place of service → the one unbroken span of dates it is in effect on (see
    _unbroken_spans); unassigned codes have no rows, so no span."""
    from otcoding.codes import places_of_service

    return _unbroken_spans((p.code, p.effective_from, p.effective_to) for p in places_of_service())


@rule(
    "OT-CODE-004",
    Severity.ERROR,
    summary="Place of service (line or claim) is unknown, unassigned or not in effect",
    source="CMS Place of Service code set; CMS Pub 100-04 ch.26 §10.5 (CMS-1500 item 24B)",
    payers=_PAYERS_ALL,
)
def place_of_service_invalid(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Line POS on its own date; the claim POS on every date of service it may cover."""
    pos = claim.place_of_service
    span = None if pos is None else _place_spans().get(pos)
    # Cheap screen: a claim POS in effect from the first date of service to the last is
    # in effect on every one of them.
    check_claim_pos = pos is not None and (
        span is None or ctx.first_date < span[0] or span[1] < ctx.last_date
    )
    # Most lines give no place of service of their own (the claim's applies).
    line_places = ctx.line_places != _NO_LINE_PLACE
    if not check_claim_pos and not line_places:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines if line_places else ()):
        line_pos = line.place_of_service
        if line_pos is not None:
            text = _pos_problem(line_pos, line.date_of_service)
            if text is not None:
                out.append(
                    Problem(
                        f"Line {i}: {text}",
                        line=i,
                        fix="Use the CMS place-of-service code for where the patient was "
                        "(11 office, 12 home, 22 outpatient hospital, 02/10 telehealth)",
                    )
                )
    if check_claim_pos:
        for on in ctx.lines_by_date:
            text = _pos_problem(pos, on)
            if text is not None:
                out.append(
                    Problem(
                        f"Claim: {text}",
                        fix="Use the CMS place-of-service code in effect on the date of service",
                    )
                )
                break
    return out


# ---------------------------------------------------------------- Medicare status


@functools.lru_cache(maxsize=4)
def _with_status(status: str) -> frozenset[str]:
    """The codes with a row of PFS ``status`` at any date.

    A cheap screen: a claim billing none of them has no line of that status, so the
    rule need not look at each line's row.
    """
    from otcoding.codes import codes

    return frozenset(row.code for row in codes() if row.medicare_status == status)


@rule(
    "OT-CODE-005",
    Severity.ERROR,
    summary="Medicare: code not valid for Medicare (PFS status I); Medicare pays another code",
    source=(
        "CMS Medicare PFS Relative Value File, status indicator I (not valid for Medicare; "
        "another code is used for reporting and payment), CY2025 RVU25D"
    ),
    payers=("medicare",),
)
def medicare_invalid(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """97014 → G0283, 97127 → G0515: the CPT code is refused by Medicare."""
    if ctx.payer != "medicare" or ctx.line_codes.isdisjoint(_with_status("I")):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, code in enumerate(ctx.codes):
        if code is None or code.medicare_status != "I":
            continue
        substitute = MEDICARE_SUBSTITUTES.get(code.code)
        text = f"{code.code} is not valid for Medicare (PFS status I)"
        if substitute:
            text += f"; Medicare pays {substitute} for this service"
            fix = f"Bill {substitute} instead of {code.code}"
        else:
            fix = "Bill the HCPCS code Medicare uses for this service"
        out.append(Problem(text + ".", line=i, fix=fix))
    return out


@rule(
    "OT-CODE-006",
    Severity.WARNING,
    summary="Medicare: bundled code (PFS status B), never paid separately",
    source=(
        "CMS Medicare PFS Relative Value File, status indicator B (bundled: payment is "
        "included in other services), CY2025 RVU25D; WPS 'always bundled' guidance"
    ),
    payers=("medicare",),
)
def medicare_bundled(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """97010 and 97602 draw no payment; the patient cannot be billed for them either."""
    if ctx.payer != "medicare" or ctx.line_codes.isdisjoint(_with_status("B")):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, code in enumerate(ctx.codes):
        if code is None or code.medicare_status != "B":
            continue
        out.append(
            Problem(
                f"{code.code} is bundled for Medicare (PFS status B): its payment is included "
                "in the other services, so the line pays nothing and the patient cannot be "
                "billed for it.",
                line=i,
                fix="Document the service; leave the line off or bill it at no charge",
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    unknown_code,
    code_not_in_effect,
    modifier_not_in_effect,
    place_of_service_invalid,
    medicare_invalid,
    medicare_bundled,
)
