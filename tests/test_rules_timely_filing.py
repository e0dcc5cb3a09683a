"""Timely filing: OT-FILE-001 (past the 12-month limit) and OT-FILE-002 (deadline near)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line, rule_ids, run
from hypothesis import given
from hypothesis import strategies as st
from test_rules_plan_of_care import ALL_MINE, SENTINEL_PATIENT, assert_no_patient_data

import otcoding
from otcoding.findings import Severity
from otcoding.validators import Rule, all_of
from otcoding.validators.timely_filing import RULES, deadline_near, filed_late, filing_deadline

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def test_rules_have_stable_ids_severities_and_sources() -> None:
    assert [(r.rule_id, r.severity) for r in RULES] == [
        ("OT-FILE-001", Severity.ERROR),
        ("OT-FILE-002", Severity.WARNING),
    ]
    assert "42 CFR 424.44" in RULES[0].source
    assert "CARC 29" in RULES[0].source
    assert RULES[1].source.startswith("otcoding advice")
    for r in RULES:
        assert r.payers == ("medicare",)
        assert r.summary
        assert "\n" not in r.summary


def test_clean_claim_passes() -> None:
    assert run(all_of(*RULES), clean_claim()) == []


# --- the deadline ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dos", "deadline"),
    [
        ("2025-03-02", "2026-03-02"),
        ("2024-02-29", "2025-02-28"),
        ("2023-02-28", "2024-02-28"),
        ("2023-03-01", "2024-03-01"),
        ("2025-12-31", "2026-12-31"),
        ("9999-06-01", "9999-12-31"),
    ],
)
def test_filing_deadline(dos: str, deadline: str) -> None:
    assert filing_deadline(dt.date.fromisoformat(dos)) == dt.date.fromisoformat(deadline)


@given(st.dates(dt.date(2010, 1, 1), dt.date(2100, 12, 31)))
def test_deadline_is_one_calendar_year_later(dos: dt.date) -> None:
    deadline = filing_deadline(dos)
    assert deadline.year == dos.year + 1
    assert 365 <= (deadline - dos).days <= 366
    assert (deadline.month, deadline.day) == (
        (2, 28) if (dos.month, dos.day) == (2, 29) else (dos.month, dos.day)
    )


# --- OT-FILE-001 -------------------------------------------------------------------------


def test_submitted_on_the_deadline_is_timely() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-10"), submitted_on="2026-03-10"
    )
    assert run(filed_late, claim) == []


def test_submitted_the_day_after_the_deadline_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-09"),
        line("97535", 1, 15, date_of_service="2025-03-09"),
        line("97530", 2, 30, date_of_service="2025-03-10"),
        submitted_on="2026-03-10",
    )
    findings = run(filed_late, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-FILE-001", 0, Severity.ERROR),
        ("OT-FILE-001", 1, Severity.ERROR),
    ]
    message = findings[0].message
    assert "2025-03-09" in message
    assert "2026-03-09" in message
    assert "2026-03-10" in message
    assert findings[0].fix is not None
    assert "CO-29" in findings[0].fix


def test_february_29_must_be_filed_by_february_28() -> None:
    on_time = claim_with_lines(
        line("97530", 2, 30, date_of_service="2024-02-29"), submitted_on="2025-02-28"
    )
    late = {**on_time, "submitted_on": "2025-03-01"}
    assert run(filed_late, on_time) == []
    assert rule_ids(run(filed_late, late)) == ["OT-FILE-001"]


def test_unfiled_claim_is_judged_against_today() -> None:
    # TODAY is 2026-03-10: a 2025-03-09 service can no longer be filed on time.
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-09"),
        line("97530", 2, 30, date_of_service="2025-03-10"),
        submitted_on=None,
    )
    findings = run(filed_late, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-FILE-001", 0, Severity.ERROR)
    ]
    assert "can no longer be filed on time" in findings[0].message


def test_submission_date_wins_over_today() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-01-15"), submitted_on="2025-06-01"
    )
    assert run(filed_late, claim) == []


@pytest.mark.parametrize("payer", ["commercial", "medicaid"])
def test_twelve_month_limit_is_medicare_only(payer: str) -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2023-01-02"), payer=payer, submitted_on="2026-03-01"
    )
    assert run(filed_late, claim) == []
    assert rule_ids(run(filed_late, claim, payer="medicare")) == ["OT-FILE-001"]


# --- OT-FILE-002 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dos", "expected"),
    [
        ("2025-03-10", "is today"),  # deadline 2026-03-10
        ("2025-03-11", "in 1 day"),
        ("2025-04-09", "in 30 days"),
    ],
)
def test_unfiled_claim_near_its_deadline_gets_a_warning(dos: str, expected: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30, date_of_service=dos), submitted_on=None)
    findings = run(deadline_near, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-FILE-002", 0, Severity.WARNING)
    ]
    assert expected in findings[0].message


def test_thirty_one_days_before_the_deadline_is_quiet() -> None:
    claim = claim_with_lines(line("97530", 2, 30, date_of_service="2025-04-10"), submitted_on=None)
    assert run(deadline_near, claim) == []


def test_past_deadline_is_left_to_file_001() -> None:
    claim = claim_with_lines(line("97530", 2, 30, date_of_service="2025-03-09"), submitted_on=None)
    assert run(deadline_near, claim) == []
    assert rule_ids(run(filed_late, claim)) == ["OT-FILE-001"]


def test_submitted_claim_gets_no_deadline_warning() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-20"), submitted_on="2026-03-10"
    )
    assert run(deadline_near, claim) == []


def test_deadline_warning_is_medicare_only() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-20"), payer="commercial", submitted_on=None
    )
    assert run(deadline_near, claim) == []


def test_each_date_is_judged_on_its_own() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-05"),  # past
        line("97530", 2, 30, date_of_service="2025-03-20"),  # 10 days left
        line("97530", 2, 30, date_of_service="2025-06-01"),  # far
        submitted_on=None,
    )
    assert [(f.rule_id, f.line) for f in run(all_of(*RULES), claim)] == [
        ("OT-FILE-001", 0),
        ("OT-FILE-002", 1),
    ]


# --- patient data never shows ------------------------------------------------------------

TRIGGERS = {
    "OT-FILE-001": claim_with_lines(
        line("97530", 2, 30, date_of_service="2024-11-04"), submitted_on="2026-03-01"
    ),
    "OT-FILE-002": claim_with_lines(
        line("97530", 2, 30, date_of_service="2025-03-20"), submitted_on=None
    ),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_findings_never_show_patient_data(rule: Rule) -> None:
    claim = {**TRIGGERS[rule.rule_id], "patient": SENTINEL_PATIENT}
    findings = run(rule, claim)
    assert findings
    assert {f.rule_id for f in findings} == {rule.rule_id}
    assert_no_patient_data(findings, SENTINEL_PATIENT)


def test_example_claim_triggers_the_timely_filing_rule() -> None:
    data = json.loads((EXAMPLES / "timely_filing.json").read_text(encoding="utf-8"))
    findings = run(ALL_MINE, data, today=TODAY)
    assert sorted((f.rule_id, f.line) for f in findings) == [("OT-FILE-001", 0)]
