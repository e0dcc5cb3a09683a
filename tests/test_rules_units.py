"""Units rules: the 8-minute rule per date of service, once-per-session codes, one line per code.

The CMS worked examples are from ../shared/reference/medicare-rules.md §1.4 (CMS Pub
100-04 ch.5 §20.2); CMS-1 to CMS-3 are confirmed word for word (§13), CMS-4 in
paraphrase, CMS-5 (7/7/7) is UNCONFIRMED and tested here only as the R6 pairing rule.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding.findings import Finding, Severity
from otcoding.validators import all_of, units

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"
UNIT_RULES = all_of(units.units_over, units.units_under)


def _day(*billed: tuple[str, int, int | None], **changes: Any) -> dict[str, Any]:
    """A claim whose lines are (code, units, minutes) on the default date of service."""
    return claim_with_lines(*(line(c, u, m) for c, u, m in billed), **changes)


def _verdicts(findings: list[Finding]) -> list[tuple[str, int | None]]:
    return [(f.rule_id, f.line) for f in findings]


def test_clean_claim_passes_every_units_rule() -> None:
    for payer in ("medicare", "medicaid", "commercial"):
        assert run(all_of(*units.RULES), clean_claim(payer=payer)) == []


# ------------------------------------------------------------------ CMS worked examples


def test_cms_1_24_and_23_minutes() -> None:
    assert run(UNIT_RULES, _day(("97112", 2, 24), ("97110", 1, 23))) == []
    # The extra unit belongs to the code with more minutes left over (9 vs 8).
    wrong = run(UNIT_RULES, _day(("97112", 1, 24), ("97110", 2, 23)))
    assert _verdicts(wrong) == [("OT-UNITS-001", 1), ("OT-UNITS-002", 0)]


@pytest.mark.parametrize(("first", "second"), [(2, 1), (1, 2)])
def test_cms_2_twenty_and_twenty_may_split_either_way(first: int, second: int) -> None:
    assert run(UNIT_RULES, _day(("97112", first, 20), ("97110", second, 20))) == []


def test_cms_2_never_three_units_of_one_code_nor_four_in_all() -> None:
    three = run(UNIT_RULES, _day(("97112", 3, 20), ("97110", 0, 20)))
    assert _verdicts(three) == [("OT-UNITS-001", 0), ("OT-UNITS-002", 1)]
    four = run(UNIT_RULES, _day(("97112", 2, 20), ("97110", 2, 20)))
    assert rule_ids(four) == ["OT-UNITS-001"]
    assert "over by 1" in four[0].message


def test_cms_3_thirty_three_and_seven_minutes() -> None:
    assert run(UNIT_RULES, _day(("97110", 2, 33), ("97140", 1, 7))) == []
    findings = run(UNIT_RULES, _day(("97110", 3, 33), ("97140", 0, 7)))
    assert _verdicts(findings) == [("OT-UNITS-001", 0), ("OT-UNITS-002", 1)]
    over, under = findings
    assert over.severity is Severity.ERROR
    assert "billed for 3 units but the minutes support 2: over by 1" in over.message
    assert "40 timed min → 3 units (CMS total-time method)" in over.message
    assert over.fix == "Bill 97110 × 2 (the day: 97110 × 2, 97140 × 1)"
    assert under.severity is Severity.WARNING
    assert "revenue left unbilled" in under.message
    assert "CMS Pub 100-04 ch.5 §20.2" in over.source


def test_cms_4_the_eight_minutes_of_ultrasound_are_not_billed() -> None:
    day = [("97110", 1, 18), ("97140", 1, 13), ("97116", 1, 10)]
    assert run(UNIT_RULES, _day(*day, ("97035", 0, 8))) == []
    findings = run(UNIT_RULES, _day(*day, ("97035", 1, 8)))
    assert _verdicts(findings) == [("OT-UNITS-001", 3)]


def test_cms_5_pairing_small_remainders_gives_one_unit_to_any_one_code() -> None:
    for billed in ((1, 0, 0), (0, 1, 0), (0, 0, 1)):
        day = [(c, u, 7) for c, u in zip(("97112", "97110", "97140"), billed, strict=True)]
        assert run(UNIT_RULES, _day(*day)) == []
    both = run(UNIT_RULES, _day(("97112", 1, 7), ("97110", 1, 7), ("97140", 0, 7)))
    assert rule_ids(both) == ["OT-UNITS-001"]


def test_cms_6_single_code_from_the_chart() -> None:
    assert run(UNIT_RULES, _day(("97530", 4, 60))) == []
    assert rule_ids(run(UNIT_RULES, _day(("97530", 5, 60)))) == ["OT-UNITS-001"]


def test_fifty_minutes_billed_as_four_units_is_over() -> None:
    findings = run(UNIT_RULES, _day(("97110", 2, 25), ("97530", 2, 25)))
    assert rule_ids(findings) == ["OT-UNITS-001"]
    assert "50 timed min → 3 units" in findings[0].message


# ------------------------------------------------------------------ methods and grouping


def test_commercial_uses_the_cpt_midpoint_method() -> None:
    claim = _day(("97110", 2, 33), ("97140", 1, 7), payer="commercial")
    findings = run(UNIT_RULES, claim)
    assert _verdicts(findings) == [("OT-UNITS-001", 1)]
    assert "CPT per-code midpoint method" in findings[0].message
    # The method is a setting: commercial claims can be judged the CMS way.
    assert run(UNIT_RULES, claim, unit_method="cms") == []


def test_under_billing_is_a_warning() -> None:
    findings = run(units.units_under, _day(("97530", 2, 45)))
    assert rule_ids(findings) == ["OT-UNITS-002"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].fix == "Bill 97530 × 3 (the day: 97530 × 3)"
    assert run(units.units_over, _day(("97530", 2, 45))) == []


def test_same_code_on_two_lines_is_summed_before_comparing() -> None:
    # CO split: the assistant's unit on its own line, as in CMS's CQ/CO examples.
    claim = claim_with_lines(line("97110", 1, 15), line("97110", 1, 15, modifiers=["GO", "CO"]))
    assert run(all_of(*units.RULES), claim) == []
    over = claim_with_lines(line("97110", 2, 15), line("97110", 1, 15, modifiers=["GO", "CO"]))
    findings = run(UNIT_RULES, over)
    assert _verdicts(findings) == [("OT-UNITS-001", 0)]
    assert "billed for 3 units but the minutes support 2" in findings[0].message


def test_each_date_of_service_is_judged_alone() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30), line("97530", 1, 20, date_of_service="2026-03-03")
    )
    assert run(UNIT_RULES, claim) == []
    claim = claim_with_lines(
        line("97530", 2, 30), line("97530", 2, 20, date_of_service="2026-03-03")
    )
    findings = run(UNIT_RULES, claim)
    assert _verdicts(findings) == [("OT-UNITS-001", 1)]
    assert "2026-03-03" in findings[0].message


def test_untimed_minutes_never_count() -> None:
    assert run(UNIT_RULES, _day(("97166", 1, 45), ("97530", 2, 30))) == []
    findings = run(UNIT_RULES, _day(("97166", 1, 45), ("97530", 3, 30)))
    assert _verdicts(findings) == [("OT-UNITS-001", 1)]


def test_unknown_and_deleted_codes_are_left_to_the_codes_rules() -> None:
    claim = _day(("97532", 4, 15), ("99999", 3, 10), ("97530", 2, 30))
    assert run(all_of(*units.RULES), claim) == []


def test_codes_in_other_time_blocks_are_not_judged_by_the_8_minute_rule() -> None:
    assert run(all_of(*units.RULES), _day(("97550", 1, 30), ("97530", 2, 30))) == []


# ------------------------------------------------------------------ OT-UNITS-003


def test_timed_line_without_minutes_warns_and_cms_day_is_not_judged() -> None:
    claim = _day(("97110", 1, None), ("97530", 5, 30))
    findings = run(all_of(*units.RULES), claim)
    assert _verdicts(findings) == [("OT-UNITS-003", 0)]
    assert findings[0].severity is Severity.WARNING
    assert "no timed line on 2026-03-02 was checked" in findings[0].message


def test_timed_line_without_minutes_under_cpt_skips_only_that_code() -> None:
    claim = _day(("97110", 1, None), ("97530", 5, 30), payer="commercial")
    findings = run(all_of(*units.RULES), claim)
    assert _verdicts(findings) == [("OT-UNITS-001", 1), ("OT-UNITS-003", 0)]
    assert "the units of 97110 were not checked" in findings[1].message


def test_untimed_line_without_minutes_passes() -> None:
    assert run(units.timed_without_minutes, _day(("97150", 1, None), ("97530", 2, 30))) == []


# ------------------------------------------------------------------ OT-UNITS-004


@pytest.mark.parametrize("code", ["97165", "97168", "97150", "97012", "G0283", "92526"])
def test_once_per_session_code_with_several_units(code: str) -> None:
    findings = run(units.one_per_session, _day((code, 2, 30)))
    assert rule_ids(findings) == ["OT-UNITS-004"]
    assert findings[0].fix == f"Bill {code} × 1"


def test_once_per_session_code_with_one_unit_passes() -> None:
    assert run(units.one_per_session, _day(("97150", 1, 45), ("97166", 1, 45))) == []


def test_untimed_codes_counted_per_item_are_left_to_mue() -> None:
    # 95851 is per extremity, 29130 per finger: several units can be right.
    assert run(units.one_per_session, _day(("95851", 2, None), ("29130", 3, None))) == []


# ------------------------------------------------------------------ OT-UNITS-005


def test_timed_code_on_two_lines_for_medicare() -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97530", 1, 15, modifiers=["GO", "59"]))
    findings = run(units.timed_code_split, claim)
    assert _verdicts(findings) == [("OT-UNITS-005", 1)]
    assert "already billed on line 0" in findings[0].message
    assert "(3 as billed, 45 min)" in (findings[0].fix or "")


def test_exact_duplicate_line_is_left_to_the_duplicates_rule() -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97530", 2, 30))
    assert run(units.timed_code_split, claim) == []


def test_one_line_per_code_per_date_passes() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30), line("97530", 2, 30, date_of_service="2026-03-03")
    )
    assert run(units.timed_code_split, claim) == []
    # Untimed codes may repeat (a second session is marked 76).
    untimed = claim_with_lines(line("97150", 1, 30), line("97150", 1, 30, modifiers=["GO", "76"]))
    assert run(units.timed_code_split, untimed) == []


def test_split_only_by_the_assistant_modifier_passes() -> None:
    claim = claim_with_lines(line("97110", 1, 15), line("97110", 1, 15, modifiers=["GO", "CO"]))
    assert run(units.timed_code_split, claim) == []


def test_one_line_rule_is_medicare_only_and_dated_by_receipt() -> None:
    split = [
        line("97530", 2, 30, date_of_service="2021-03-01"),
        line("97530", 1, 15, modifiers=["GO", "59"], date_of_service="2021-03-01"),
    ]
    assert run(units.timed_code_split, claim_with_lines(*split, payer="commercial")) == []
    early = claim_with_lines(*split, submitted_on="2021-03-15")
    assert run(units.timed_code_split, early) == []
    late = claim_with_lines(*split, submitted_on="2021-04-19")
    assert rule_ids(run(units.timed_code_split, late)) == ["OT-UNITS-005"]


# ------------------------------------------------------------------ catalogue, example


def test_rule_metadata() -> None:
    assert [r.rule_id for r in units.RULES] == [f"OT-UNITS-00{n}" for n in range(1, 6)]
    assert [r.severity for r in units.RULES] == [
        Severity.ERROR,
        Severity.WARNING,
        Severity.WARNING,
        Severity.ERROR,
        Severity.ERROR,
    ]
    assert units.timed_code_split.payers == ("medicare",)


def test_example_claim_triggers_the_units_rules() -> None:
    claim = json.loads((EXAMPLES / "units.json").read_text(encoding="utf-8"))
    findings = run(all_of(*units.RULES), claim)
    assert _verdicts(findings) == [
        ("OT-UNITS-001", 0),
        ("OT-UNITS-002", 1),
        ("OT-UNITS-003", 2),
        ("OT-UNITS-004", 3),
        ("OT-UNITS-005", 5),
    ]


@pytest.mark.parametrize("payer", ["medicare", "medicaid", "commercial"])
def test_repeated_lines_whose_units_pass_a_day_leave_the_day_unjudged(payer: str) -> None:
    # Found by deep fuzzing: two lines of one code, each within the model's 999 units,
    # add up to 1,441, more than the comparison accepts; check() raised
    # InvalidInputError for a claim the model had accepted.
    repeated = _day(("97530", 979, 0), ("97530", 462, 0), payer=payer)
    assert run(UNIT_RULES, repeated) == []
    found = rule_ids(otcoding.for_payer(payer).check(repeated).findings)
    assert "OT-DUP-001" in found  # the repeat is still reported
    # One unit fewer is a day the comparison takes: judged, and over by far.
    judged = _day(("97530", 979, 0), ("97530", 461, 0), payer=payer)
    assert [f.rule_id for f in run(UNIT_RULES, judged)] == ["OT-UNITS-001"]
