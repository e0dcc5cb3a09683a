"""Medicare timely filing: a claim must reach Medicare within one calendar year of the DOS.

For services from 2010-01-01, 42 CFR 424.44 (as amended under ACA §6404) bars payment
unless the claim is filed no later than 12 months, one calendar year, after the date of
service; Pub 100-04 ch.1 §70 dates a professional line by its own date of service and
moves the deadline for a February 29 service to February 28 of the next year. A late
claim is denied with CARC 29, and that denial is not an initial determination, so it
cannot be appealed.

Definitions:

- **Deadline** (:func:`filing_deadline`): the same month and day one year after the date
  of service (Feb 29 → Feb 28); a claim received *on* the deadline is timely.
- **Filed on**: ``submitted_on`` when given. Without it the claim has not been filed yet,
  so it is judged against today (``ctx.today``): if the deadline for a line has already
  passed, no filing from now on can be timely, and OT-FILE-001 reports it with the same
  severity (error) as a late submission. A host re-checking an old, already filed claim
  should pass its ``submitted_on``.
- **Deadline near** (OT-FILE-002, our own advice, not a CMS rule): an unfiled claim whose
  deadline for some line is 0 to 30 days away. Medicare counts the contractor's receipt
  date, and a claim rejected as unprocessable does not count as filed, so a claim sent
  on the last days has no room for a correction.

Both rules apply to Medicare claims only; commercial and Medicaid limits vary by plan.

>>> import datetime as dt
>>> filing_deadline(dt.date(2024, 2, 29)), filing_deadline(dt.date(2025, 3, 2))
(datetime.date(2025, 2, 28), datetime.date(2026, 3, 2))
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> claim = Claim.from_dict({
...     "claim_id": "C-1", "payer": "medicare", "submitted_on": "2026-03-03",
...     "lines": [{"code": "97530", "units": 1, "date_of_service": "2025-03-02"}]})
>>> for f in filed_late(claim, Context(claim, Settings())):
...     print(f.rule_id, f.line, f.message)
OT-FILE-001 0 date of service 2025-03-02: the Medicare filing deadline was 2026-03-02,
the claim was submitted on 2026-03-03
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = ["RULES", "WARN_DAYS", "deadline_near", "filed_late", "filing_deadline"]

_NO_PROBLEMS: tuple[Problem, ...] = ()

#: How many days before the deadline OT-FILE-002 starts warning.
WARN_DAYS = 30
# Every deadline is at least this many days after its date of service (Feb 29 → Feb 28
# is the shortest year), so a claim filed within it needs no per-line look.
_SHORTEST_LIMIT_DAYS = 365

_SOURCE = (
    "42 CFR 424.44(a) (filed no later than 1 calendar year after the date of service); "
    "SSA §§1814(a), 1835(a), 1842(b) as amended by ACA §6404; CMS Pub 100-04 ch.1 §70 "
    "(line date of service; Feb 29 → Feb 28); CARC 29"
)


def filing_deadline(date_of_service: _dt.date) -> _dt.date:
    """The last day Medicare accepts a claim for a service on ``date_of_service`` as timely."""
    if date_of_service.month == 2 and date_of_service.day == 29:
        return _dt.date(date_of_service.year + 1, 2, 28)
    if date_of_service.year >= _dt.MAXYEAR:
        return _dt.date.max  # no later date to represent; never raise on odd input
    return date_of_service.replace(year=date_of_service.year + 1)


@rule(
    "OT-FILE-001",
    Severity.ERROR,
    summary="Medicare claim filed more than one calendar year after the date of service",
    source=_SOURCE,
    payers=("medicare",),
)
def filed_late(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines whose deadline is before ``submitted_on`` (or before today when unfiled)."""
    if ctx.payer != "medicare":
        return _NO_PROBLEMS
    submitted = claim.submitted_on
    filed = submitted if submitted is not None else ctx.today
    by_date = ctx.lines_by_date
    if (filed - ctx.first_date).days <= _SHORTEST_LIMIT_DAYS:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for day, indexes in by_date.items():
        deadline = filing_deadline(day)
        if filed <= deadline:
            break  # dates ascend, and so do their deadlines
        if submitted is not None:
            message = (
                f"date of service {day}: the Medicare filing deadline was {deadline}, "
                f"the claim was submitted on {submitted}"
            )
        else:
            message = (
                f"date of service {day}: the Medicare filing deadline passed on {deadline} "
                f"(today is {filed}); the claim can no longer be filed on time"
            )
        for i in indexes:
            out.append(
                Problem(
                    message,
                    line=i,
                    fix=(
                        "Medicare denies it (CO-29, not appealable); file only if an exception "
                        "of Pub 100-04 ch.1 §70.7 applies (administrative error, retroactive "
                        "entitlement, ...), with its evidence"
                    ),
                )
            )
    return out


@rule(
    "OT-FILE-002",
    Severity.WARNING,
    summary="Unfiled Medicare claim within 30 days of its filing deadline",
    source=(
        "otcoding advice, not a CMS rule: 42 CFR 424.44 counts the contractor's receipt "
        "date, and a claim rejected as unprocessable is not filed (CMS Pub 100-04 ch.1 §70)"
    ),
    payers=("medicare",),
)
def deadline_near(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines of a claim without ``submitted_on`` whose deadline is 0-30 days away."""
    if ctx.payer != "medicare" or claim.submitted_on is not None:
        return _NO_PROBLEMS
    today = ctx.today
    by_date = ctx.lines_by_date
    if (today - ctx.first_date).days < _SHORTEST_LIMIT_DAYS - WARN_DAYS:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for day, indexes in by_date.items():
        left = (filing_deadline(day) - today).days
        if left < 0:
            continue  # OT-FILE-001 reports it
        if left > WARN_DAYS:
            break
        when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
        for i in indexes:
            out.append(
                Problem(
                    f"date of service {day}: the Medicare filing deadline ({filing_deadline(day)}) "
                    f"is {when}",
                    line=i,
                    fix=(
                        "submit the claim now, leaving time to correct a rejection before "
                        "the deadline"
                    ),
                )
            )
    return out


RULES: tuple[Rule, ...] = (filed_late, deadline_near)
