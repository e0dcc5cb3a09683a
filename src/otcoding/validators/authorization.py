"""Prior-authorization rules: the authorized window and the number of visits.

Commercial plans, Medicare Advantage plans and Medicaid programs often authorize a number
of therapy visits within a window of dates; a service outside either is denied (X12
CARC 197, authorization absent, or 198, authorization exceeded). The rules check the
``authorization`` the host supplies; a claim without one gets no finding here.

Definitions (what the rules count, precisely):

- **Window** (OT-AUTH-001): ``valid_from`` to ``valid_to``, both days included; with only
  one bound given, that bound is checked. A window that ends before it begins is reported
  once for the claim instead of once per line.
- **Visit**: a calendar day with at least one billed line (the usual meaning of a visit
  authorization; authorizations counted in units are not modelled).
- **Visit counting** (OT-AUTH-002): ``visits_used`` is the number of authorized visits
  already used *before* this claim; this claim's visits are never in it. This claim's
  visits inside the window are numbered on from there, in date order (a visit outside
  the window does not draw on this authorization: OT-AUTH-001 reports it). Every line on
  a visit numbered above ``visits_authorized`` is an error, so with ``visits_used`` at or
  over ``visits_authorized`` every visit on the claim is. A missing ``visits_used`` counts
  as 0, which gives a lower bound and never a false alarm; a missing
  ``visits_authorized`` turns the rule off.

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> claim = Claim.from_dict({
...     "claim_id": "C-1", "payer": "commercial",
...     "authorization": {"visits_authorized": 12, "visits_used": 12,
...                       "valid_from": "2026-01-05", "valid_to": "2026-04-04"},
...     "lines": [{"code": "97530", "units": 1, "date_of_service": "2026-03-02"}]})
>>> [(f.rule_id, f.message) for f in visits_exceeded(claim, Context(claim, Settings()))]
[('OT-AUTH-002', 'visit on 2026-03-02 is visit 13 of 12 authorized (12 used before this claim)')]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = ["RULES", "outside_authorized_window", "visits_exceeded"]

_NO_PROBLEMS: tuple[Problem, ...] = ()

# Original Medicare rarely needs prior authorization, but Medicare Advantage and
# Medicaid plans do: whenever a host supplies an authorization, it is checked.
_PAYERS = ("medicare", "medicaid", "commercial")


@rule(
    "OT-AUTH-001",
    Severity.ERROR,
    summary="Date of service outside the prior authorization's valid dates",
    source=(
        "the payer's prior authorization (valid_from/valid_to); X12 CARC 197 "
        "(precertification/authorization absent), RARC N54"
    ),
    payers=_PAYERS,
)
def outside_authorized_window(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Each line dated outside ``valid_from``..``valid_to``."""
    auth = claim.authorization
    if auth is None:
        return _NO_PROBLEMS
    start, end = auth.valid_from, auth.valid_to
    if start is None and end is None:
        return _NO_PROBLEMS
    out: list[Problem] = []
    if start is not None and end is not None and end < start:
        out.append(
            Problem(
                f"authorization.valid_to ({end}) is before valid_from ({start}): no date of "
                "service can fall inside it",
                fix="correct the dates from the payer's authorization letter",
            )
        )
        return out
    if ctx.dates_within(start, end):
        return _NO_PROBLEMS  # the first and the last date fit, so every line does
    for i, line in enumerate(claim.lines):
        day = line.date_of_service
        if start is not None and day < start:
            out.append(
                Problem(
                    f"date of service {day} is before the authorization starts ({start})",
                    line=i,
                    fix=(
                        "ask the payer for an authorization covering this date "
                        "(often denied CO-197)"
                    ),
                )
            )
        elif end is not None and day > end:
            out.append(
                Problem(
                    f"date of service {day} is after the authorization ended ({end})",
                    line=i,
                    fix="request an extension or a new authorization before billing (CO-197)",
                )
            )
    return out


@rule(
    "OT-AUTH-002",
    Severity.ERROR,
    summary="More visits than authorized (visits used before this claim plus this claim's)",
    source=(
        "the payer's prior authorization (visits_authorized/visits_used); X12 CARC 198 "
        "(precertification/authorization exceeded)"
    ),
    payers=_PAYERS,
)
def visits_exceeded(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Lines on visits numbered above ``visits_authorized``."""
    auth = claim.authorization
    if auth is None or auth.visits_authorized is None:
        return _NO_PROBLEMS
    allowed = auth.visits_authorized
    used = auth.visits_used or 0
    by_date = ctx.lines_by_date
    if used + len(by_date) <= allowed:
        return _NO_PROBLEMS  # fast path: even counting every date, nothing is over
    start, end = auth.valid_from, auth.valid_to
    count = used
    out: list[Problem] = []
    for day, indexes in by_date.items():
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        count += 1
        if count > allowed:
            for i in indexes:
                out.append(
                    Problem(
                        f"visit on {day} is visit {count} of {allowed} authorized "
                        f"({used} used before this claim)",
                        line=i,
                        fix="ask the payer for more visits before billing this one (CO-198)",
                    )
                )
    return out


RULES: tuple[Rule, ...] = (outside_authorized_window, visits_exceeded)
