"""Yearly Medicare policy figures for outpatient therapy, each with its citation.

Every figure is a frozen :class:`PolicyFigure` carrying ``value``, ``source`` and
``confidence`` (``HIGH``, ``MEDIUM-HIGH``, ``MEDIUM``, ``LOW``), and ``unconfirmed`` is
true where the research notes could not tie the figure to CMS or MAC text. Lookups by
year refuse years the tables do not cover (:class:`~otcoding.errors.InvalidInputError`)
rather than guessing: a rule that needs next year's figure should fail loudly.

Items marked UNCONFIRMED in the data below: the 2025 and 2026 KX thresholds (secondary
sources only), the 2018-2021 KX figures' secondary citations, the MEI-indexed targeted
review threshold from 2028 (unknown, refused), the telehealth start date 2020-03-01
(MEDIUM) and the 2026-01-31..2026-02-02 telehealth lapse (retroactive cover not confirmed
by CMS text).

>>> kx_threshold(2026)
Decimal('2480')
>>> KX_THRESHOLDS[2026].unconfirmed
True
>>> conversion_factor(2026, qualifying_apm=True)
Decimal('33.5675')
>>> import datetime as dt
>>> telehealth_window(dt.date(2025, 10, 15)).status
'lapse_retroactively_covered'
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

import attrs

from otcoding._parse import resolve_on, whole_number
from otcoding.errors import InvalidInputError

__all__ = [
    "ASSISTANT_DE_MINIMIS",
    "ASSISTANT_MODIFIERS_REQUIRED_FROM",
    "ASSISTANT_PAYMENT_RATE",
    "CONVERSION_FACTORS",
    "KX_THRESHOLDS",
    "MPPR_PE_REDUCTION",
    "TARGETED_REVIEW_THRESHOLDS",
    "TELEHEALTH_WINDOWS",
    "TIMELY_FILING_MONTHS",
    "PolicyFigure",
    "TelehealthWindow",
    "assistant_payment_rate",
    "conversion_factor",
    "kx_threshold",
    "mppr_pe_reduction",
    "targeted_review_threshold",
    "telehealth_window",
    "timely_filing_deadline",
]


@attrs.frozen(kw_only=True)
class PolicyFigure:
    """One policy figure with where it comes from and how sure we are of it."""

    value: Decimal
    source: str
    confidence: str  # HIGH | MEDIUM-HIGH | MEDIUM | LOW
    unconfirmed: bool = False
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    note: str = ""


_MR = "shared/reference/medicare-rules.md"
_NORIDIAN_KX = (
    "MAC Noridian JE per-beneficiary KX modifier thresholds "
    "(med.noridianmedicare.com/web/jea/provider-types/outpatient-therapy/"
    "per-beneficiary_kx_modifier_thresholds)"
)


def _kx(
    value: str, source: str, confidence: str, unconfirmed: bool = False, note: str = ""
) -> PolicyFigure:
    return PolicyFigure(
        value=Decimal(value),
        source=f"{source}; {_MR} §3.3, §13",
        confidence=confidence,
        unconfirmed=unconfirmed,
        note=note or "same amount for the OT bucket and the combined PT+SLP bucket",
    )


#: Per-beneficiary KX modifier threshold by calendar year (OT has its own bucket; PT and
#: SLP share one; the amount is the same). Above it, lines need KX.
KX_THRESHOLDS: Mapping[int, PolicyFigure] = MappingProxyType(
    {
        2018: _kx(
            "2010",
            "secondary: icd10monitor.medlearn.com; aapc.com; mipsacademy.com",
            "MEDIUM",
            note="former cap amount kept as the threshold by BBA 2018 §50202 (a hard cap "
            "2018-01-01..2018-02-08)",
        ),
        2019: _kx("2040", "CMS Therapy Services page (CY2019 version)", "HIGH"),
        2020: _kx("2080", "APTA 2019-11-26 fee schedule summary", "MEDIUM-HIGH"),
        2021: _kx("2110", "secondary: AAPC coding-online.net; therapycomply.com", "MEDIUM"),
        2022: _kx("2150", _NORIDIAN_KX, "HIGH"),
        2023: _kx("2230", _NORIDIAN_KX, "HIGH"),
        2024: _kx(
            "2330",
            "NGS 'KX Modifier on Outpatient PT, OT or SLP Claims CY 2024'; "
            f"{_NORIDIAN_KX}; CR 13371 / R12249CP",
            "HIGH",
        ),
        2025: _kx(
            "2410",
            "payer and vendor summaries of the CY2025 PFS rule (athelas; proactivechart)",
            "MEDIUM-HIGH",
            unconfirmed=True,
            note="UNCONFIRMED: no CMS or MAC primary text found",
        ),
        2026: _kx(
            "2480",
            "quotation of the CMS Therapy Services page; vendor summaries (proactivechart; "
            "postacutetools; alsintegratedsvc)",
            "MEDIUM",
            unconfirmed=True,
            note="UNCONFIRMED against the CY2026 PFS final rule (90 FR 49266)",
        ),
    }
)

_TMR_SOURCE = f"CMS Therapy Services page; MAC NGS; {_MR} §3.3, §13"

#: Targeted medical-review threshold ($3,000 per bucket) for 2018 through 2027. From
#: 2028 CMS indexes it by the MEI; those amounts are unknown and refused.
TARGETED_REVIEW_THRESHOLDS: Mapping[int, PolicyFigure] = MappingProxyType(
    {
        year: PolicyFigure(
            value=Decimal("3000"),
            source=_TMR_SOURCE,
            confidence="HIGH",
            note="not every claim above it is reviewed; distinct from the KX threshold",
        )
        for year in range(2018, 2028)
    }
)

_CF_2026 = (
    f"CY2026 PFS final rule CMS-1832-F, 90 FR 49266 (2025-11-05), via Part B News, AAMC; {_MR} §13"
)

#: Medicare PFS conversion factors: ``(year, qualifying_apm)`` -> figure.
CONVERSION_FACTORS: Mapping[tuple[int, bool], PolicyFigure] = MappingProxyType(
    {
        (2025, False): PolicyFigure(
            value=Decimal("32.3465"),
            source="CMS PFS Relative Value File RVU25D (CONV FACTOR column)",
            confidence="HIGH",
            note="one factor for all practitioners in 2025",
        ),
        (2025, True): PolicyFigure(
            value=Decimal("32.3465"),
            source="CMS PFS Relative Value File RVU25D (CONV FACTOR column)",
            confidence="HIGH",
            note="one factor for all practitioners in 2025",
        ),
        (2026, False): PolicyFigure(
            value=Decimal("33.4009"),
            source=_CF_2026,
            confidence="HIGH",
            note="practitioners who are not qualifying APM participants (+3.26%)",
        ),
        (2026, True): PolicyFigure(
            value=Decimal("33.5675"),
            source=_CF_2026,
            confidence="HIGH",
            note="qualifying APM participants (+3.77%)",
        ),
    }
)

#: Share of the fee schedule paid for services furnished in whole or in part by an OTA
#: or PTA (CO/CQ lines), from 2022-01-01.
ASSISTANT_PAYMENT_RATE = PolicyFigure(
    value=Decimal("0.85"),
    source="CMS 'Billing examples using CQ/CO modifiers' page; SSA §1834(v); "
    f"84 FR 62702-62707; {_MR} §3.4, §13",
    confidence="HIGH",
    effective_from=_dt.date(2022, 1, 1),
    note="85% of the otherwise applicable Part B payment; summaries saying the net effect "
    "is about 88% (the cut falling on Medicare's 80% share) are UNCONFIRMED",
)

#: CQ/CO apply when the assistant furnishes more than this share of the service's minutes
#: (per billed unit for timed codes); required on claims from 2020-01-01.
ASSISTANT_DE_MINIMIS = PolicyFigure(
    value=Decimal("0.10"),
    source=f"CY2020 PFS final rule 84 FR 62702-62707; CMS CQ/CO page; {_MR} §3.4, §13",
    confidence="HIGH",
    effective_from=_dt.date(2020, 1, 1),
    note="more than 10% of minutes; the per-unit reading is from the CY2022 rule (MEDIUM)",
)

#: First date of service on which claims must carry CQ/CO for assistant services.
ASSISTANT_MODIFIERS_REQUIRED_FROM = _dt.date(2020, 1, 1)

#: Therapy multiple-procedure payment reduction of the practice-expense part, from
#: 2013-04-01 in all settings (American Taxpayer Relief Act of 2012 §633).
MPPR_PE_REDUCTION = PolicyFigure(
    value=Decimal("0.50"),
    source=f"MAC Noridian MPPR page; ASHA 2013; APTA; {_MR} §4",
    confidence="HIGH",
    effective_from=_dt.date(2013, 4, 1),
    note="second and later units/procedures the same day; 2011-01-01..2013-03-31 the cut "
    "was 20% (non-institutional) and 25% (institutional)",
)

#: Medicare FFS claims for services from 2010-01-01 must be filed within 12 months.
TIMELY_FILING_MONTHS = PolicyFigure(
    value=Decimal("12"),
    source=f"ACA §6404; 42 CFR 424.44; MAC Noridian timely filing; {_MR} §7.1",
    confidence="HIGH",
    effective_from=_dt.date(2010, 1, 1),
    note="one calendar year after the date of service; a Feb 29 service is due by Feb 28",
)


def _year(year: object) -> int:
    return whole_number(year, field="year", minimum=1900, maximum=9999)


def _unknown_year(name: str, year: int, known: Mapping[int, PolicyFigure]) -> InvalidInputError:
    years = sorted(known)
    return InvalidInputError(
        "year", year, f"no {name} recorded for this year (known: {years[0]}-{years[-1]})"
    )


def kx_threshold(year: object) -> Decimal:
    """The KX modifier threshold for a calendar year (OT bucket; PT+SLP is the same).

    Known for 2018-2026. 2025 ($2,410) and 2026 ($2,480) are UNCONFIRMED against CMS text
    (see :data:`KX_THRESHOLDS` for each year's source and confidence).

    >>> kx_threshold(2024)
    Decimal('2330')
    >>> kx_threshold(2027)
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: year: no KX threshold recorded for this year (known:
        2018-2026), got 2027
    """
    number = _year(year)
    figure = KX_THRESHOLDS.get(number)
    if figure is None:
        raise _unknown_year("KX threshold", number, KX_THRESHOLDS)
    return figure.value


def targeted_review_threshold(year: object) -> Decimal:
    """The targeted medical-review threshold: $3,000 a year for 2018-2027.

    From 2028 CMS indexes it by the MEI; the amount is unknown (UNCONFIRMED), so those
    years raise rather than return a stale figure.

    >>> targeted_review_threshold(2026)
    Decimal('3000')
    >>> targeted_review_threshold(2028)
    Traceback (most recent call last):
    ...
    otcoding.errors.InvalidInputError: year: from 2028 the targeted review threshold is
        indexed by the MEI and the amount is not recorded (UNCONFIRMED), got 2028
    """
    number = _year(year)
    figure = TARGETED_REVIEW_THRESHOLDS.get(number)
    if figure is not None:
        return figure.value
    if number >= 2028:
        raise InvalidInputError(
            "year",
            number,
            "from 2028 the targeted review threshold is indexed by the MEI and the amount "
            "is not recorded (UNCONFIRMED)",
        )
    raise _unknown_year("targeted review threshold", number, TARGETED_REVIEW_THRESHOLDS)


def conversion_factor(year: object, *, qualifying_apm: bool = False) -> Decimal:
    """The Medicare PFS conversion factor for a year (2025, 2026).

    From 2026 qualifying APM participants have their own, higher factor.

    >>> conversion_factor(2025)
    Decimal('32.3465')
    >>> conversion_factor(2026)
    Decimal('33.4009')
    """
    number = _year(year)
    figure = CONVERSION_FACTORS.get((number, bool(qualifying_apm)))
    if figure is None:
        years = sorted({y for y, _ in CONVERSION_FACTORS})
        raise InvalidInputError(
            "year",
            number,
            f"no conversion factor recorded for this year (known: {years[0]}-{years[-1]})",
        )
    return figure.value


def assistant_payment_rate(on: object) -> Decimal:
    """Share of the fee schedule paid on a CO/CQ line for a date of service.

    ``0.85`` from 2022-01-01; ``1`` before (no differential yet).

    >>> assistant_payment_rate("2021-12-31")
    Decimal('1')
    >>> assistant_payment_rate("2022-01-01")
    Decimal('0.85')
    """
    day = resolve_on(on)
    start = ASSISTANT_PAYMENT_RATE.effective_from or _dt.date.min
    return ASSISTANT_PAYMENT_RATE.value if day >= start else Decimal("1")


def mppr_pe_reduction(on: object, *, institutional: bool = False) -> Decimal:
    """The therapy MPPR cut to the practice-expense part of later units that day.

    50% from 2013-04-01 in every setting; 20% (offices) or 25% (institutional settings)
    from 2011-01-01 to 2013-03-31; none before 2011.

    >>> mppr_pe_reduction("2026-03-02")
    Decimal('0.50')
    >>> mppr_pe_reduction("2012-06-01", institutional=True)
    Decimal('0.25')
    """
    day = resolve_on(on)
    if day >= _dt.date(2013, 4, 1):
        return MPPR_PE_REDUCTION.value
    if day >= _dt.date(2011, 1, 1):
        return Decimal("0.25") if institutional else Decimal("0.20")
    return Decimal("0")


def timely_filing_deadline(date_of_service: object) -> _dt.date:
    """Last day to file a Medicare FFS claim: one calendar year after the service.

    >>> timely_filing_deadline("2026-03-02")
    datetime.date(2027, 3, 2)
    >>> timely_filing_deadline("2024-02-29")
    datetime.date(2025, 2, 28)
    """
    day = resolve_on(date_of_service, field="date_of_service")
    if day < _dt.date(2010, 1, 1):
        raise InvalidInputError(
            "date_of_service", day.isoformat(), "the 12-month limit applies from 2010-01-01"
        )
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: CMS says file by 28 February
        return day.replace(year=day.year + 1, day=28)


@attrs.frozen(kw_only=True)
class TelehealthWindow:
    """A dated stretch of Medicare's rule for OT services furnished by telehealth.

    ``status`` is ``"allowed"``, ``"lapse_retroactively_covered"`` (a lapse later
    covered as if there had been none), ``"unresolved_lapse"`` (a lapse whose
    retroactive cover is not confirmed: warn, don't reject) or ``"not_allowed"``.
    ``start``/``end`` are inclusive; ``None`` means open-ended.
    """

    status: str
    start: _dt.date | None
    end: _dt.date | None
    citation: str
    confidence: str = "HIGH"
    unconfirmed: bool = False

    def covers(self, on: _dt.date) -> bool:
        """Whether ``on`` falls in this window."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


_AOTA = "AOTA advocacy news 2022-2026"

#: OT telehealth under Medicare: therapists are not permanent telehealth practitioners,
#: so payment rests on temporary waivers (medicare-rules.md §7.2, §13).
TELEHEALTH_WINDOWS: tuple[TelehealthWindow, ...] = (
    TelehealthWindow(
        status="not_allowed",
        start=None,
        end=_dt.date(2020, 2, 29),
        citation=f"OTs not statutory telehealth practitioners; {_MR} §7.2, §13",
    ),
    TelehealthWindow(
        status="allowed",
        start=_dt.date(2020, 3, 1),
        end=_dt.date(2025, 9, 30),
        citation=f"PHE waivers (therapists added by the April 2020 interim final rule, "
        f"retroactive to 2020-03-01: MEDIUM), extended by CAA 2022, CAA 2023 and later acts; "
        f"{_AOTA}; {_MR} §7.2, §13",
        confidence="MEDIUM",
    ),
    TelehealthWindow(
        status="lapse_retroactively_covered",
        start=_dt.date(2025, 10, 1),
        end=_dt.date(2025, 11, 12),
        citation=f"H.R. 5371 signed 2025-11-12; CMS Telehealth FAQ 2025-11-14 (as if no "
        f"lapse); {_MR} §13",
    ),
    TelehealthWindow(
        status="allowed",
        start=_dt.date(2025, 11, 13),
        end=_dt.date(2026, 1, 30),
        citation=f"H.R. 5371 extension through 2026-01-30; {_MR} §13",
    ),
    TelehealthWindow(
        status="unresolved_lapse",
        start=_dt.date(2026, 1, 31),
        end=_dt.date(2026, 2, 2),
        citation=f"CMS FAQ 'Starting January 31, 2026 ... can no longer furnish'; retroactive "
        f"cover by H.R. 7148 asserted by secondary sources only; {_MR} §7.2, §13",
        confidence="MEDIUM",
        unconfirmed=True,
    ),
    TelehealthWindow(
        status="allowed",
        start=_dt.date(2026, 2, 3),
        end=_dt.date(2027, 12, 31),
        citation=f"Consolidated Appropriations Act, 2026 (H.R. 7148) signed 2026-02-03; {_MR} §13",
    ),
    TelehealthWindow(
        status="not_allowed",
        start=_dt.date(2028, 1, 1),
        end=None,
        citation=f"waivers end 2027-12-31 unless extended again; {_MR} §13",
    ),
)


def telehealth_window(on: object) -> TelehealthWindow:
    """The telehealth window for OT covering a date of service.

    >>> telehealth_window("2026-02-01").status
    'unresolved_lapse'
    >>> telehealth_window("2027-06-01").status
    'allowed'
    >>> telehealth_window("2028-01-01").status
    'not_allowed'
    """
    day = resolve_on(on)
    for window in TELEHEALTH_WINDOWS:
        if window.covers(day):
            return window
    raise AssertionError(f"telehealth windows leave a gap at {day}")  # pragma: no cover
