"""A national Medicare fee estimate for a claim (what the KX-threshold rule adds up).

:func:`estimate` prices each service line at the **national, non-facility** Medicare
Physician Fee Schedule amount of its date-of-service year::

    (work RVU + practice-expense RVU + malpractice RVU) × conversion factor

with the therapy multiple-procedure payment reduction (MPPR) on the practice-expense
part and the 85% rate for lines an assistant furnished (CO/CQ). It is an
*estimate* of the allowed amount, good for tracking a patient against the KX and
targeted-review thresholds; it is **not** what a contractor will pay:

* **National, not locality-adjusted**: every GPCI is taken as 1.000. Real allowed
  amounts differ by payment locality, by several percent either way.
* **Non-facility** relative values whatever the place of service.
* **No** sequestration (CARC 253), deductible or coinsurance: this is the allowed
  amount, not the payment, and the thresholds count allowed amounts.
* **Relative values are CY2025** (RVU25D, the only release shipped). For any other
  year the CY2025 RVUs are combined with *that* year's conversion factor; the
  CY2026 RVUs are UNCONFIRMED (the CY2026 rule also trimmed work RVUs of
  non-time-based services by 2.5%), so 2026 amounts are approximate. Each estimate
  lists such caveats in :attr:`FeeEstimate.caveats`.
* The 2026 conversion factor is the one for practitioners who are **not**
  qualifying APM participants ($33.4009).

MPPR (Pub 100-04 ch.5 via NGS and Noridian; ATRA 2012 §633): among the codes with
multiple-procedure indicator 5 billed on one date, the single unit with the highest
practice-expense RVU (ties: the higher total) is paid in full and every other unit
gets 50% of its practice expense from 2013-04-01 (20% from 2011-01-01, the
non-institutional rate of the time). Assistant lines (CO or CQ, from 2022-01-01) are
paid at 85% of the **whole** otherwise-applicable line amount (SSA §1834(v), CMS
CQ/CO billing-examples page); the "88%" figure some summaries give is UNCONFIRMED
and not used.

>>> from otcoding.claim import Claim
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97530", "modifiers": ["GO"], "units": 2, "date_of_service": "2025-03-03"},
...     {"code": "97110", "modifiers": ["GO"], "units": 1, "date_of_service": "2025-03-03"}]})
>>> fee = estimate(claim)
>>> [str(line.amount) for line in fee.lines], str(fee.total)
(['59.19', '21.83'], '81.02')
>>> print(fee.explain().splitlines()[1])
line 0 97530 ×2 on 2025-03-03: 1 full unit at $34.61 + 1 MPPR unit at $24.58 = $59.19
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import attrs

from otcoding import policy
from otcoding.errors import OTCodingError

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = ["FeeEstimate", "LineFee", "estimate"]

CENT = Decimal("0.01")
_ZERO = Decimal(0)
#: The year of the only relative-value release shipped (RVU25D).
RVU_YEAR = 2025
_ASSISTANT_MODIFIERS = frozenset({"CO", "CQ"})
# PFS status indicators the contractor prices itself, or may pay under special
# coverage rules: they may well be paid, the national file just has no amount.
_CONTRACTOR_STATUSES = frozenset({"C", "R"})

# Line statuses (LineFee.status).
PRICED = "priced"
NOT_PAID = "not paid separately"
CONTRACTOR_PRICED = "contractor priced"
NO_RVU = "no relative values"
NO_CONVERSION_FACTOR = "no conversion factor"
# The statuses whose real amount may be above the 0 the estimate gives them.
_UNCERTAIN = frozenset({CONTRACTOR_PRICED, NO_RVU, NO_CONVERSION_FACTOR})


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@attrs.frozen(slots=True)
class _Price:
    status: str  # PFS status indicator
    work: Decimal
    pe: Decimal
    mp: Decimal
    total: Decimal
    mppr: bool  # multiple-procedure indicator 5: always-therapy MPPR applies


_PRICES: dict[str, _Price | None] = {}
_CFS: dict[int, Decimal | None] = {}


def _price(code: str) -> _Price | None:
    # Decimal conversion once per code per process: the KX rule prices every claim.
    try:
        return _PRICES[code]
    except KeyError:
        pass
    from otcoding.codes import rvu

    try:
        row = rvu(code)
    except OTCodingError:
        row = None
    found = None
    if row is not None:
        work, pe, mp = Decimal(row.work), Decimal(row.pe_nonfacility), Decimal(row.malpractice)
        found = _Price(
            status=row.status,
            work=work,
            pe=pe,
            mp=mp,
            total=work + pe + mp,
            mppr=row.mult_proc_indicator.strip() == "5",
        )
    _PRICES[code] = found
    return found


def _conversion_factor(year: int) -> Decimal | None:
    try:
        return _CFS[year]
    except KeyError:
        pass
    try:
        cf: Decimal | None = Decimal(policy.conversion_factor(year))
    except (OTCodingError, LookupError):
        cf = None
    _CFS[year] = cf
    return cf


_MPPR: dict[_dt.date, Decimal] = {}
_ASSISTANT: dict[_dt.date, Decimal] = {}


def _mppr_share(on: _dt.date) -> Decimal:
    # Non-facility estimate: the office (non-institutional) rate of 2011-2013 applies.
    try:
        return _MPPR[on]
    except KeyError:
        share = _MPPR[on] = policy.mppr_pe_reduction(on)
        return share


def _assistant_rate(on: _dt.date) -> Decimal:
    try:
        return _ASSISTANT[on]
    except KeyError:
        rate = _ASSISTANT[on] = policy.assistant_payment_rate(on)
        return rate


@attrs.frozen(kw_only=True, slots=True)
class LineFee:
    """The estimate for one service line.

    ``full_units`` are paid at ``unit_amount`` (at most one unit per date for codes
    under the therapy MPPR); ``reduced_units`` at ``reduced_unit_amount`` (practice
    expense cut by the MPPR). ``amount`` is the
    line total after the MPPR and, for assistant lines, the 85% rate.
    ``status`` is ``"priced"`` or why the line has no amount (then ``amount`` is 0).
    """

    index: int
    code: str
    date_of_service: _dt.date
    year: int
    units: int
    status: str
    amount: Decimal
    full_units: int = 0
    reduced_units: int = 0
    unit_amount: Decimal = _ZERO
    reduced_unit_amount: Decimal = _ZERO
    conversion_factor: Decimal | None = None
    assistant_rate: bool = False

    @property
    def priced(self) -> bool:
        """Whether the line has a national amount."""
        return self.status == PRICED

    @property
    def uncertain(self) -> bool:
        """Whether the real allowed amount may be more than the estimate's 0."""
        return self.status in _UNCERTAIN

    def to_dict(self) -> dict[str, Any]:
        """Plain data (money as strings)."""
        return {
            "line": self.index,
            "code": self.code,
            "date_of_service": self.date_of_service.isoformat(),
            "year": self.year,
            "units": self.units,
            "status": self.status,
            "full_units": self.full_units,
            "reduced_units": self.reduced_units,
            "unit_amount": str(self.unit_amount),
            "reduced_unit_amount": str(self.reduced_unit_amount),
            "conversion_factor": None
            if self.conversion_factor is None
            else str(self.conversion_factor),
            "assistant_rate": self.assistant_rate,
            "amount": str(self.amount),
        }

    def explain(self) -> str:
        """One line of reasoning, like a worked example."""
        head = f"line {self.index} {self.code} ×{self.units} on {self.date_of_service}"
        if not self.priced:
            return f"{head}: $0.00 ({self.status})"
        parts = []
        if self.full_units:
            parts.append(f"1 full unit at ${self.unit_amount}")
        if self.reduced_units:
            plural = "s" if self.reduced_units != 1 else ""
            parts.append(f"{self.reduced_units} MPPR unit{plural} at ${self.reduced_unit_amount}")
        text = f"{head}: {' + '.join(parts) or 'no units'}"
        if self.assistant_rate:
            text += f", × {policy.ASSISTANT_PAYMENT_RATE.value} (assistant, CO/CQ)"
        return f"{text} = ${self.amount}"


@attrs.frozen(kw_only=True, slots=True)
class FeeEstimate:
    """A claim's national Medicare fee estimate: per-line amounts and the total.

    ``unpriced`` holds the indexes of lines that contribute $0 (status not ``A``,
    no relative values, or no conversion factor for the year). ``complete`` is
    false when one of them may really be paid (contractor-priced or unknown), so
    that ``total`` is then a lower bound. ``caveats`` says what the estimate
    leaves out or approximates.
    """

    claim_id: str
    lines: tuple[LineFee, ...]
    total: Decimal
    unpriced: tuple[int, ...]
    complete: bool
    caveats: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (money as decimal strings)."""
        return {
            "claim_id": self.claim_id,
            "total": str(self.total),
            "complete": self.complete,
            "unpriced": list(self.unpriced),
            "caveats": list(self.caveats),
            "lines": [line.to_dict() for line in self.lines],
        }

    def explain(self) -> str:
        """The reasoning, line by line, then the caveats."""
        out = [f"National Medicare fee estimate for claim {self.claim_id}:"]
        out.extend(line.explain() for line in self.lines)
        bound = "" if self.complete else " (lower bound: some lines could not be priced)"
        out.append(f"total ${self.total}{bound}")
        out.extend(f"note: {c}" for c in self.caveats)
        return "\n".join(out)


_NATIONAL = (
    "national amount (every GPCI 1.000, non-facility RVUs): not adjusted to the payment "
    "locality; before sequestration, deductible and coinsurance"
)


def _caveat_rvu_year(year: int) -> str:
    text = (
        f"CY{year} amounts use the CY{RVU_YEAR} relative values (RVU25D) with the CY{year} "
        f"conversion factor; the CY{year} relative values are not shipped"
    )
    if year > RVU_YEAR:
        text += " (UNCONFIRMED; the CY2026 rule also cut work RVUs of non-time-based services)"
    return text


_CAVEAT_2026_CF = "CY2026 conversion factor is the non-qualifying-APM one ($33.4009)"
_CAVEAT_ASSISTANT = (
    "CO/CQ lines are taken at 85% of the whole line amount (SSA §1834(v)); the '88%' "
    "reading in some summaries is UNCONFIRMED and not used"
)


def estimate(claim: Claim, *, year: int | None = None) -> FeeEstimate:
    """The national non-facility Medicare fee estimate of a claim.

    ``year`` pins the conversion factor to one year (as ``Settings.year`` does for
    the rules); by default each line's date of service decides. MPPR and the
    assistant rate always follow the date of service.

    >>> from otcoding.claim import Claim
    >>> claim = Claim.from_dict({"claim_id": "C-2", "payer": "medicare", "lines": [
    ...     {"code": "97110", "modifiers": ["GO"], "units": 1, "date_of_service": "2025-06-02"}]})
    >>> str(estimate(claim).total), str(estimate(claim, year=2026).total)
    ('28.79', '29.73')
    >>> estimate(claim, year=2026).caveats[1]
    'CY2026 amounts use the CY2025 relative values (RVU25D) ... (UNCONFIRMED; ...)'
    """
    return _estimate(claim, (lambda _on: year) if year is not None else _dos_year)


def _dos_year(on: _dt.date) -> int:
    return on.year


def _estimate(claim: Claim, year_of: Callable[[_dt.date], int]) -> FeeEstimate:
    groups: dict[_dt.date, list[int]] = {}
    for i, line in enumerate(claim.lines):
        groups.setdefault(line.date_of_service, []).append(i)
    fees: list[LineFee | None] = [None] * len(claim.lines)
    years: set[int] = set()
    assistant_used = False
    for on, indexes in groups.items():
        year = year_of(on)
        years.add(year)
        for fee in _price_day(claim, on, year, indexes):
            fees[fee.index] = fee
            assistant_used = assistant_used or fee.assistant_rate
    lines = tuple(f for f in fees if f is not None)
    caveats = [_NATIONAL]
    caveats.extend(_caveat_rvu_year(y) for y in sorted(years) if y != RVU_YEAR)
    if 2026 in years:
        caveats.append(_CAVEAT_2026_CF)
    if assistant_used:
        caveats.append(_CAVEAT_ASSISTANT)
    return FeeEstimate(
        claim_id=claim.claim_id,
        lines=lines,
        total=sum((f.amount for f in lines), _ZERO),
        unpriced=tuple(f.index for f in lines if not f.priced),
        complete=not any(f.uncertain for f in lines),
        caveats=tuple(caveats),
    )


@attrs.frozen(slots=True)
class _Rate:
    """What one unit of a code is worth in one year under one MPPR share."""

    status: str
    full: Decimal = _ZERO  # a unit paid in full
    reduced: Decimal = _ZERO  # a unit after the MPPR (= full when the MPPR does not apply)
    rank: tuple[Decimal, Decimal] | None = None  # MPPR ranking key; None: not in the MPPR


_RATES: dict[tuple[str, int, Decimal], _Rate] = {}


def _rate(code: str, year: int, share: Decimal) -> _Rate:
    # Amounts depend only on (code, year, share): compute each once per process.
    key = (code, year, share)
    try:
        return _RATES[key]
    except KeyError:
        pass
    price = _price(code)
    cf = _conversion_factor(year)
    if price is None:
        rate = _Rate(NO_RVU)
    elif price.status != "A":
        rate = _Rate(CONTRACTOR_PRICED if price.status in _CONTRACTOR_STATUSES else NOT_PAID)
    elif cf is None:
        rate = _Rate(NO_CONVERSION_FACTOR)
    else:
        full = _money(price.total * cf)
        if price.mppr and share:
            reduced = _money((price.total - price.pe * share) * cf)
            rate = _Rate(PRICED, full, reduced, (price.pe, price.total))
        else:
            rate = _Rate(PRICED, full, full)
    _RATES[key] = rate
    return rate


_FULL: dict[tuple[str, int, int], Decimal | None] = {}
# Bounded: the codes come from claims, and a stream of junk must not grow it.
_FULL_SIZE = 8192


def _full_amount(code: str, year: int, units: int) -> Decimal | None:
    """The most ``units`` units of ``code`` can add in ``year``; ``None`` when unknown.

    Lets a rule bound a claim's total cheaply before pricing it in full.
    """
    # The KX rule asks for every line of every claim, and lines repeat: one lookup
    # replaces hashing the Decimal share of the _RATES key and a Decimal product.
    key = (code, year, units)
    try:
        return _FULL[key]
    except KeyError:
        pass
    rate = _rate(code, year, _ZERO)
    amount = None if rate.status in _UNCERTAIN else rate.full * units
    if len(_FULL) < _FULL_SIZE:
        _FULL[key] = amount
    return amount


def _price_day(claim: Claim, on: _dt.date, year: int, indexes: Iterable[int]) -> list[LineFee]:
    cf = _conversion_factor(year)
    share = _mppr_share(on)
    lines = claim.lines
    rates = [(i, _rate(lines[i].code, year, share)) for i in indexes]
    # The one unit paid in full: highest practice expense, then highest total; the
    # earlier line wins a full tie so the result does not depend on dict order.
    top = None
    best: tuple[Decimal, Decimal] | None = None
    for i, rate in rates:
        rank = rate.rank
        if rank is not None and lines[i].units > 0 and (best is None or rank > best):
            best, top = rank, i
    out: list[LineFee] = []
    for i, rate in rates:
        line = lines[i]
        units = line.units
        if rate.status != PRICED:
            out.append(
                LineFee(
                    index=i,
                    code=line.code,
                    date_of_service=on,
                    year=year,
                    units=units,
                    status=rate.status,
                    amount=_ZERO,
                    conversion_factor=cf,
                )
            )
            continue
        if rate.rank is None:
            full, reduced, reduced_amount = units, 0, _ZERO
            amount = rate.full * units
        else:
            full = 1 if i == top and units else 0
            reduced, reduced_amount = units - full, rate.reduced
            amount = rate.full * full + rate.reduced * reduced
        assistant = False
        if not _ASSISTANT_MODIFIERS.isdisjoint(line.modifiers):
            factor = _assistant_rate(on)
            if factor != 1:
                assistant = True
                amount = _money(amount * factor)
        out.append(
            LineFee(
                index=i,
                code=line.code,
                date_of_service=on,
                year=year,
                units=units,
                status=PRICED,
                amount=amount,
                full_units=full,
                reduced_units=reduced,
                unit_amount=rate.full,
                reduced_unit_amount=reduced_amount,
                conversion_factor=cf,
                assistant_rate=assistant,
            )
        )
    return out
