"""Plan-of-care rules: certification period and progress reports (Medicare Part B).

Definitions (what the rules count, precisely):

- **Certified period** (OT-POC-001, OT-POC-002): ``certified_from`` to ``certified_to``,
  both days included. Pub 100-02 ch.15 §220.1.3 lets a certification run for the plan's
  length or 90 calendar days from the first treatment (the evaluation counts), whichever
  is less; ``certified_from`` stands for that first day. Counting the first day as day 1,
  day 90 is ``certified_from + 89 days``, so a span is too long when
  ``certified_to - certified_from + 1 > 90``. A period that ends before it begins is
  reported by OT-POC-002 too (and OT-POC-001 then stays quiet: every line would be
  "outside" an empty period). With only one bound given, OT-POC-001 checks that bound.
- **Treatment day** (OT-POC-003): a calendar day with at least one billed line, however
  many lines or sessions it has (§220.3 D counts treatment days, not visits or units).
- **Progress-report counting** (OT-POC-003): ``visits_since_progress_report`` is the
  number of treatment days *after* ``last_progress_report`` and *before* this claim's
  first date of service; this claim's own days are never in it. This claim's dates of
  service after ``last_progress_report`` are numbered on from there (a date on or before
  the report belongs to an earlier reporting period and is not judged). §220.3 D asks for
  a report at least once every 10 treatment days, so treatment days 1 to 10 of a period
  are fine (the report may be written on day 10) and every line on day 11 or later, with
  no newer report recorded, is an error. Without ``visits_since_progress_report`` the
  rule still counts this claim's days after ``last_progress_report`` (a lower bound, so
  it never guesses); with neither field it says nothing.

Initial evaluations (97165-97167) are exempt from OT-POC-001: the plan is written from
the evaluation, and an evaluation alone serves as the plan of care (§220.3).

There is deliberately no "plan of care missing" rule: ``plan_of_care`` is optional in the
claim format and the batch CSV cannot carry it, so its absence means "not supplied",
not "no plan".

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> claim = Claim.from_dict({
...     "claim_id": "C-1", "payer": "medicare",
...     "plan_of_care": {"certified_from": "2026-01-05", "certified_to": "2026-04-05"},
...     "lines": [{"code": "97530", "units": 1, "date_of_service": "2026-04-06"}]})
>>> ctx = Context(claim, Settings())
>>> [(f.rule_id, f.line) for rule in RULES for f in rule(claim, ctx)]
[('OT-POC-001', 0), ('OT-POC-002', None)]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = [
    "MAX_CERTIFIED_DAYS",
    "PROGRESS_REPORT_TREATMENT_DAYS",
    "RULES",
    "certification_too_long",
    "outside_certified_period",
    "progress_report_overdue",
]

_NO_PROBLEMS: tuple[Problem, ...] = ()

#: Longest certification, in calendar days counting both ends (Pub 100-02 ch.15 §220.1.3).
MAX_CERTIFIED_DAYS = 90
#: Most treatment days a progress-report period may hold (Pub 100-02 ch.15 §220.3 D).
PROGRESS_REPORT_TREATMENT_DAYS = 10

_INITIAL_EVALUATIONS = frozenset({"97165", "97166", "97167"})
_LAST_CERTIFIED_OFFSET = _dt.timedelta(days=MAX_CERTIFIED_DAYS - 1)


@rule(
    "OT-POC-001",
    Severity.ERROR,
    summary="Date of service outside the plan of care's certified period",
    source=(
        "CMS Pub 100-02 ch.15 §220.1.3 (certification and recertification of the plan "
        "of care); 42 CFR 424.24(c)"
    ),
    payers=("medicare",),
)
def outside_certified_period(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Each line dated before ``certified_from`` or after ``certified_to``."""
    poc = claim.plan_of_care
    if poc is None:
        return _NO_PROBLEMS
    start, end = poc.certified_from, poc.certified_to
    if start is None and end is None:
        return _NO_PROBLEMS
    if start is not None and end is not None and end < start:
        return _NO_PROBLEMS  # OT-POC-002 reports the inverted period once
    if ctx.dates_within(start, end):
        return _NO_PROBLEMS  # the first and the last date fit, so every line does
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        day = line.date_of_service
        if line.code in _INITIAL_EVALUATIONS:
            continue
        if start is not None and day < start:
            out.append(
                Problem(
                    f"date of service {day} is before the plan of care's certified period "
                    f"(certified from {start})",
                    line=i,
                    fix="get the plan certified from this date, or correct the date of service",
                )
            )
        elif end is not None and day > end:
            out.append(
                Problem(
                    f"date of service {day} is after the plan of care's certification ended "
                    f"({end})",
                    line=i,
                    fix=(
                        "get the plan recertified (dated signature of the physician/NPP) "
                        "covering this date before billing it"
                    ),
                )
            )
    return out


@rule(
    "OT-POC-002",
    Severity.ERROR,
    summary="Certification period longer than 90 calendar days, or ending before it starts",
    source=(
        "CMS Pub 100-02 ch.15 §220.1.3 (certification for the plan's duration or 90 "
        "calendar days from the first treatment, whichever is less; recertify at least "
        "every 90 days); 42 CFR 424.24(c)(4)"
    ),
    payers=("medicare",),
)
def certification_too_long(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """The certified span, both ends counted, over 90 days (or negative)."""
    poc = claim.plan_of_care
    if poc is None or ctx.payer != "medicare":
        return _NO_PROBLEMS
    start, end = poc.certified_from, poc.certified_to
    if start is None or end is None:
        return _NO_PROBLEMS
    days = (end - start).days + 1
    out: list[Problem] = []
    if days < 1:
        out.append(
            Problem(
                f"plan_of_care.certified_to ({end}) is before certified_from ({start})",
                fix="correct the certification dates from the signed plan of care",
            )
        )
    elif days > MAX_CERTIFIED_DAYS:
        # Guarded: a nonsense year-9999 start must not raise while building advice.
        last = start + _LAST_CERTIFIED_OFFSET if start < _dt.date(9999, 1, 1) else None
        limit = f" (from {start}, up to {last})" if last else ""
        out.append(
            Problem(
                f"the certified period {start} to {end} covers {days} calendar days; Medicare "
                f"certifies at most {MAX_CERTIFIED_DAYS}{limit}",
                fix="record the certification actually signed, and a recertification for the rest",
            )
        )
    return out


@rule(
    "OT-POC-003",
    Severity.ERROR,
    summary="Progress report overdue: treatment day 11 or later since the last report",
    source=(
        "CMS Pub 100-02 ch.15 §220.3 D (progress report at least once every 10 "
        "treatment days; the first period starts on the episode's first day)"
    ),
    payers=("medicare",),
)
def progress_report_overdue(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines on the 11th and later treatment days of a reporting period."""
    poc = claim.plan_of_care
    if poc is None or ctx.payer != "medicare":
        return _NO_PROBLEMS
    last = poc.last_progress_report
    count = poc.visits_since_progress_report
    if count is None:
        if last is None:
            return _NO_PROBLEMS
        count = 0  # only this claim's days after the report: a lower bound
    out: list[Problem] = []
    for day, indexes in ctx.lines_by_date.items():
        if last is not None and day <= last:
            continue
        count += 1
        if count > PROGRESS_REPORT_TREATMENT_DAYS:
            since = (
                f"the last progress report ({last})" if last is not None else "the episode began"
            )
            for i in indexes:
                out.append(
                    Problem(
                        f"{day} is treatment day {count} since {since}; Medicare needs a "
                        f"progress report at least every {PROGRESS_REPORT_TREATMENT_DAYS} "
                        "treatment days",
                        line=i,
                        fix=(
                            "record the date of the latest progress report in "
                            "plan_of_care.last_progress_report; if none was written, a clinician "
                            "writes it before these days are billed"
                        ),
                    )
                )
    return out


RULES: tuple[Rule, ...] = (
    outside_certified_period,
    certification_too_long,
    progress_report_overdue,
)
