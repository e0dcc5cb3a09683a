"""Therapy-assistant rules (Medicare): the CO modifier and its pairing with GO.

Since 2020-01-01 a Medicare outpatient therapy service furnished *in whole or in
part* by an occupational therapy assistant must carry CO (CQ for a physical
therapist assistant), and since 2022-01-01 such services are paid at 85% (SSA
§1834(v), added by BBA 2018 §53107). "In part" means the assistant's own minutes
are more than 10% of the service's minutes (the de minimis standard, CY2020 PFS
final rule, 84 FR 62702–62707); 10% or less, and CO must not be used.

The claim format carries ``assistant_minutes`` per line, so the 10% test is made
per line. CMS applies it per billed 15-minute unit; a line over 10% always has a
unit over 10%, so the line test never flags a correct line, but it can miss a unit
where the assistant's minutes are concentrated. These rules are Medicare's: CQ/CO
is a Medicare statute (some other payers adopted it; enable them per payer).

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97535", "modifiers": ["GO"], "units": 2, "minutes": 30,
...      "assistant_minutes": 20, "date_of_service": "2026-03-02"}]})
>>> [(f.rule_id, f.line) for f in assistant_without_co(claim, Context(claim))]
[('OT-ASST-001', 0)]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from otcoding.claim import Claim
from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

__all__ = [
    "RULES",
    "assistant_modifier_mismatch",
    "assistant_without_co",
    "co_without_assistant",
]

_NO_PROBLEMS: tuple[Problem, ...] = ()

#: First date of service on which CQ/CO is required on Medicare claims.
REQUIRED_FROM = _dt.date(2020, 1, 1)
_SOURCE = (
    "SSA §1834(v) (BBA 2018 §53107); CY2020 PFS final rule 84 FR 62702–62707 (de minimis "
    "10% standard, modifiers required from 2020-01-01); CY2022 PFS 86 FR 64996 (85% "
    "payment from 2022-01-01); CMS 'Billing examples using CQ/CO modifiers' page; "
    "Pub 100-04 ch.5 §20.1"
)
_MEDICARE = ("medicare",)
_ASSISTANT = frozenset({"CO", "CQ"})


def _over_de_minimis(assistant: int, minutes: int) -> bool:
    # Integer form of assistant / minutes > 10%, exact at the boundary.
    return assistant * 10 > minutes


@rule(
    "OT-ASST-001",
    Severity.ERROR,
    summary="OT assistant furnished more than 10% of a line's minutes and the line lacks CO",
    source=_SOURCE,
    payers=_MEDICARE,
)
def assistant_without_co(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """More than 10% of the minutes by an assistant, from 2020, requires CO."""
    for line in claim.lines:
        if line.assistant_minutes:
            break
    else:
        return _NO_PROBLEMS  # the usual claim: no line has assistant minutes
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        assistant, minutes = line.assistant_minutes, line.minutes
        if (
            not assistant
            or not minutes
            or line.date_of_service < REQUIRED_FROM
            or not _over_de_minimis(assistant, minutes)
            or "CO" in line.modifiers
            or "CQ" in line.modifiers  # the wrong assistant modifier is OT-ASST-003
        ):
            continue
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service}: the OT assistant furnished {assistant} of "
                f"{minutes} minutes ({assistant * 100 // minutes}%, over the 10% de minimis "
                "standard) but the line has no CO modifier",
                line=i,
                fix=f"add CO (with GO) to {line.code}; if the therapist alone furnished whole "
                "15-minute units, bill those units on a separate line without CO",
            )
        )
    return out


@rule(
    "OT-ASST-002",
    Severity.WARNING,
    summary="CO on a line where the assistant furnished 10% or less of the minutes",
    source=_SOURCE,
    payers=_MEDICARE,
)
def co_without_assistant(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """CO cuts payment to 85%; it does not belong on a line the therapist furnished."""
    if "CO" not in ctx.modifiers:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        assistant = line.assistant_minutes
        if "CO" not in line.modifiers or assistant is None:
            continue  # no assistant_minutes: nothing to judge by
        if assistant == 0:
            detail = "assistant_minutes is 0"
        elif line.minutes and not _over_de_minimis(assistant, line.minutes):
            detail = (
                f"the assistant furnished {assistant} of {line.minutes} minutes, "
                "10% or less (the de minimis standard: do not apply CO)"
            )
        else:
            continue
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service} carries CO but {detail}; CO lowers the "
                "payment to 85% from 2022",
                line=i,
                fix=f"remove CO from {line.code} if the occupational therapist furnished the "
                "service, or correct assistant_minutes",
            )
        )
    return out


@rule(
    "OT-ASST-003",
    Severity.ERROR,
    summary="CQ (PT assistant) on an OT line, or CO without GO",
    source=_SOURCE + "; CQ pairs with GP and CO with GO",
    payers=_MEDICARE,
)
def assistant_modifier_mismatch(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """The assistant modifier must match the discipline modifier."""
    if ctx.modifiers.isdisjoint(_ASSISTANT):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        mods = line.modifiers
        if "CQ" in mods and "GP" not in mods:
            out.append(
                Problem(
                    f"{line.code} on {line.date_of_service} carries CQ, the physical therapist "
                    "assistant modifier; an occupational therapy assistant's service takes CO",
                    line=i,
                    fix="replace CQ with CO (and keep GO)",
                )
            )
        if "CO" in mods and "GO" not in mods:
            out.append(
                Problem(
                    f"{line.code} on {line.date_of_service} carries CO without GO; CO marks an "
                    "OT assistant's service and goes with the OT discipline modifier GO",
                    line=i,
                    fix="add GO to the line (and remove GP/GN if present)",
                )
            )
    return out


RULES: tuple[Rule, ...] = (assistant_without_co, co_without_assistant, assistant_modifier_mismatch)
