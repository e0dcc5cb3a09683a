"""NCCI PTP and MUE rules, on the pairs of code-tables.md §5a and the MUEs of §6."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import otcoding
from otcoding.codes import load_mue, load_ncci
from otcoding.findings import Severity
from otcoding.validators import all_of, ncci
from tests.claimfactory import claim_with_lines, line, rule_ids, run

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"
PTP = all_of(ncci.ptp_no_bypass, ncci.ptp_modifier_missing, ncci.ptp_bypassed)


# ------------------------------------------------------------------ PTP


def test_97150_with_97530_without_modifier_is_002() -> None:
    findings = run(PTP, claim_with_lines(line("97150", 1, 30), line("97530", 2, 30)))
    assert rule_ids(findings) == ["OT-NCCI-002"]
    f = findings[0]
    assert f.severity is Severity.ERROR
    assert f.line == 1  # the column-2 line
    assert f.fix == "if the services were distinct, add XU (or 59) to 97530"
    assert "2024Q2 v30.1" in f.message
    assert "column 1 97150" in f.message


def test_order_of_lines_does_not_matter() -> None:
    findings = run(PTP, claim_with_lines(line("97530", 2, 30), line("97150", 1, 30)))
    assert [(f.rule_id, f.line) for f in findings] == [("OT-NCCI-002", 0)]


@pytest.mark.parametrize("modifier", ["XU", "59", "XE", "XS", "XP"])
def test_distinct_modifier_on_column_2_is_003_info(modifier: str) -> None:
    claim = claim_with_lines(line("97150", 1, 30), line("97530", 2, 30, modifiers=("GO", modifier)))
    findings = run(PTP, claim)
    assert rule_ids(findings) == ["OT-NCCI-003"]
    assert findings[0].severity is Severity.INFO
    assert findings[0].line == 1
    assert "documentation must show" in findings[0].message
    assert modifier in findings[0].message


def test_modifier_on_the_column_1_line_does_not_bypass() -> None:
    claim = claim_with_lines(line("97150", 1, 30, modifiers=("GO", "XU")), line("97530", 2, 30))
    assert rule_ids(run(PTP, claim)) == ["OT-NCCI-002"]


def test_97165_with_97168_is_001() -> None:
    findings = run(PTP, claim_with_lines(line("97165", 1, 45), line("97168", 1, 30)))
    assert rule_ids(findings) == ["OT-NCCI-001"]
    f = findings[0]
    assert f.severity is Severity.ERROR
    assert f.line == 1
    assert "modifier indicator 0" in f.message
    assert "NCCI" in f.source
    assert "2024Q2" in f.source


def test_indicator_0_is_not_bypassed_by_59() -> None:
    claim = claim_with_lines(line("97165", 1, 45), line("97168", 1, 30, modifiers=("GO", "59")))
    findings = run(PTP, claim)
    assert rule_ids(findings) == ["OT-NCCI-001"]
    assert "59 does not bypass" in findings[0].message


def test_97530_with_97535_has_no_edit() -> None:
    assert run(PTP, claim_with_lines(line("97530", 2, 30), line("97535", 1, 15))) == []


@pytest.mark.parametrize(
    ("days", "found"),
    [
        (("2021-12-31", "2021-12-31"), ["OT-NCCI-002"]),  # the edit's last day
        (("2022-01-01", "2022-01-01"), []),
        # A claim spanning the edit's end: only the day it was in force is paired.
        (("2021-12-31", "2022-01-03"), []),
        (("2021-12-31", "2021-12-31", "2022-01-03", "2022-01-03"), ["OT-NCCI-002"]),
    ],
)
def test_an_ended_edit_pairs_only_the_dates_it_was_in_force(
    days: tuple[str, ...], found: list[str]
) -> None:
    # 97530 with 97535 had an indicator-1 edit until 2021-12-31; the screen on the
    # claim's dates must not hide it from a claim that has such a date.
    codes = ("97530", "97535")
    lines = [line(codes[k % 2], 1, 15, date_of_service=day) for k, day in enumerate(days)]
    assert rule_ids(run(PTP, claim_with_lines(*lines))) == found


def test_pairs_only_within_one_date() -> None:
    claim = claim_with_lines(
        line("97150", 1, 30, date_of_service="2026-03-02"),
        line("97530", 2, 30, date_of_service="2026-03-03"),
    )
    assert run(PTP, claim) == []


def test_edits_are_dated_by_the_date_of_service() -> None:
    # 97140 → 97530 (indicator 1) was deleted after 2019-12-31.
    old = claim_with_lines(
        line("97140", 1, 15, date_of_service="2019-06-03"),
        line("97530", 1, 15, date_of_service="2019-06-03"),
    )
    assert [(f.rule_id, f.line) for f in run(PTP, old)] == [("OT-NCCI-002", 1)]
    new = claim_with_lines(line("97140", 1, 15), line("97530", 1, 15))
    assert run(PTP, new) == []


def test_same_code_twice_is_not_a_pair() -> None:
    assert run(PTP, claim_with_lines(line("97530", 1, 15), line("97530", 1, 15))) == []


def test_anatomic_modifiers_on_different_sites_bypass() -> None:
    # 97760 → 97110 is an indicator-1 edit.
    different = claim_with_lines(
        line("97760", 1, 15, modifiers=("GO", "RT")),
        line("97110", 1, 15, modifiers=("GO", "LT")),
    )
    assert rule_ids(run(PTP, different)) == ["OT-NCCI-003"]
    same = claim_with_lines(
        line("97760", 1, 15, modifiers=("GO", "RT")),
        line("97110", 1, 15, modifiers=("GO", "RT")),
    )
    assert rule_ids(run(PTP, same)) == ["OT-NCCI-002"]


def test_host_supplied_ncci_table_is_used() -> None:
    text = "column1,column2,deletion_date,modifier_indicator\n97530,97535,,0\n"
    table = load_ncci(io.StringIO(text), edition="2026Q2 test")
    claim = claim_with_lines(line("97530", 2, 30), line("97535", 1, 15))
    findings = run(PTP, claim, ncci=table)
    assert rule_ids(findings) == ["OT-NCCI-001"]
    assert "2026Q2 test" in findings[0].message
    # ... and the shipped pairs are not consulted.
    assert run(PTP, claim_with_lines(line("97150", 1, 30), line("97530", 2, 30)), ncci=table) == []


# ------------------------------------------------------------------ MUE


def test_97110_seven_units_exceeds_practitioner_mue() -> None:
    findings = run(ncci.mue_exceeded, claim_with_lines(line("97110", 7, 105)))
    assert rule_ids(findings) == ["OT-MUE-001"]
    f = findings[0]
    assert f.severity is Severity.ERROR
    assert f.line == 0
    assert "MUE of 6" in f.message
    assert "MAI 3" in f.message
    assert "2024-04-01" in f.message


def test_97110_six_units_passes() -> None:
    assert run(ncci.mue_exceeded, claim_with_lines(line("97110", 6, 90))) == []


def test_per_day_mue_sums_lines() -> None:
    claim = claim_with_lines(line("97110", 4, 60), line("97110", 3, 45))
    findings = run(ncci.mue_exceeded, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-MUE-001", 0)]
    assert "7 units across 2 lines" in findings[0].message


def test_per_day_mue_counts_each_date_apart() -> None:
    claim = claim_with_lines(
        line("97110", 4, 60, date_of_service="2026-03-02"),
        line("97110", 3, 45, date_of_service="2026-03-03"),
    )
    assert run(ncci.mue_exceeded, claim) == []


def test_mai_2_message() -> None:
    findings = run(ncci.mue_exceeded, claim_with_lines(line("97165", 2, None)))
    assert rule_ids(findings) == ["OT-MUE-001"]
    assert "MAI 2" in findings[0].message
    assert "no modifier" in findings[0].message


def test_zero_mue_orthotic_goes_to_the_dme_mac() -> None:
    findings = run(ncci.mue_exceeded, claim_with_lines(line("L3906", 1, None, modifiers=())))
    assert rule_ids(findings) == ["OT-MUE-001"]
    assert "not payable on a practitioner claim" in findings[0].message
    assert "DME MAC" in findings[0].message


def test_zero_mue_bundled_code() -> None:
    findings = run(ncci.mue_exceeded, claim_with_lines(line("97010", 1, None)))
    assert "not payable on a practitioner claim" in findings[0].message
    assert "DME MAC" not in findings[0].message


def test_host_supplied_mue_table_with_mai_1_is_per_line() -> None:
    text = "hcpcs,service_type,mue_units,mai\n97110,Practitioner,4,1\n"
    table = load_mue(io.StringIO(text), edition="2026-07-01 test")
    split = claim_with_lines(line("97110", 4, 60), line("97110", 3, 45, modifiers=("GO", "59")))
    assert run(ncci.mue_exceeded, split, mue=table) == []
    one = claim_with_lines(line("97110", 5, 75))
    findings = run(ncci.mue_exceeded, one, mue=table)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-MUE-001", 0)]
    assert "MAI 1" in findings[0].message
    assert "2026-07-01 test" in findings[0].message


def test_codes_without_mue_pass() -> None:
    text = "hcpcs,service_type,mue_units,mai\n97530,Practitioner,4,3\n"
    table = load_mue(io.StringIO(text), edition="x")
    assert run(ncci.mue_exceeded, claim_with_lines(line("97110", 9, 135)), mue=table) == []


# ------------------------------------------------------------------ module


def test_example_claims() -> None:
    validator = all_of(*ncci.RULES)
    ncci_claim = json.loads((EXAMPLES / "ncci.json").read_text())
    assert [(f.rule_id, f.line) for f in run(validator, ncci_claim)] == [
        ("OT-NCCI-001", 4),
        ("OT-NCCI-002", 1),
        ("OT-NCCI-003", 2),
    ]
    mue_claim = json.loads((EXAMPLES / "mue.json").read_text())
    assert [(f.rule_id, f.line) for f in run(validator, mue_claim)] == [
        ("OT-MUE-001", 0),
        ("OT-MUE-001", 1),
    ]


def test_catalogue() -> None:
    assert [(r.rule_id, r.severity) for r in ncci.RULES] == [
        ("OT-NCCI-001", Severity.ERROR),
        ("OT-NCCI-002", Severity.ERROR),
        ("OT-NCCI-003", Severity.INFO),
        ("OT-MUE-001", Severity.ERROR),
    ]
    assert all(r.source and r.summary for r in ncci.RULES)
