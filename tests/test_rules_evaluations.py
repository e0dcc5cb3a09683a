"""OT evaluation rules: one per day, never with a re-evaluation, complexity against minutes.

Facts from ../shared/reference/medicare-rules.md §5.3 and §6: 97165/97166/97167 are
the low/moderate/high OT evaluations, typically 30/45/60 minutes face-to-face (a
guide, not a requirement), 97168 the re-evaluation (typically 30); all are untimed,
one unit, in effect from 2017-01-01. NCCI allows one evaluation or re-evaluation per
discipline per date of service.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding.codes import lookup
from otcoding.findings import Severity
from otcoding.validators import all_of, duplicates, evaluations

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"
ON = dt.date(2026, 3, 2)


def _ev(code: str, minutes: int | None = 45, **kw: Any) -> dict[str, Any]:
    return line(code, 1, minutes, **kw)


def test_clean_claim_passes_every_evaluation_rule() -> None:
    assert run(all_of(*evaluations.RULES), clean_claim()) == []


def test_one_evaluation_with_treatment_passes() -> None:
    claim = claim_with_lines(_ev("97166", 45), line("97530", 2, 30), line("97535", 1, 15))
    assert run(all_of(*evaluations.RULES), claim) == []


# ------------------------------------------------------------------ OT-EVAL-001


def test_two_initial_evaluations_on_one_day_is_an_error() -> None:
    claim = claim_with_lines(_ev("97165", 30), line("97530", 2, 30), _ev("97166", 45))
    findings = run(evaluations.more_than_one_evaluation, claim)
    assert rule_ids(findings) == ["OT-EVAL-001"]
    f = findings[0]
    assert f.line == 2
    assert f.severity is Severity.ERROR
    assert "97166 as well as 97165 (line 0)" in f.message
    assert "2026-03-02" in f.message
    assert f.fix is not None
    assert "complexity the documentation supports" in f.fix
    assert "MUE" in f.source
    assert "modifier indicator 0" in f.source


def test_same_evaluation_twice_with_different_modifiers_says_delete() -> None:
    # The lines differ (59), so OT-DUP-001 does not take them; NCCI indicator 0 and the
    # one-per-day MUE mean no modifier lets the second through.
    claim = claim_with_lines(_ev("97168", 30), _ev("97168", 30, modifiers=["GO", "59"]))
    findings = run(evaluations.more_than_one_evaluation, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-EVAL-001", 1)]
    assert "97168 again (line 0)" in findings[0].message
    assert "re-evaluation" in findings[0].message
    assert findings[0].fix == "Delete this line"


def test_repeat_modifier_does_not_excuse_a_second_evaluation() -> None:
    claim = claim_with_lines(
        _ev("97165", 30, modifiers=["GO", "76"]), _ev("97165", 30, modifiers=["76", "GO"])
    )
    assert [(f.rule_id, f.line) for f in run(evaluations.more_than_one_evaluation, claim)] == [
        ("OT-EVAL-001", 1)
    ]


def test_three_initial_evaluations_report_each_later_one() -> None:
    claim = claim_with_lines(_ev("97165", 30), _ev("97166", 45), _ev("97167", 60))
    findings = run(evaluations.more_than_one_evaluation, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-EVAL-001", 1), ("OT-EVAL-001", 2)]
    assert all("(line 0)" in f.message for f in findings)


def test_exact_duplicate_evaluation_is_left_to_dup_001() -> None:
    claim = claim_with_lines(_ev("97166", 45), _ev("97166", 45))
    assert run(evaluations.more_than_one_evaluation, claim) == []
    both = run(all_of(duplicates.duplicate_line, *evaluations.RULES), claim)
    assert [(f.rule_id, f.line) for f in both] == [("OT-DUP-001", 1)]


def test_evaluations_on_different_dates_do_not_collide() -> None:
    claim = claim_with_lines(
        _ev("97165", 30, date_of_service="2026-03-02"),
        _ev("97166", 45, date_of_service="2026-03-03"),
        _ev("97168", 30, date_of_service="2026-03-04"),
        _ev("97168", 30, date_of_service="2026-03-09"),
    )
    assert run(all_of(*evaluations.RULES), claim) == []


def test_evaluation_codes_not_in_effect_are_left_to_the_code_rules() -> None:
    # 97165–97168 start 2017-01-01.
    claim = claim_with_lines(
        _ev("97165", 30, date_of_service="2016-12-30"),
        _ev("97166", 45, date_of_service="2016-12-30"),
    )
    assert run(all_of(*evaluations.RULES), claim) == []


# ------------------------------------------------------------------ OT-EVAL-002


def test_evaluation_and_reevaluation_on_one_day_is_an_error() -> None:
    claim = claim_with_lines(_ev("97166", 45), _ev("97168", 30))
    findings = run(evaluations.evaluation_and_reevaluation, claim)
    assert rule_ids(findings) == ["OT-EVAL-002"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert "97168 (re-evaluation) and 97166 (evaluation, line 0)" in f.message
    assert f.fix is not None
    assert "97168 alone" in f.fix
    assert "97165/97166/97167 with 97168" in f.source
    assert "§220.1" in f.source
    # The pair is 002's alone, not also 001's.
    assert run(evaluations.more_than_one_evaluation, claim) == []


def test_reevaluation_first_then_evaluation_reports_the_evaluation() -> None:
    claim = claim_with_lines(_ev("97168", 30), line("97530", 2, 30), _ev("97165", 30))
    findings = run(evaluations.evaluation_and_reevaluation, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-EVAL-002", 2)]
    assert "97165 (evaluation) and 97168 (re-evaluation, line 0)" in findings[0].message


def test_mixed_day_reports_each_later_line_once() -> None:
    claim = claim_with_lines(_ev("97165", 30), _ev("97168", 30), _ev("97166", 45))
    findings = run(all_of(*evaluations.RULES), claim)
    assert sorted((f.line, f.rule_id) for f in findings) == [
        (1, "OT-EVAL-002"),
        (2, "OT-EVAL-001"),
    ]


def test_evaluation_and_reevaluation_on_different_days_pass() -> None:
    claim = claim_with_lines(
        _ev("97166", 45, date_of_service="2026-03-02"),
        _ev("97168", 30, date_of_service="2026-03-03"),
    )
    assert run(evaluations.evaluation_and_reevaluation, claim) == []


# ------------------------------------------------------------------ OT-EVAL-003


def test_table_carries_the_cpt_typical_times() -> None:
    # CPT: 30, 45, 60 minutes for low, moderate, high; 97168 typically 30.
    assert [lookup(c, on=ON).typical_minutes for c in ("97165", "97166", "97167", "97168")] == [
        30,
        45,
        60,
        30,
    ]


def test_bands_sit_between_the_typical_times() -> None:
    # Midpoints 37.5 (30/45) and 52.5 (45/60): a minute belongs to the nearer level.
    assert evaluations.band_for("97165", ON) == (None, 37)
    assert evaluations.band_for("97166", ON) == (38, 52)
    assert evaluations.band_for("97167", ON) == (53, None)
    assert evaluations.band_for("97168", ON) is None
    assert evaluations.band_for("97530", ON) is None
    assert evaluations.band_for("97165", dt.date(2016, 12, 30)) is None


@pytest.mark.parametrize(
    ("code", "minutes"),
    [
        ("97165", 37),
        ("97165", 30),
        ("97165", 5),  # no lower bound for the lowest level
        ("97166", 38),
        ("97166", 45),
        ("97166", 52),
        ("97167", 53),
        ("97167", 60),
        ("97167", 120),  # no upper bound for the highest level
    ],
)
def test_minutes_nearest_the_billed_level_pass(code: str, minutes: int) -> None:
    claim = claim_with_lines(_ev(code, minutes))
    assert run(evaluations.complexity_vs_minutes, claim) == []


@pytest.mark.parametrize(
    ("code", "minutes", "direction"),
    [
        ("97165", 38, "possible undercoding"),
        ("97165", 60, "possible undercoding"),
        ("97166", 37, "possible upcoding"),
        ("97166", 30, "possible upcoding"),
        ("97166", 53, "possible undercoding"),
        ("97167", 52, "possible upcoding"),
        ("97167", 30, "possible upcoding"),
    ],
)
def test_minutes_nearer_another_level_are_noted(code: str, minutes: int, direction: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30), _ev(code, minutes))
    findings = run(evaluations.complexity_vs_minutes, claim)
    assert rule_ids(findings) == ["OT-EVAL-003"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.INFO
    assert direction in f.message
    assert f"documented at {minutes} min" in f.message
    assert f.fix is not None
    assert "support" in f.fix
    assert "30, 45 and 60" in f.source


def test_upcoding_note_names_the_level_and_typical_time() -> None:
    findings = run(evaluations.complexity_vs_minutes, claim_with_lines(_ev("97167", 30)))
    assert "97167 (high complexity, typically 60 min)" in findings[0].message
    assert "lower level" in findings[0].message
    assert findings[0].fix == (
        "Check that the documented history, deficits and decision-making support high complexity"
    )


def test_minutes_not_given_or_reevaluation_are_not_judged() -> None:
    claim = claim_with_lines(
        _ev("97166", None),
        _ev("97168", 90, date_of_service="2026-03-03"),
        _ev("97168", 5, date_of_service="2026-03-04"),
    )
    assert run(evaluations.complexity_vs_minutes, claim) == []


# ------------------------------------------------------------------ catalogue, example


def test_rule_metadata() -> None:
    assert [(r.rule_id, r.severity, r.payers) for r in evaluations.RULES] == [
        ("OT-EVAL-001", Severity.ERROR, ("medicare", "medicaid", "commercial")),
        ("OT-EVAL-002", Severity.ERROR, ("medicare", "medicaid", "commercial")),
        ("OT-EVAL-003", Severity.INFO, ("medicare", "medicaid", "commercial")),
    ]


def test_example_claim() -> None:
    # All on 2026-03-02: 97167 at 30 min (first, kept; nearer 97165's 30 → 003),
    # 97166 at 45 (a second initial evaluation → 001), 97168 (re-evaluation → 002).
    claim = json.loads((EXAMPLES / "evaluations.json").read_text(encoding="utf-8"))
    findings = run(all_of(*evaluations.RULES), claim)
    assert sorted((f.line, f.rule_id, f.severity) for f in findings) == [
        (0, "OT-EVAL-003", Severity.INFO),
        (1, "OT-EVAL-001", Severity.ERROR),
        (2, "OT-EVAL-002", Severity.ERROR),
    ]
    upcoding = next(f for f in findings if f.rule_id == "OT-EVAL-003")
    assert "possible upcoding" in upcoding.message
