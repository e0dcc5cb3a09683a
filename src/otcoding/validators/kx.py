"""KX-threshold rules (Medicare): the therapy threshold, KX, and targeted review.

Each calendar year Medicare sets a per-beneficiary threshold for OT (a separate
bucket from PT+SLP). Once the year's allowed OT amount passes it, every further
line needs KX, attesting that the services are medically necessary and documented;
lines above it without KX are denied. KX while the total is still under the
threshold is treated as abusive. Above $3,000 a claim may be picked for targeted
medical review.

The running total is ``patient.therapy_allowed_ytd`` (what Medicare has already
allowed for OT this year, before this claim) plus this claim's lines, in order of
date of service, priced by :func:`otcoding.fees.estimate`: a **national**
non-facility estimate, not the locality amount the contractor will use, so a
crossing that is near a line boundary can fall one line earlier or later.

Lines counted: lines with GO, or always-therapy codes without a discipline
modifier; GP/GN lines belong to the PT+SLP bucket and are left out. A claim that
runs into a new calendar year restarts the total at $0 for lines in that year
(``therapy_allowed_ytd`` is the figure for the year of the claim's first date;
the new year's earlier claims are unknown, so its total is a lower bound).

When ``therapy_allowed_ytd`` is missing the rules do not guess: the claim's own
total is a lower bound of the year's total, so OT-KX-001 and OT-KX-003 still fire
when this claim alone crosses the threshold, and OT-KX-002 (which needs to know the
total is *under* the threshold) is skipped. OT-KX-002 is also skipped when a line
on or before the date could not be priced (contractor-priced or unknown codes).

Figures come from :mod:`otcoding.policy` for the year of each date of service
(``Settings.year`` pins one year). Years without a threshold (before 2018, or not
yet published) are skipped.

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare",
...     "patient": {"therapy_allowed_ytd": "2450.00"}, "lines": [
...     {"code": "97530", "modifiers": ["GO"], "units": 2, "date_of_service": "2026-03-02"}]})
>>> [(f.rule_id, f.line) for f in kx_missing(claim, Context(claim))]
[('OT-KX-001', 0)]
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from otcoding import policy
from otcoding.claim import Claim
from otcoding.errors import OTCodingError
from otcoding.fees import FeeEstimate, _full_amount, estimate
from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

__all__ = ["RULES", "kx_missing", "kx_premature", "targeted_review"]

_MEDICARE = ("medicare",)
_OTHER_BUCKET = frozenset({"GP", "GN"})
_KX_SOURCE = (
    "BBA 2018 §50202 (SSA §1833(g)); CMS Therapy Services page; MAC NGS and Noridian KX "
    "threshold articles; thresholds from otcoding.policy: 2019 CMS, 2022-2024 Noridian/NGS "
    "(HIGH), 2025 $2,410 (MEDIUM-HIGH) and 2026 $2,480 (MEDIUM) from secondary sources only, "
    "UNCONFIRMED against CMS text"
)


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


class _Step(NamedTuple):
    """One counted line in date order, with the OT total after it."""

    line: int
    year: int
    threshold: Decimal | None  # KX threshold of the year, None when not recorded
    review: Decimal | None  # targeted review threshold of the year
    before: Decimal  # total before this line (YTD lower bound + earlier lines)
    after: Decimal  # total after this line
    after_day: Decimal  # total after the last counted line of this date
    ytd: Decimal | None  # what was allowed in the year before this claim, if known
    sure: bool  # YTD known and every counted line up to the end of this date priced
    paid: bool  # the line may be paid (so KX matters on it)


_NO_PROBLEMS: tuple[Problem, ...] = ()
_THRESHOLDS: dict[int, tuple[Decimal | None, Decimal | None]] = {}


def _thresholds(year: int) -> tuple[Decimal | None, Decimal | None]:
    try:
        return _THRESHOLDS[year]
    except KeyError:
        pass
    try:
        kx: Decimal | None = policy.kx_threshold(year)
    except OTCodingError:
        kx = None
    try:
        review: Decimal | None = policy.targeted_review_threshold(year)
    except OTCodingError:
        review = None
    _THRESHOLDS[year] = (kx, review)
    return kx, review


def _counted(ctx: Context, i: int) -> bool:
    mods = ctx.claim.lines[i].modifiers
    if "GO" in mods:
        return True
    if not _OTHER_BUCKET.isdisjoint(mods):
        return False
    code = ctx.code(i)
    return code is not None and code.therapy == "always"


def _fee_estimate(claim: Claim, ctx: Context) -> FeeEstimate:
    # Shared key: any rule that needs the estimate reuses this one.
    return ctx.memo("fees.estimate", _estimate_for, claim, ctx)


def _estimate_for(claim: Claim, ctx: Context) -> FeeEstimate:
    return estimate(claim, year=ctx.settings.year)


def _nothing_to_report(claim: Claim, ctx: Context, ytd: Decimal | None) -> bool:
    """Cheap bound: no KX anywhere and even undiscounted units stay under both thresholds.

    Most claims are far from the threshold; this spares them the full estimate.
    """
    if "KX" in ctx.modifiers:
        return False
    lines = claim.lines
    year = ctx.year(lines[0].date_of_service)
    # A pinned year covers every line; otherwise each line's own year must be the
    # first's, that is the years of the claim's first and last dates (in order).
    if not ctx.settings.year and (ctx.first_date.year != year or ctx.last_date.year != year):
        return False
    bound = ytd if ytd is not None else Decimal(0)
    for line in lines:
        amount = _full_amount(line.code, year, line.units)
        if amount is None:
            return False
        bound += amount
    threshold, review = _thresholds(year)
    return (threshold is None or bound <= threshold) and (review is None or bound <= review)


def _walk(claim: Claim, ctx: Context) -> tuple[_Step, ...]:
    patient = claim.patient
    ytd = patient.therapy_allowed_ytd if patient is not None else None
    if _nothing_to_report(claim, ctx, ytd):
        return ()
    fees = _fee_estimate(claim, ctx).lines
    running = ytd if ytd is not None else Decimal(0)
    current_year: int | None = None
    sure = ytd is not None
    steps: list[_Step] = []
    for on, indexes in ctx.lines_by_date.items():
        year = ctx.year(on)
        if current_year is not None and year != current_year:
            # therapy_allowed_ytd is the first year's figure; what was allowed in the
            # new year before this claim is unknown, so only a lower bound remains.
            ytd, running, sure = None, Decimal(0), False
        current_year = year
        threshold, review = _thresholds(year)
        day: list[tuple[int, Decimal, Decimal, bool]] = []
        for i in indexes:
            if not _counted(ctx, i):
                continue
            fee = fees[i]
            sure = sure and not fee.uncertain
            before = running
            running += fee.amount
            day.append((i, before, running, fee.amount > 0 or fee.uncertain))
        steps.extend(
            _Step(i, year, threshold, review, before, after, running, ytd, sure, paid)
            for i, before, after, paid in day
        )
    return tuple(steps)


def _steps(claim: Claim, ctx: Context) -> tuple[_Step, ...]:
    return ctx.memo("kx.walk", _walk, claim, ctx)


def _basis(step: _Step) -> str:
    if step.ytd is None:
        return f"this claim's {step.year} lines alone, so at least this much"
    return f"{_money(step.ytd)} allowed earlier in the year plus this claim's lines so far"


@rule(
    "OT-KX-001",
    Severity.ERROR,
    summary="OT total for the year passes the KX threshold and the line lacks KX",
    source=_KX_SOURCE,
    payers=_MEDICARE,
)
def kx_missing(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines on and after the crossing date need KX, or they are denied.

    Every line of the date on which the total passes the threshold needs it: the
    order of lines within a date is not the order the contractor prices them in,
    so any of them may be the one that crosses (and KX on all of them is fine,
    see OT-KX-002). The result does not depend on the order of the lines.
    """
    steps = _steps(claim, ctx)
    if not steps:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for step in steps:
        threshold = step.threshold
        if threshold is None or step.after_day <= threshold or not step.paid:
            continue
        line = claim.lines[step.line]
        if "KX" in line.modifiers:
            continue
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service}: the estimated OT amount allowed in "
                f"{step.year} reaches {_money(step.after_day)} by the end of that date "
                f"({_basis(step)}; "
                f"national fee estimate), over the {step.year} KX threshold of "
                f"{_money(threshold)}; therapy lines above the threshold without KX are denied",
                line=step.line,
                fix="add KX if the service is medically necessary and the record justifies it; "
                "if not, it is not covered (issue an ABN and use GA to bill the patient)",
            )
        )
    return out


@rule(
    "OT-KX-002",
    Severity.WARNING,
    summary="KX on a line while the year's OT total is still under the KX threshold",
    source=(
        "CMS Pub 100-04 ch.5 §10.3.3 as cited in medicare-rules.md §3.2 (KX on claims with "
        "no sign the threshold will be exceeded is treated as abusive; verbatim UNCONFIRMED); "
        "FCSO notice on excessive KX use (2012); " + _KX_SOURCE
    ),
    payers=_MEDICARE,
)
def kx_premature(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """KX before the threshold is reached is an attestation the claim cannot yet make."""
    steps = _steps(claim, ctx)
    if not steps:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for step in steps:
        threshold = step.threshold
        line = claim.lines[step.line]
        if (
            "KX" not in line.modifiers
            or threshold is None
            or not step.sure
            # KX anywhere on the crossing date is fine: the order of lines within a
            # date is not the order the contractor applies them in.
            or step.after_day > threshold
        ):
            continue
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service} carries KX, but the estimated OT amount "
                f"allowed in {step.year} is {_money(step.after_day)} by the end of that date "
                f"({_basis(step)}; national fee estimate), under the KX threshold of "
                f"{_money(threshold)}; routine KX use before the threshold is treated as abusive",
                line=step.line,
                fix="remove KX until the patient's OT total passes the threshold "
                "(check therapy_allowed_ytd against the MAC's eligibility data)",
            )
        )
    return out


@rule(
    "OT-KX-003",
    Severity.INFO,
    summary="OT total for the year passes the $3,000 targeted medical review threshold",
    source=(
        "BBA 2018 §50202; CMS Therapy Services page; MAC NGS ($3,000 per bucket through "
        "2027, MEI-indexed from 2028)"
    ),
    payers=_MEDICARE,
)
def targeted_review(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Above $3,000 the claim may be selected for targeted medical review."""
    steps = _steps(claim, ctx)
    if not steps:
        return _NO_PROBLEMS
    noted: set[int] = set()
    lines = claim.lines
    out: list[Problem] = []
    for step in steps:
        review = step.review
        if review is None or step.year in noted or step.after_day <= review:
            continue
        noted.add(step.year)
        # Reported on one line of the crossing date, chosen by content, not position,
        # so that reordering the lines does not move the finding.
        on = lines[step.line].date_of_service
        index = min(
            (s.line for s in steps if lines[s.line].date_of_service == on),
            key=lambda i: (lines[i].code, lines[i].modifiers, lines[i].units, i),
        )
        line = lines[index]
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service}: the estimated OT amount allowed in "
                f"{step.year} reaches {_money(step.after_day)} by the end of that date "
                f"({_basis(step)}), over the "
                f"{_money(review)} targeted medical review threshold; the claim may be selected "
                "for review, so the record must show medical necessity for every service",
                line=index,
            )
        )
    return out


RULES: tuple[Rule, ...] = (kx_missing, kx_premature, targeted_review)
