"""Plan-of-care rules: OT-POC-001 (certified period), -002 (90 days), -003 (progress report)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line, rule_ids, run
from strategies import SENTINEL_BIRTH_DATE, SENTINEL_MEMBER_ID, SENTINEL_PATIENT_ID

import otcoding
from otcoding.findings import Finding, Severity
from otcoding.validators import Rule, all_of, authorization, clerical, plan_of_care, timely_filing
from otcoding.validators.plan_of_care import (
    RULES,
    certification_too_long,
    outside_certified_period,
    progress_report_overdue,
)

ALL_MINE = all_of(*plan_of_care.RULES, *authorization.RULES, *clerical.RULES, *timely_filing.RULES)
EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def poc(**fields: Any) -> dict[str, Any]:
    """A plan_of_care dict; keys given as None are left out."""
    base: dict[str, Any] = {
        "certified_from": "2026-01-05",
        "certified_to": "2026-04-04",
        "last_progress_report": "2026-02-20",
        "visits_since_progress_report": 4,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def days(start: str, count: int) -> list[str]:
    first = dt.date.fromisoformat(start)
    return [(first + dt.timedelta(days=n)).isoformat() for n in range(count)]


# --- the rule catalogue -------------------------------------------------------------


def test_rules_have_stable_ids_severities_and_sources() -> None:
    assert [(r.rule_id, r.severity) for r in RULES] == [
        ("OT-POC-001", Severity.ERROR),
        ("OT-POC-002", Severity.ERROR),
        ("OT-POC-003", Severity.ERROR),
    ]
    for r in RULES:
        assert isinstance(r, Rule)
        assert "Pub 100-02 ch.15 §220" in r.source
        assert r.summary
        assert "\n" not in r.summary
        assert r.payers == ("medicare",)


def test_clean_claim_passes_every_plan_of_care_rule() -> None:
    assert run(all_of(*RULES), clean_claim()) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_no_plan_of_care_no_finding(rule: Rule) -> None:
    assert run(rule, clean_claim(plan_of_care=None)) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_empty_plan_of_care_no_finding(rule: Rule) -> None:
    assert run(rule, clean_claim(plan_of_care={})) == []


# --- OT-POC-001 ---------------------------------------------------------------------


def test_line_after_certification_is_an_error_on_that_line() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-04-04"),
        line("97530", 2, 30, date_of_service="2026-04-05"),
    )
    findings = run(outside_certified_period, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-POC-001", 1, Severity.ERROR)
    ]
    assert "2026-04-05" in findings[0].message
    assert "2026-04-04" in findings[0].message
    assert findings[0].fix


def test_line_before_certification_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-01-04"),
        line("97530", 2, 30, date_of_service="2026-01-05"),
    )
    assert [f.line for f in run(outside_certified_period, claim)] == [0]


def test_both_ends_of_the_period_are_inside() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-01-05"),
        line("97530", 2, 30, date_of_service="2026-04-04"),
    )
    assert run(outside_certified_period, claim) == []


@pytest.mark.parametrize("code", ["97165", "97166", "97167"])
def test_initial_evaluation_outside_the_period_is_exempt(code: str) -> None:
    claim = claim_with_lines(line(code, 1, 45, date_of_service="2026-01-02"))
    assert run(outside_certified_period, claim) == []


def test_reevaluation_outside_the_period_is_not_exempt() -> None:
    claim = claim_with_lines(line("97168", 1, 30, date_of_service="2026-04-06"))
    assert rule_ids(run(outside_certified_period, claim)) == ["OT-POC-001"]


def test_only_the_known_bound_is_checked() -> None:
    late = claim_with_lines(line("97530", 2, 30, date_of_service="2026-05-01"))
    early = claim_with_lines(line("97530", 2, 30, date_of_service="2025-12-01"))
    no_end = poc(certified_to=None)
    no_start = poc(certified_from=None)
    assert run(outside_certified_period, {**late, "plan_of_care": no_end}) == []
    assert len(run(outside_certified_period, {**early, "plan_of_care": no_end})) == 1
    assert run(outside_certified_period, {**early, "plan_of_care": no_start}) == []
    assert len(run(outside_certified_period, {**late, "plan_of_care": no_start})) == 1


def test_inverted_period_is_left_to_poc_002() -> None:
    claim = clean_claim(plan_of_care=poc(certified_from="2026-04-04", certified_to="2026-01-05"))
    assert run(outside_certified_period, claim) == []
    assert rule_ids(run(certification_too_long, claim)) == ["OT-POC-002"]


# --- OT-POC-002 ---------------------------------------------------------------------


def test_exactly_90_calendar_days_is_allowed() -> None:
    # 2026-01-05 is day 1, 2026-04-04 is day 90.
    assert run(certification_too_long, clean_claim(plan_of_care=poc())) == []


def test_91_calendar_days_is_an_error() -> None:
    claim = clean_claim(plan_of_care=poc(certified_to="2026-04-05"))
    findings = run(certification_too_long, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-POC-002", None, Severity.ERROR)
    ]
    assert "91 calendar days" in findings[0].message
    assert "2026-04-04" in findings[0].message  # the last day a 90-day period covers


def test_90_days_across_february_29() -> None:
    ok = clean_claim(plan_of_care=poc(certified_from="2024-01-01", certified_to="2024-03-30"))
    late = clean_claim(plan_of_care=poc(certified_from="2024-01-01", certified_to="2024-03-31"))
    assert run(certification_too_long, ok) == []
    assert rule_ids(run(certification_too_long, late)) == ["OT-POC-002"]


def test_one_day_certification_is_allowed() -> None:
    claim = clean_claim(plan_of_care=poc(certified_from="2026-03-02", certified_to="2026-03-02"))
    assert run(certification_too_long, claim) == []


def test_inverted_period_is_an_error() -> None:
    claim = clean_claim(plan_of_care=poc(certified_from="2026-03-02", certified_to="2026-03-01"))
    findings = run(certification_too_long, claim)
    assert rule_ids(findings) == ["OT-POC-002"]
    assert "before" in findings[0].message


@pytest.mark.parametrize("missing", ["certified_from", "certified_to"])
def test_span_needs_both_dates(missing: str) -> None:
    fields: dict[str, Any] = {"certified_from": "2025-01-01", "certified_to": "2027-01-01"}
    fields[missing] = None
    claim = clean_claim(plan_of_care=poc(**fields))
    assert run(certification_too_long, claim) == []


@pytest.mark.parametrize("payer", ["commercial", "medicaid"])
def test_90_day_limit_is_medicare_only(payer: str) -> None:
    claim = clean_claim(payer=payer, plan_of_care=poc(certified_to="2026-12-31"))
    assert run(certification_too_long, claim) == []
    assert rule_ids(run(certification_too_long, claim, payer="medicare")) == ["OT-POC-002"]


def test_far_future_start_does_not_raise() -> None:
    claim = clean_claim(plan_of_care=poc(certified_from="9999-12-01", certified_to="9999-12-31"))
    assert run(certification_too_long, claim) == []
    long = clean_claim(plan_of_care=poc(certified_from="9999-01-01", certified_to="9999-12-31"))
    assert rule_ids(run(certification_too_long, long)) == ["OT-POC-002"]


# --- OT-POC-003 ---------------------------------------------------------------------


def test_tenth_treatment_day_is_still_fine() -> None:
    claim = clean_claim(plan_of_care=poc(visits_since_progress_report=9))
    assert run(progress_report_overdue, claim) == []


def test_eleventh_treatment_day_is_an_error_on_every_line_of_that_day() -> None:
    claim = clean_claim(plan_of_care=poc(visits_since_progress_report=10))
    findings = run(progress_report_overdue, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-POC-003", 0, Severity.ERROR),
        ("OT-POC-003", 1, Severity.ERROR),
    ]
    assert "treatment day 11" in findings[0].message
    assert "2026-02-20" in findings[0].message


def test_this_claims_days_count_on_from_visits_before_it() -> None:
    dates = days("2026-03-02", 3)  # treatment days 9, 10 and 11
    claim = claim_with_lines(
        *(line("97530", 2, 30, date_of_service=d) for d in dates),
        line("97535", 1, 15, date_of_service=dates[2]),
        plan_of_care=poc(visits_since_progress_report=8),
    )
    assert [f.line for f in run(progress_report_overdue, claim)] == [2, 3]


def test_several_lines_on_one_day_are_one_treatment_day() -> None:
    claim = claim_with_lines(
        *(line(code, 1, 15) for code in ("97530", "97535", "97110", "97112")),
        plan_of_care=poc(visits_since_progress_report=9),
    )
    assert run(progress_report_overdue, claim) == []


def test_days_on_or_before_the_report_are_not_counted() -> None:
    # The report written on 2026-03-02 ends that period; 2026-03-03 is day 1 of the next.
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-02-27"),
        line("97530", 2, 30, date_of_service="2026-03-02"),
        line("97530", 2, 30, date_of_service="2026-03-03"),
        plan_of_care=poc(last_progress_report="2026-03-02", visits_since_progress_report=0),
    )
    assert run(progress_report_overdue, claim) == []
    overdue = {
        **claim,
        "plan_of_care": poc(last_progress_report="2026-03-02", visits_since_progress_report=10),
    }
    assert [f.line for f in run(progress_report_overdue, overdue)] == [2]


def test_without_a_report_counts_from_the_start_of_the_episode() -> None:
    claim = clean_claim(
        plan_of_care=poc(last_progress_report=None, visits_since_progress_report=10)
    )
    findings = run(progress_report_overdue, claim)
    assert rule_ids(findings) == ["OT-POC-003", "OT-POC-003"]
    assert "since the episode began" in findings[0].message


def test_without_a_visit_count_this_claims_days_are_a_lower_bound() -> None:
    dates = days("2026-03-01", 11)
    claim = claim_with_lines(
        *(line("97530", 2, 30, date_of_service=d) for d in dates),
        plan_of_care=poc(last_progress_report="2026-02-28", visits_since_progress_report=None),
    )
    assert [f.line for f in run(progress_report_overdue, claim)] == [10]
    ten = {**claim, "lines": claim["lines"][:10]}
    assert run(progress_report_overdue, ten) == []


def test_without_count_or_report_date_there_is_nothing_to_judge() -> None:
    dates = days("2026-03-01", 12)
    claim = claim_with_lines(
        *(line("97530", 2, 30, date_of_service=d) for d in dates),
        plan_of_care=poc(last_progress_report=None, visits_since_progress_report=None),
    )
    assert run(progress_report_overdue, claim) == []


@pytest.mark.parametrize("payer", ["commercial", "medicaid"])
def test_progress_report_rule_is_medicare_only(payer: str) -> None:
    claim = clean_claim(payer=payer, plan_of_care=poc(visits_since_progress_report=30))
    assert run(progress_report_overdue, claim) == []


# --- patient data never shows ---------------------------------------------------------

# Shared with the other rule-family test modules, which import it from here.
SENTINEL_PATIENT = {
    "id": SENTINEL_PATIENT_ID,
    "birth_date": SENTINEL_BIRTH_DATE,
    "member_id": SENTINEL_MEMBER_ID,
}


def assert_no_patient_data(findings: list[Finding], patient: dict[str, str]) -> None:
    birth = dt.date.fromisoformat(patient["birth_date"])
    needles = [
        patient["id"],
        patient["member_id"],
        patient["birth_date"],
        birth.strftime("%m/%d/%Y"),
        birth.strftime("%Y%m%d"),
    ]
    for f in findings:
        text = str(f) + json.dumps(f.to_dict()) + repr(f)
        for needle in needles:
            assert needle not in text


TRIGGERS = {
    "OT-POC-001": claim_with_lines(line("97530", 2, 30, date_of_service="2026-04-06")),
    "OT-POC-002": clean_claim(plan_of_care=poc(certified_to="2026-06-30")),
    "OT-POC-003": clean_claim(plan_of_care=poc(visits_since_progress_report=12)),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_findings_never_show_patient_data(rule: Rule) -> None:
    claim = {**TRIGGERS[rule.rule_id], "patient": SENTINEL_PATIENT}
    findings = run(rule, claim)
    assert findings
    assert {f.rule_id for f in findings} == {rule.rule_id}
    assert_no_patient_data(findings, SENTINEL_PATIENT)


# --- the shipped example ----------------------------------------------------------------


def test_example_claim_triggers_the_plan_of_care_rules() -> None:
    data = json.loads((EXAMPLES / "plan_of_care.json").read_text(encoding="utf-8"))
    findings = run(ALL_MINE, data, today=TODAY)
    assert sorted((f.rule_id, f.line) for f in findings) == [
        ("OT-POC-001", 5),
        ("OT-POC-002", None),
        ("OT-POC-003", 3),
        ("OT-POC-003", 4),
        ("OT-POC-003", 5),
    ]
