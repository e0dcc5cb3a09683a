"""Discipline modifiers: GO on occupational therapy lines, and never GP or GN.

GO marks a service under an outpatient occupational therapy plan of care, GP
under a physical therapy plan, GN under a speech-language pathology plan; a line
takes exactly one, matching its plan of care (CMS Pub 100-04 ch.5 §20.1). Every
claim otcoding checks is an OT claim, so GP and GN are always wrong here.

* ``OT-DISC-001`` (Medicare and Medicaid) a therapy code with no discipline
  modifier. For an *always therapy* code it is an error from 2018-01-01, when CR
  10176 began returning such claims, and a warning for earlier dates of service
  (the requirement existed; the edit did not). For a *sometimes therapy* code it is
  a warning: the modifier is required when the service is given under a therapy
  plan of care, which is the normal case for an OT, but the sometimes-therapy
  designations in the code table rest on secondary sources (code-tables.md §1).
* ``OT-DISC-002`` GP or GN on a line of an OT claim.
* ``OT-DISC-003`` more than one discipline modifier on a line.
* ``OT-DISC-004`` a physical therapy evaluation code (97161–97164) on an OT claim;
  CR 10176 ties those codes to GP, and the OT evaluations are 97165–97168.

Each line gets at most one of these findings: a PT evaluation code is reported by
``OT-DISC-004`` alone, and a line with several discipline modifiers by
``OT-DISC-003`` alone.

>>> import datetime as dt
>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context, Settings
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97530", "modifiers": ["GP"], "units": 2, "minutes": 30,
...      "date_of_service": "2026-03-02"}]})
>>> [f.fix for f in wrong_discipline(claim, Context(claim, Settings(today=dt.date(2026, 3, 10))))]
['Replace GP with GO']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from otcoding.findings import Severity
from otcoding.validators._core import Context, Problem, Rule, rule

if TYPE_CHECKING:
    from otcoding.claim import Claim

__all__ = [
    "CR_10176_FROM",
    "DISCIPLINES",
    "PT_EVALUATIONS",
    "RULES",
    "missing_go",
    "pt_evaluation",
    "several_disciplines",
    "wrong_discipline",
]

#: Discipline modifier → the plan of care it marks.
DISCIPLINES: Mapping[str, str] = {
    "GO": "occupational therapy",
    "GP": "physical therapy",
    "GN": "speech-language pathology",
}
_DISCIPLINE_SET = frozenset(DISCIPLINES)
_NOT_OT = frozenset({"GP", "GN"})

#: Physical therapy evaluation codes and their OT counterparts at the same level.
PT_EVALUATIONS: Mapping[str, str] = {
    "97161": "97165",
    "97162": "97166",
    "97163": "97167",
    "97164": "97168",
}

#: CR 10176 (Transmittal 3814): claims without the required therapy modifier are
#: returned for dates of service from this day.
CR_10176_FROM = _dt.date(2018, 1, 1)

_DISCIPLINE_PAYERS = frozenset({"medicare", "medicaid"})
_NO_PROBLEMS: tuple[Problem, ...] = ()


@rule(
    "OT-DISC-001",
    Severity.ERROR,
    summary="Medicare/Medicaid: therapy code without the GO discipline modifier",
    source=(
        "CMS Pub 100-04 ch.5 §20.1 (therapy modifiers on every therapy-list code); "
        "CR 10176 / Transmittal 3814 (claims returned from 2018-01-01)"
    ),
    payers=("medicare", "medicaid"),
)
def missing_go(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Always-therapy codes need GO (error from 2018); sometimes-therapy codes warn."""
    if ctx.payer not in _DISCIPLINE_PAYERS:
        return _NO_PROBLEMS
    for line in claim.lines:
        if _DISCIPLINE_SET.isdisjoint(line.modifiers):
            break
    else:
        return _NO_PROBLEMS  # the usual claim: every line has its discipline modifier
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        if not _DISCIPLINE_SET.isdisjoint(line.modifiers):
            continue
        code = ctx.code(i)
        if code is None or code.therapy is None or line.code in PT_EVALUATIONS:
            continue
        if code.therapy == "always":
            enforced = line.date_of_service >= CR_10176_FROM
            severity = None if enforced else Severity.WARNING
            text = f"{line.code} is an always-therapy code and has no discipline modifier"
            text += (
                "; the claim will be returned."
                if enforced
                else "; required, though claims were not returned for it before 2018-01-01."
            )
        else:
            severity = Severity.WARNING
            text = (
                f"{line.code} is a sometimes-therapy code and has no discipline modifier; "
                "given by an OT under an OT plan of care it needs GO."
            )
        out.append(Problem(text, line=i, fix="Add GO", severity=severity))
    return out


@rule(
    "OT-DISC-002",
    Severity.ERROR,
    summary="GP (physical therapy) or GN (speech-language pathology) on an OT claim",
    source="CMS Pub 100-04 ch.5 §20.1 (GO, GP and GN mark the OT, PT and SLP plans of care)",
    payers=("medicare", "medicaid", "commercial"),
)
def wrong_discipline(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """GP/GN on a line that otherwise carries a single discipline modifier."""
    if ctx.modifiers.isdisjoint(_NOT_OT):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        mods = line.modifiers
        if "GP" in mods:
            wrong = "GP"
        elif "GN" in mods:
            wrong = "GN"
        else:
            continue
        # Several disciplines are OT-DISC-003's finding, a PT evaluation OT-DISC-004's.
        if "GO" in mods or ("GP" in mods and "GN" in mods) or line.code in PT_EVALUATIONS:
            continue
        out.append(
            Problem(
                f"{line.code} carries {wrong}, which marks a {DISCIPLINES[wrong]} plan of care; "
                "occupational therapy services take GO.",
                line=i,
                fix=f"Replace {wrong} with GO",
            )
        )
    return out


@rule(
    "OT-DISC-003",
    Severity.ERROR,
    summary="More than one discipline modifier (GO, GP, GN) on a line",
    source=(
        "CMS Pub 100-04 ch.5 §20.1 (one discipline modifier per line, matching its plan of care)"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def several_disciplines(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """Two disciplines on one line: the service belongs to one plan of care."""
    if ctx.modifiers.isdisjoint(_NOT_OT):
        return _NO_PROBLEMS  # GO alone is never several
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        mods = line.modifiers
        if len(mods) < 2 or ("GP" not in mods and "GN" not in mods):
            continue
        found = sorted({m for m in mods if m in _DISCIPLINE_SET})
        if len(found) < 2 or line.code in PT_EVALUATIONS:
            continue
        drop = [m for m in found if m != "GO"]
        # Without GO on the line there is nothing to keep: GO replaces them.
        fix = (
            f"Keep GO and remove {', '.join(drop)}"
            if "GO" in found
            else f"Replace {' and '.join(drop)} with GO"
        )
        out.append(
            Problem(
                f"{line.code} carries {' and '.join(found)}: one line, one discipline.",
                line=i,
                fix=fix,
            )
        )
    return out


@rule(
    "OT-DISC-004",
    Severity.ERROR,
    summary="Physical therapy evaluation code (97161–97164) on an OT claim",
    source=(
        "CR 10176 / Transmittal 3814 (PT evaluations 97161–97164 require GP; OT evaluations "
        "97165–97168 require GO); AMA CPT 2017 evaluation codes"
    ),
    payers=("medicare", "medicaid", "commercial"),
)
def pt_evaluation(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """A PT evaluation billed by an OT practice."""
    if ctx.line_codes.isdisjoint(PT_EVALUATIONS):
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        counterpart = PT_EVALUATIONS.get(line.code)
        if counterpart is None or ctx.code(i) is None:
            continue
        if counterpart == "97168":
            kind, ot_codes = "re-evaluation", counterpart
        else:
            kind, ot_codes = "evaluation", "97165–97167"
        out.append(
            Problem(
                f"{line.code} is a physical therapy {kind} code (billed with GP); an "
                f"occupational therapy {kind} is {ot_codes}.",
                line=i,
                fix=(
                    f"Bill the OT {kind} that matches the documented complexity "
                    f"(the level of {line.code} corresponds to {counterpart}) with GO"
                ),
            )
        )
    return out


RULES: tuple[Rule, ...] = (missing_go, wrong_discipline, several_disciplines, pt_evaluation)
