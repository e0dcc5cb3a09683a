"""KX threshold rules: missing KX above the threshold, KX too early, targeted review.

Amounts (CY2026 CF $33.4009 on CY2025 RVUs): 97530 one unit 35.74, its MPPR unit
25.38; 97535 MPPR unit 24.22. CY2025 (CF $32.3465): 97530 one unit 34.61.
Thresholds: 2025 $2,410, 2026 $2,480; targeted review $3,000.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import otcoding
from otcoding.findings import Severity
from otcoding.validators import all_of, kx
from tests.claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def _patient(ytd: str | None) -> dict[str, Any]:
    patient: dict[str, Any] = clean_claim()["patient"]
    if ytd is None:
        patient.pop("therapy_allowed_ytd")
    else:
        patient["therapy_allowed_ytd"] = ytd
    return patient


def _claim(ytd: str | None, *lines: dict[str, Any]) -> dict[str, Any]:
    return claim_with_lines(*lines, patient=_patient(ytd))


def _kx(*modifiers: str) -> tuple[str, ...]:
    return ("GO", *modifiers)


# ------------------------------------------------------------------ OT-KX-001


def test_crossing_without_kx_is_an_error() -> None:
    # 2450 + 61.12 = 2511.12 > 2480
    findings = run(kx.kx_missing, _claim("2450.00", line("97530", 2, 30)))
    assert rule_ids(findings) == ["OT-KX-001"]
    f = findings[0]
    assert f.severity is Severity.ERROR
    assert f.line == 0
    assert "$2,511.12" in f.message
    assert "$2,480.00" in f.message
    assert "national fee estimate" in f.message
    assert "KX" in (f.fix or "")
    assert "UNCONFIRMED" in f.source


def test_crossing_with_kx_passes() -> None:
    claim = _claim("2450.00", line("97530", 2, 30, modifiers=_kx("KX")))
    assert run(kx.kx_missing, claim) == []
    assert run(kx.kx_premature, claim) == []


def test_under_the_threshold_needs_no_kx() -> None:
    assert run(kx.kx_missing, clean_claim()) == []


def test_only_lines_at_and_after_the_crossing_need_kx() -> None:
    # Day 1: 2440 + 35.74 = 2475.74 (under); day 2: + 35.74 = 2511.48 (over).
    claim = _claim(
        "2440.00",
        line("97530", 1, 15, date_of_service="2026-03-02"),
        line("97530", 1, 15, date_of_service="2026-03-04"),
    )
    findings = run(kx.kx_missing, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-KX-001", 1)]


def test_lines_follow_date_order_not_claim_order() -> None:
    claim = _claim(
        "2440.00",
        line("97530", 1, 15, date_of_service="2026-03-04"),
        line("97530", 1, 15, date_of_service="2026-03-02"),
    )
    assert [f.line for f in run(kx.kx_missing, claim)] == [0]


def test_ytd_already_over_means_every_line_needs_kx() -> None:
    claim = _claim("2600.00", line("97530", 2, 30), line("97535", 1, 15))
    assert [f.line for f in run(kx.kx_missing, claim)] == [0, 1]


def test_every_line_of_the_crossing_date_needs_kx_whatever_their_order() -> None:
    # 2420 + 61.12 (97530 x 2) + 35.74 (97535) crosses 2480 on this one date. Which
    # line "crosses" depends on an order the contractor does not follow, so both need KX.
    lines = [line("97530", 2, 30), line("97535", 1, 15)]
    messages = []
    for order in (lines, lines[::-1]):
        findings = run(kx.kx_missing, _claim("2420.00", *order))
        assert [f.line for f in findings] == [0, 1]
        messages.append(sorted(f.message for f in findings))
    assert messages[0] == messages[1]
    assert all("by the end of that date" in m for m in messages[0])


def test_pt_lines_are_another_bucket() -> None:
    claim = _claim("2450.00", line("97110", 2, 30, modifiers=("GP",)))
    assert run(kx.kx_missing, claim) == []


def test_lines_paid_nothing_need_no_kx() -> None:
    # 97010 (hot/cold packs) is bundled: status B, $0.
    claim = _claim("2600.00", line("97010", 1, None))
    assert run(kx.kx_missing, claim) == []


def test_pinned_year_uses_that_years_threshold_and_cf() -> None:
    # 2026 figures: 2400 + 35.74 = 2435.74 < 2480, fine.
    claim = _claim("2400.00", line("97530", 1, 15))
    assert run(kx.kx_missing, claim) == []
    # Pinned to 2025: 2400 + 34.61 = 2434.61 > 2410.
    findings = run(kx.kx_missing, claim, year=2025)
    assert rule_ids(findings) == ["OT-KX-001"]
    assert "2025 KX threshold of $2,410.00" in findings[0].message


def test_missing_ytd_uses_the_claim_alone_as_a_lower_bound() -> None:
    # 45 visits of 97530 × 2 (61.12 each) = 2750.40 > 2480 with no YTD at all.
    start = dt.date(2026, 1, 5)
    lines = [
        line("97530", 2, 30, date_of_service=(start + dt.timedelta(days=k)).isoformat())
        for k in range(45)
    ]
    findings = run(kx.kx_missing, _claim(None, *lines))
    # 40 × 61.12 = 2444.80; the 41st visit reaches 2505.92.
    assert [f.line for f in findings] == list(range(40, 45))
    assert "lines alone, so at least this much" in findings[0].message


def test_missing_ytd_small_claim_gives_no_finding() -> None:
    claim = _claim(None, line("97530", 2, 30, modifiers=_kx("KX")))
    assert run(kx.kx_missing, claim) == []
    assert run(kx.kx_premature, claim) == []


def test_new_calendar_year_restarts_the_total() -> None:
    # 2025 line crosses (2470 + 34.61 > 2410); the 2026 line starts again from $0.
    claim = _claim(
        "2470.00",
        line("97530", 1, 15, date_of_service="2025-12-30"),
        line("97530", 1, 15, date_of_service="2026-01-02"),
    )
    assert [f.line for f in run(kx.kx_missing, claim)] == [0]


def test_year_without_figures_is_skipped() -> None:
    claim = _claim("9000.00", line("97530", 1, 15, date_of_service="2017-06-01"))
    assert run(kx.kx_missing, claim) == []


# ------------------------------------------------------------------ OT-KX-002


def test_kx_while_under_the_threshold_is_a_warning() -> None:
    claim = clean_claim()
    claim["lines"][0]["modifiers"] = ["GO", "KX"]
    findings = run(kx.kx_premature, claim)
    assert rule_ids(findings) == ["OT-KX-002"]
    f = findings[0]
    assert f.severity is Severity.WARNING
    assert f.line == 0
    assert "abusive" in f.message
    assert "§10.3.3" in f.source
    assert "UNCONFIRMED" in f.source


def test_kx_before_the_crossing_date_is_a_warning() -> None:
    claim = _claim(
        "2440.00",
        line("97530", 1, 15, modifiers=_kx("KX"), date_of_service="2026-03-02"),
        line("97530", 1, 15, modifiers=_kx("KX"), date_of_service="2026-03-04"),
    )
    assert [(f.rule_id, f.line) for f in run(kx.kx_premature, claim)] == [("OT-KX-002", 0)]
    assert run(kx.kx_missing, claim) == []


def test_kx_anywhere_on_the_crossing_date_is_fine() -> None:
    # 2440 + 35.74 = 2475.74 after the first line, 2499.96 after the second.
    claim = _claim(
        "2440.00",
        line("97530", 1, 15, modifiers=_kx("KX")),
        line("97535", 1, 15, modifiers=_kx("KX")),
    )
    assert run(kx.kx_premature, claim) == []
    assert run(kx.kx_missing, claim) == []


def test_kx_premature_skipped_when_a_line_cannot_be_priced() -> None:
    # 97039 is contractor priced: the real total may be over the threshold.
    claim = _claim(
        "2400.00",
        line("97039", 1, 15),
        line("97530", 1, 15, modifiers=_kx("KX")),
    )
    assert run(kx.kx_premature, claim) == []


# ------------------------------------------------------------------ OT-KX-003


def test_over_targeted_review_threshold_is_info_once() -> None:
    claim = _claim(
        "2990.00",
        line("97530", 2, 30, modifiers=_kx("KX")),
        line("97535", 1, 15, modifiers=_kx("KX")),
    )
    findings = run(kx.targeted_review, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [("OT-KX-003", 0, Severity.INFO)]
    assert "$3,000.00" in findings[0].message
    # The same line (97530) is named whatever the order of the lines.
    reordered = dict(claim, lines=claim["lines"][::-1])
    assert [f.line for f in run(kx.targeted_review, reordered)] == [1]


def test_under_targeted_review_threshold_passes() -> None:
    claim = _claim("2500.00", line("97530", 2, 30, modifiers=_kx("KX")))
    assert run(kx.targeted_review, claim) == []


# ------------------------------------------------------------------ module


def test_example_claim() -> None:
    claim = json.loads((EXAMPLES / "kx.json").read_text())
    findings = run(all_of(*kx.RULES), claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-KX-001", 0), ("OT-KX-001", 1)]


def test_rules_are_medicare_only_and_catalogued() -> None:
    assert [r.rule_id for r in kx.RULES] == ["OT-KX-001", "OT-KX-002", "OT-KX-003"]
    assert all(r.payers == ("medicare",) for r in kx.RULES)
    assert [r.severity for r in kx.RULES] == [Severity.ERROR, Severity.WARNING, Severity.INFO]


def test_estimate_is_shared_between_rules() -> None:
    from otcoding.claim import Claim
    from otcoding.validators import Context, Settings

    claim = Claim.from_dict(_claim("2450.00", line("97530", 2, 30)))
    ctx = Context(claim, Settings(today=dt.date(2026, 3, 10)))
    for r in kx.RULES:
        list(r(claim, ctx))
    first = ctx.memo("fees.estimate", lambda: None)
    assert first is not None
    assert ctx.memo("fees.estimate", lambda: None) is first
