"""Telehealth rules (Medicare): waiver windows and claim coding for OT by telehealth.

Occupational therapists are not permanent Medicare telehealth practitioners; OT by
telehealth is payable only while Congress's temporary waivers are in force. The
dated windows, the lapses of 2025-10-01..2025-11-12 (covered retroactively) and of
2026-01-31..2026-02-02 (retroactive coverage UNCONFIRMED), live in
:func:`otcoding.policy.telehealth_window`; these rules read them by each line's date
of service.

A line counts as telehealth when its place of service (the line's, else the
claim's) is 02 or 10, or it carries modifier 95 (video), 93 (audio only) or GT.
Only therapy lines are judged: lines with a discipline modifier (GO/GP/GN) or an
always-therapy code.

>>> from otcoding.claim import Claim
>>> from otcoding.validators import Context
>>> claim = Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": [
...     {"code": "97535", "modifiers": ["GO", "95"], "units": 1, "minutes": 15,
...      "date_of_service": "2028-01-15", "place_of_service": "10"}]})
>>> [(f.rule_id, f.severity.value) for f in telehealth_outside_waiver(claim, Context(claim))]
[('OT-TELE-001', 'error')]
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable

from otcoding.claim import Claim
from otcoding.findings import Severity
from otcoding.policy import TelehealthWindow, telehealth_window
from otcoding.validators._core import Context, Problem, Rule, rule

__all__ = [
    "RULES",
    "TELEHEALTH_MODIFIERS",
    "TELEHEALTH_POS",
    "gt_on_professional_claim",
    "telehealth_outside_waiver",
    "telehealth_without_modifier",
]

_NO_PROBLEMS: tuple[Problem, ...] = ()

TELEHEALTH_POS = frozenset({"02", "10"})
#: Modifiers that say a service was given by telecommunication.
TELEHEALTH_MODIFIERS = frozenset({"95", "93", "GT"})
_DISCIPLINE = frozenset({"GO", "GP", "GN"})
_MEDICARE = ("medicare",)
# CY2024 PFS: the in-person POS + 95 convention ended 2023-12-31; from then on POS
# 02/10 marks telehealth, and 95 stays for therapy given by telehealth.
_POS_CODING_FROM = _dt.date(2024, 1, 1)
# CR 10152 (CY2018 PFS): GT no longer used on professional claims.
_GT_RETIRED_FROM = _dt.date(2018, 1, 1)


def _is_therapy(ctx: Context, i: int) -> bool:
    if not _DISCIPLINE.isdisjoint(ctx.claim.lines[i].modifiers):
        return True
    code = ctx.code(i)
    return code is not None and code.therapy == "always"


def _telehealth_lines(claim: Claim, ctx: Context) -> tuple[int, ...]:
    if (
        claim.place_of_service not in TELEHEALTH_POS
        and TELEHEALTH_POS.isdisjoint(ctx.line_places)
        and TELEHEALTH_MODIFIERS.isdisjoint(ctx.modifiers)
    ):
        # Most claims are in person: no telehealth place of service on the claim or
        # a line (so none applies to any line) and no telehealth modifier anywhere.
        # Screened before the memo: the test costs less than the look-up.
        return ()
    return ctx.memo("telehealth.lines", _find_telehealth_lines, claim, ctx)


def _find_telehealth_lines(claim: Claim, ctx: Context) -> tuple[int, ...]:
    out = []
    for i, line in enumerate(claim.lines):
        pos = line.place_of_service or claim.place_of_service
        if (
            pos in TELEHEALTH_POS or not TELEHEALTH_MODIFIERS.isdisjoint(line.modifiers)
        ) and _is_therapy(ctx, i):
            out.append(i)
    return tuple(out)


def _window(ctx: Context, on: _dt.date) -> TelehealthWindow:
    return ctx.memo(f"telehealth.window.{on}", telehealth_window, on)


_WINDOW_SOURCE = (
    "Temporary Medicare telehealth waivers for PT/OT/SLP: CARES Act 2020 and the April 2020 "
    "interim final rule; CAA 2022 and CAA 2023 extensions; H.R. 5371 (signed 2025-11-12; "
    "lapse 2025-10-01..2025-11-12 covered retroactively per the CMS Telehealth FAQ of "
    "2025-11-14); CMS FAQ 'starting January 31, 2026 ... can no longer furnish'; "
    "Consolidated Appropriations Act, 2026 (H.R. 7148, signed 2026-02-03) through 2027-12-31; "
    "retroactive cover of 2026-01-31..2026-02-02 UNCONFIRMED (AOTA; secondary sources)"
)


@rule(
    "OT-TELE-001",
    Severity.ERROR,
    summary="Medicare OT telehealth on a date outside the statutory telehealth waiver windows",
    source=_WINDOW_SOURCE,
    payers=_MEDICARE,
)
def telehealth_outside_waiver(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """OT by telehealth is paid only inside a waiver window (dated by the DOS)."""
    found = _telehealth_lines(claim, ctx)
    if not found:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i in found:
        line = claim.lines[i]
        on = line.date_of_service
        window = _window(ctx, on)
        status = window.status
        if status == "allowed":
            continue
        head = f"{line.code} on {on} is billed as telehealth"
        if status == "lapse_retroactively_covered":
            out.append(
                Problem(
                    f"{head} during a lapse of the Medicare telehealth waivers that was later "
                    f"covered retroactively ({window.citation}); payable, but claims held or "
                    "denied during the lapse may need resubmitting",
                    line=i,
                    severity=Severity.INFO,
                )
            )
        elif status == "unresolved_lapse":
            out.append(
                Problem(
                    f"{head} during a lapse of the Medicare telehealth waivers whose retroactive "
                    f"coverage is unconfirmed ({window.citation}); it may be denied",
                    line=i,
                    fix="check the current CMS telehealth FAQ or your MAC before submitting; "
                    "hold the claim or issue an ABN if coverage is still unresolved",
                    severity=Severity.WARNING,
                )
            )
        else:
            out.append(
                Problem(
                    f"{head}, but on that date occupational therapists could not furnish Medicare "
                    f"telehealth: no statutory waiver was in force ({window.citation})",
                    line=i,
                    fix="bill only services given in person (with the in-person place of service); "
                    "telehealth OT on this date is not payable by Medicare",
                )
            )
    return out


@rule(
    "OT-TELE-002",
    Severity.WARNING,
    summary="Medicare OT telehealth line (POS 02/10) without modifier 95 or 93",
    source=(
        "CY2024 PFS final rule 88 FR 78874–78876 as read by NGS 'Telehealth Changes for 2024' "
        "(95 kept for outpatient therapy by telehealth); transmittal 12671 pairs POS 02/10 "
        "with 95 or 93; the exact CMS-1500 combination for private-practice OT is UNCONFIRMED "
        "(Pub 100-04 ch.12 §190 not checked)"
    ),
    payers=_MEDICARE,
)
def telehealth_without_modifier(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """From 2024, a POS 02/10 therapy line is expected to carry 95 (video) or 93 (audio)."""
    found = _telehealth_lines(claim, ctx)
    if not found:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i in found:
        line = claim.lines[i]
        on = line.date_of_service
        pos = line.place_of_service or claim.place_of_service
        if (
            on < _POS_CODING_FROM
            or "95" in line.modifiers
            or "93" in line.modifiers
            or pos not in TELEHEALTH_POS
            # No waiver, no payable telehealth: OT-TELE-001 says so; a modifier won't help.
            or _window(ctx, on).status == "not_allowed"
        ):
            continue
        out.append(
            Problem(
                f"{line.code} on {line.date_of_service} is billed with POS {pos} (telehealth) but "
                "without modifier 95 or 93; CMS kept 95 for therapy given by telehealth from 2024 "
                "(the exact CMS-1500 combination is UNCONFIRMED: check with your MAC)",
                line=i,
                fix=f"add 95 to {line.code} (93 if the session was audio only)",
            )
        )
    return out


@rule(
    "OT-TELE-003",
    Severity.WARNING,
    summary="Modifier GT on a professional claim (GT is only for CAH method II institutional)",
    source=(
        "CR 10152 (CY2018 PFS: GT no longer used on professional claims, POS 02 certifies "
        "telehealth); MM10583/CR 10583 and NGS 'GT Modifier' (from 2018-10-01 GT only on CAH "
        "method II institutional claims, TOB 85X)"
    ),
    payers=_MEDICARE,
)
def gt_on_professional_claim(claim: Claim, ctx: Context) -> Iterable[Problem]:
    """GT on a CMS-1500 line is obsolete coding."""
    if "GT" not in ctx.modifiers:
        return _NO_PROBLEMS
    out: list[Problem] = []
    for i, line in enumerate(claim.lines):
        if "GT" in line.modifiers and line.date_of_service >= _GT_RETIRED_FROM:
            out.append(
                Problem(
                    f"{line.code} on {line.date_of_service} carries GT; on professional claims "
                    "Medicare marks telehealth with POS 02/10 (and 95 for therapy), and GT is used "
                    "only by critical access hospitals under method II on institutional claims",
                    line=i,
                    fix="remove GT; use POS 02 or 10 and modifier 95 (93 if audio only)",
                )
            )
    return out


RULES: tuple[Rule, ...] = (
    telehealth_outside_waiver,
    telehealth_without_modifier,
    gt_on_professional_claim,
)
