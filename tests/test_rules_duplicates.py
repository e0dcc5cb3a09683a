"""Duplicate service lines: the same code, modifiers and date of service twice.

Facts from ../shared/reference/medicare-rules.md §3.5 and §3.7: 76 marks a repeat by
the same clinician, 77 by another; 59 and its 2015 subsets XE, XS, XP, XU mark a
distinct service; R9 (§1.3): a timed code takes one line per date of service.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding.claim import Claim
from otcoding.findings import Severity
from otcoding.validators import Context, Settings, all_of, duplicates

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def _group(**kw: Any) -> dict[str, Any]:
    """97150, group therapy: untimed, one unit per patient per session."""
    return line("97150", 1, 40, **kw)


def test_clean_claim_has_no_duplicates() -> None:
    assert run(all_of(*duplicates.RULES), clean_claim()) == []


def test_untimed_line_entered_twice_is_an_error_on_the_second() -> None:
    findings = run(duplicates.duplicate_line, claim_with_lines(_group(), _group()))
    assert rule_ids(findings) == ["OT-DUP-001"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert "Line 1 repeats line 0" in f.message
    assert "97150 (GO) on 2026-03-02" in f.message
    assert f.fix is not None
    for modifier in ("76", "77", "XE"):
        assert modifier in f.fix
    assert "CARC 18" in f.source
    assert "76/77/59/X{EPSU}" in f.source


def test_timed_line_twice_points_to_one_line_per_day() -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97535", 1, 15), line("97530", 2, 30))
    findings = run(duplicates.duplicate_line, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DUP-001", 2)]
    assert "Line 2 repeats line 0" in findings[0].message
    assert findings[0].fix is not None
    assert "97530 on line 0" in findings[0].fix
    assert "one line per date of service" in findings[0].fix


def test_every_later_copy_is_reported_against_the_first() -> None:
    findings = run(duplicates.duplicate_line, claim_with_lines(_group(), _group(), _group()))
    assert [(f.line, f.message.split(":")[0]) for f in findings] == [
        (1, "Line 1 repeats line 0"),
        (2, "Line 2 repeats line 0"),
    ]


def test_units_and_charge_do_not_make_a_line_different() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, charge="120.00"), line("97530", 1, 15, charge="60.00")
    )
    assert [f.line for f in run(duplicates.duplicate_line, claim)] == [1]


def test_different_dates_of_service_do_not_collide() -> None:
    claim = claim_with_lines(
        _group(date_of_service="2026-03-02"),
        _group(date_of_service="2026-03-03"),
        line("97530", 2, 30, date_of_service="2026-03-02"),
        line("97530", 2, 30, date_of_service="2026-03-04"),
    )
    assert run(duplicates.duplicate_line, claim) == []


def test_different_codes_on_one_day_do_not_collide() -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97535", 2, 30), line("97110", 2, 30))
    assert run(duplicates.duplicate_line, claim) == []


def test_different_modifiers_make_a_different_line() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, modifiers=["GO"]),
        line("97530", 2, 30, modifiers=["GO", "KX"]),
    )
    assert run(duplicates.duplicate_line, claim) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (["GO", "KX"], ["KX", "GO"]),  # order on the line does not matter
        (["GO"], ["go"]),  # nor case
        (["GO"], [" go "]),  # nor surrounding whitespace
        (["go", "kx"], [" KX", "GO "]),
    ],
)
def test_modifiers_are_compared_as_a_set_of_normalised_codes(
    first: list[str], second: list[str]
) -> None:
    claim = claim_with_lines(_group(modifiers=first), _group(modifiers=second))
    assert [(f.rule_id, f.line) for f in run(duplicates.duplicate_line, claim)] == [
        ("OT-DUP-001", 1)
    ]


def test_repeat_modifier_on_the_second_line_passes() -> None:
    # The shape CMS expects for a service really given twice: the repeat carries 76.
    claim = claim_with_lines(_group(), _group(modifiers=["GO", "76"]))
    assert run(duplicates.duplicate_line, claim) == []


@pytest.mark.parametrize("modifier", ["76", "77", "59", "XE", "XP", "XS", "XU", "xe", " 59 "])
def test_repeat_or_distinct_modifier_on_identical_lines_passes(modifier: str) -> None:
    claim = claim_with_lines(
        _group(modifiers=["GO", modifier]), _group(modifiers=[modifier.strip().upper(), "GO"])
    )
    assert run(duplicates.duplicate_line, claim) == []


def test_repeat_modifiers_are_the_documented_set() -> None:
    # 76/77 (repeat, same or other clinician); 59 and the XE/XP/XS/XU subsets.
    assert {"76", "77", "59", "XE", "XP", "XS", "XU"} == duplicates.REPEAT_MODIFIERS


@pytest.mark.parametrize("modifier", ["KX", "CO", "GA", "52"])
def test_other_modifiers_do_not_mark_a_repeat(modifier: str) -> None:
    claim = claim_with_lines(_group(modifiers=["GO", modifier]), _group(modifiers=[modifier, "GO"]))
    assert rule_ids(run(duplicates.duplicate_line, claim)) == ["OT-DUP-001"]


def test_line_without_modifiers_is_named_so() -> None:
    claim = claim_with_lines(_group(modifiers=()), _group(modifiers=()))
    findings = run(duplicates.duplicate_line, claim)
    assert rule_ids(findings) == ["OT-DUP-001"]
    assert "97150 (no modifiers)" in findings[0].message


def test_duplicate_lines_is_shared_through_the_context() -> None:
    claim = Claim.from_dict(claim_with_lines(_group(), line("97530", 2, 30), _group()))
    ctx = Context(claim, Settings())
    assert dict(duplicates.duplicate_lines(ctx)) == {2: 0}
    assert duplicates.repeats_a_code(ctx) is True
    single = Claim.from_dict(clean_claim())
    assert duplicates.repeats_a_code(Context(single, Settings())) is False


def test_rule_metadata() -> None:
    assert [(r.rule_id, r.severity, r.payers) for r in duplicates.RULES] == [
        ("OT-DUP-001", Severity.ERROR, ("medicare", "medicaid", "commercial"))
    ]


def test_example_claim() -> None:
    # Lines 0/1: 97150-GO twice on 03-02 → 1. Lines 2/3: the repeat carries 76 → none.
    # Lines 4/5: 97110-GO twice on 03-06 → 5, with the timed-code fix.
    claim = json.loads((EXAMPLES / "duplicates.json").read_text(encoding="utf-8"))
    findings = run(all_of(*duplicates.RULES), claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-DUP-001", 1, Severity.ERROR),
        ("OT-DUP-001", 5, Severity.ERROR),
    ]
    assert "add 76" in (findings[0].fix or "")
    assert "97110 on line 4" in (findings[1].fix or "")
