"""Authorization rules: OT-AUTH-001 (valid dates) and OT-AUTH-002 (visits)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line, rule_ids, run
from test_rules_plan_of_care import ALL_MINE, SENTINEL_PATIENT, assert_no_patient_data, days

import otcoding
from otcoding.findings import Severity
from otcoding.validators import Rule, all_of
from otcoding.validators.authorization import RULES, outside_authorized_window, visits_exceeded

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def auth(**fields: Any) -> dict[str, Any]:
    """An authorization dict; keys given as None are left out."""
    base: dict[str, Any] = {
        "visits_authorized": 12,
        "visits_used": 5,
        "valid_from": "2026-01-05",
        "valid_to": "2026-04-04",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def test_rules_have_stable_ids_severities_and_sources() -> None:
    assert [(r.rule_id, r.severity) for r in RULES] == [
        ("OT-AUTH-001", Severity.ERROR),
        ("OT-AUTH-002", Severity.ERROR),
    ]
    assert "CARC 197" in RULES[0].source
    assert "CARC 198" in RULES[1].source
    for r in RULES:
        assert r.summary
        assert "\n" not in r.summary


@pytest.mark.parametrize("payer", ["medicare", "medicaid", "commercial"])
def test_clean_claim_passes(payer: str) -> None:
    assert run(all_of(*RULES), clean_claim(payer=payer)) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_no_authorization_no_finding(rule: Rule) -> None:
    assert run(rule, clean_claim(authorization=None)) == []
    assert run(rule, clean_claim(authorization={})) == []


# --- OT-AUTH-001 --------------------------------------------------------------------


def test_line_after_the_window_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-04-04"),
        line("97530", 2, 30, date_of_service="2026-04-05"),
        payer="commercial",
    )
    findings = run(outside_authorized_window, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-AUTH-001", 1, Severity.ERROR)
    ]
    assert "2026-04-05" in findings[0].message
    assert "2026-04-04" in findings[0].message


def test_line_before_the_window_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-01-04"),
        line("97530", 2, 30, date_of_service="2026-01-05"),
    )
    assert [f.line for f in run(outside_authorized_window, claim)] == [0]


def test_only_the_known_bound_is_checked() -> None:
    late = claim_with_lines(line("97530", 2, 30, date_of_service="2026-05-01"))
    early = claim_with_lines(line("97530", 2, 30, date_of_service="2025-12-01"))
    assert run(outside_authorized_window, {**late, "authorization": auth(valid_to=None)}) == []
    assert run(outside_authorized_window, {**early, "authorization": auth(valid_from=None)}) == []
    assert len(run(outside_authorized_window, {**late, "authorization": auth(valid_from=None)}))
    assert len(run(outside_authorized_window, {**early, "authorization": auth(valid_to=None)}))


def test_inverted_window_is_reported_once_for_the_claim() -> None:
    claim = clean_claim(authorization=auth(valid_from="2026-04-04", valid_to="2026-01-05"))
    findings = run(outside_authorized_window, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-AUTH-001", None)]


# --- OT-AUTH-002 --------------------------------------------------------------------


def test_last_authorized_visit_is_fine() -> None:
    assert run(visits_exceeded, clean_claim(authorization=auth(visits_used=11))) == []


def test_used_equal_to_authorized_makes_every_line_an_error() -> None:
    findings = run(visits_exceeded, clean_claim(authorization=auth(visits_used=12)))
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-AUTH-002", 0, Severity.ERROR),
        ("OT-AUTH-002", 1, Severity.ERROR),
    ]
    assert "visit 13 of 12 authorized (12 used before this claim)" in findings[0].message


def test_this_claims_visits_are_counted_by_date() -> None:
    dates = days("2026-03-02", 3)  # visits 11, 12, 13
    claim = claim_with_lines(
        *(line("97530", 2, 30, date_of_service=d) for d in dates),
        line("97535", 1, 15, date_of_service=dates[2]),
        authorization=auth(visits_used=10),
    )
    assert [f.line for f in run(visits_exceeded, claim)] == [2, 3]


def test_visits_outside_the_window_do_not_draw_on_it() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-04-03"),
        line("97530", 2, 30, date_of_service="2026-04-10"),
        authorization=auth(visits_used=11),
    )
    assert run(visits_exceeded, claim) == []
    assert rule_ids(run(outside_authorized_window, claim)) == ["OT-AUTH-001"]


def test_missing_visits_used_counts_only_this_claim() -> None:
    dates = days("2026-03-01", 3)
    claim = claim_with_lines(
        *(line("97530", 2, 30, date_of_service=d) for d in dates),
        authorization=auth(visits_authorized=2, visits_used=None),
    )
    assert [f.line for f in run(visits_exceeded, claim)] == [2]
    assert run(visits_exceeded, {**claim, "lines": claim["lines"][:2]}) == []


def test_missing_visits_authorized_turns_the_rule_off() -> None:
    claim = clean_claim(authorization=auth(visits_authorized=None, visits_used=99))
    assert run(visits_exceeded, claim) == []


def test_zero_visits_authorized() -> None:
    claim = clean_claim(authorization=auth(visits_authorized=0, visits_used=0))
    assert rule_ids(run(visits_exceeded, claim)) == ["OT-AUTH-002", "OT-AUTH-002"]


# --- patient data never shows ---------------------------------------------------------

TRIGGERS = {
    "OT-AUTH-001": clean_claim(authorization=auth(valid_to="2026-02-01")),
    "OT-AUTH-002": clean_claim(authorization=auth(visits_used=40)),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_findings_never_show_patient_data(rule: Rule) -> None:
    claim = {**TRIGGERS[rule.rule_id], "patient": SENTINEL_PATIENT}
    findings = run(rule, claim)
    assert findings
    assert {f.rule_id for f in findings} == {rule.rule_id}
    assert_no_patient_data(findings, SENTINEL_PATIENT)


def test_example_claim_triggers_the_authorization_rules() -> None:
    data = json.loads((EXAMPLES / "authorization.json").read_text(encoding="utf-8"))
    findings = run(ALL_MINE, data, today=TODAY)
    assert sorted((f.rule_id, f.line) for f in findings) == [
        ("OT-AUTH-001", 3),
        ("OT-AUTH-002", 1),
        ("OT-AUTH-002", 2),
    ]
