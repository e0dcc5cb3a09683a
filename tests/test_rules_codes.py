"""Code validity rules: unknown and deleted codes, modifiers, places of service, PFS status.

Dates from ../shared/reference/medicare-rules.md §9 and code-tables.md §1d: 97532
deleted 2018-01-01 (→ 97127, Medicare G0515); 97127 and G0515 deleted 2020-01-01
(→ 97129/+97130); 97763 added 2018-01-01 (replacing 97762).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding.findings import Severity
from otcoding.validators import all_of, codes

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def test_clean_claim_passes_every_code_rule() -> None:
    assert run(all_of(*codes.RULES), clean_claim()) == []
    assert run(all_of(*codes.RULES), clean_claim(payer="commercial")) == []


# ------------------------------------------------------------------ OT-CODE-001


def test_unknown_code_is_an_error() -> None:
    findings = run(codes.unknown_code, claim_with_lines(line("99999", 1, 15)))
    assert rule_ids(findings) == ["OT-CODE-001"]
    assert findings[0].severity is Severity.ERROR
    assert findings[0].line == 0
    assert "99999" in findings[0].message
    # A deleted code is not "unknown": OT-CODE-002 reports it instead.
    old = claim_with_lines(line("97532", 1, 15, date_of_service="2021-06-01"))
    assert run(codes.unknown_code, old) == []
    assert run(codes.code_not_in_effect, claim_with_lines(line("99999", 1, 15))) == []


def test_known_code_passes() -> None:
    assert run(codes.unknown_code, claim_with_lines(line("97530", 2, 30))) == []


# ------------------------------------------------------------------ OT-CODE-002


def test_97532_after_2017_says_when_deleted_and_what_replaced_it() -> None:
    medicare = run(
        codes.code_not_in_effect,
        claim_with_lines(line("97532", 1, 15, date_of_service="2018-03-01")),
    )
    assert rule_ids(medicare) == ["OT-CODE-002"]
    message = medicare[0].message
    assert "deleted on 2018-01-01" in message
    assert "2017-12-31" in message
    assert "97127, G0515" in message
    # Medicare does not recognise 97127 (status I), so the fix points to G0515.
    assert medicare[0].fix == "Bill G0515 instead, as documented"
    commercial = run(
        codes.code_not_in_effect,
        claim_with_lines(line("97532", 1, 15, date_of_service="2018-03-01"), payer="commercial"),
    )
    assert commercial[0].fix == "Bill 97127/G0515 instead, as documented"


def test_97532_in_2026_follows_the_chain_to_97129() -> None:
    findings = run(codes.code_not_in_effect, claim_with_lines(line("97532", 1, 15)))
    assert rule_ids(findings) == ["OT-CODE-002"]
    assert "on 2026-03-02 the code in effect is 97129/+97130" in findings[0].message
    assert findings[0].fix == "Bill 97129/+97130 instead, as documented"


def test_97532_before_its_deletion_passes() -> None:
    claim = claim_with_lines(line("97532", 1, 15, date_of_service="2017-12-31"))
    assert run(codes.code_not_in_effect, claim) == []


def test_97127_after_2019_is_an_error_and_in_2019_passes() -> None:
    late = run(
        codes.code_not_in_effect,
        claim_with_lines(line("97127", 1, 30, date_of_service="2020-01-01")),
    )
    assert rule_ids(late) == ["OT-CODE-002"]
    assert "deleted on 2020-01-01" in late[0].message
    assert "replaced by 97129, 97130" in late[0].message
    assert late[0].fix == "Bill 97129/+97130 instead, as documented"
    in_time = claim_with_lines(line("97127", 1, 30, date_of_service="2019-06-03"))
    assert run(codes.code_not_in_effect, in_time) == []


def test_code_before_it_starts_names_the_start_and_its_predecessor() -> None:
    findings = run(
        codes.code_not_in_effect,
        claim_with_lines(line("97763", 1, 15, date_of_service="2017-06-01")),
    )
    assert rule_ids(findings) == ["OT-CODE-002"]
    assert "starts on 2018-01-01" in findings[0].message
    assert "97762" in findings[0].message
    assert "97762" in (findings[0].fix or "")


def test_old_ot_evaluation_code_after_2016() -> None:
    findings = run(
        codes.code_not_in_effect,
        claim_with_lines(line("97003", 1, 45, date_of_service="2017-02-01")),
    )
    assert "replaced by 97165, 97166, 97167" in findings[0].message


# ------------------------------------------------------------------ OT-CODE-003


@pytest.mark.parametrize(
    ("modifier", "dos", "expected"),
    [
        ("ZZ", "2026-03-02", "not a known CPT or HCPCS modifier"),
        ("GD", "2020-03-02", "deleted 2020-01-01"),
        ("XU", "2014-06-02", "starts on 2015-01-01"),
        ("96", "2017-06-01", "starts on 2018-01-01"),
    ],
)
def test_modifier_unknown_or_not_in_effect(modifier: str, dos: str, expected: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30, modifiers=["GO", modifier], date_of_service=dos))
    findings = run(codes.modifier_not_in_effect, claim)
    assert rule_ids(findings) == ["OT-CODE-003"]
    assert expected in findings[0].message
    assert modifier in (findings[0].fix or "")


def test_modifiers_in_effect_pass() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, modifiers=["GO", "KX"]),
        line("97110", 1, 15, modifiers=["GO", "XU"], date_of_service="2015-01-01"),
    )
    assert run(codes.modifier_not_in_effect, claim) == []


# ------------------------------------------------------------------ OT-CODE-004


def test_unassigned_line_place_of_service() -> None:
    claim = claim_with_lines(line("97530", 2, 30, place_of_service="28"))
    findings = run(codes.place_of_service_invalid, claim)
    assert rule_ids(findings) == ["OT-CODE-004"]
    assert findings[0].line == 0
    assert "unassigned" in findings[0].message


def test_claim_place_of_service_not_yet_in_effect_is_reported_once() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2021-06-01"),
        line("97535", 1, 15, date_of_service="2021-06-02"),
        place_of_service="10",
    )
    findings = run(codes.place_of_service_invalid, claim)
    assert rule_ids(findings) == ["OT-CODE-004"]
    assert findings[0].line is None
    assert "starts on 2022-01-01" in findings[0].message


@pytest.mark.parametrize(
    ("days", "found"),
    [
        (("2021-12-31", "2022-01-03"), ["OT-CODE-004"]),  # in effect on the last date only
        (("2022-01-01", "2022-01-03"), []),  # its first day of effect on
    ],
)
def test_claim_place_of_service_is_judged_on_every_date(
    days: tuple[str, str], found: list[str]
) -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service=days[0]),
        line("97535", 1, 15, date_of_service=days[1]),
        place_of_service="10",
    )
    assert rule_ids(run(codes.place_of_service_invalid, claim)) == found


def test_unknown_claim_place_of_service() -> None:
    findings = run(codes.place_of_service_invalid, clean_claim(place_of_service="00"))
    assert rule_ids(findings) == ["OT-CODE-004"]
    assert "not a CMS place-of-service code" in findings[0].message


def test_valid_places_of_service_pass() -> None:
    claim = claim_with_lines(line("97530", 2, 30, place_of_service="10"), place_of_service="11")
    assert run(codes.place_of_service_invalid, claim) == []
    assert run(codes.place_of_service_invalid, clean_claim(place_of_service=None)) == []


# ------------------------------------------------------------------ OT-CODE-005


def test_97014_is_not_valid_for_medicare() -> None:
    findings = run(codes.medicare_invalid, claim_with_lines(line("97014", 1, 15)))
    assert rule_ids(findings) == ["OT-CODE-005"]
    assert "status I" in findings[0].message
    assert findings[0].fix == "Bill G0283 instead of 97014"


def test_97127_in_2019_points_medicare_to_g0515() -> None:
    claim = claim_with_lines(line("97127", 1, 30, date_of_service="2019-06-03"))
    assert run(codes.medicare_invalid, claim)[0].fix == "Bill G0515 instead of 97127"


def test_status_i_passes_for_other_payers_and_g0283_passes() -> None:
    commercial = claim_with_lines(line("97014", 1, 15), payer="commercial")
    assert run(codes.medicare_invalid, commercial) == []
    assert run(codes.medicare_invalid, claim_with_lines(line("G0283", 1, 15))) == []


# ------------------------------------------------------------------ OT-CODE-006


def test_bundled_code_warns_for_medicare() -> None:
    findings = run(codes.medicare_bundled, claim_with_lines(line("97010", 1, 10)))
    assert rule_ids(findings) == ["OT-CODE-006"]
    assert findings[0].severity is Severity.WARNING
    assert "status B" in findings[0].message


def test_bundled_code_passes_for_commercial_and_paid_code_passes() -> None:
    assert (
        run(codes.medicare_bundled, claim_with_lines(line("97010", 1, 10), payer="commercial"))
        == []
    )
    assert run(codes.medicare_bundled, claim_with_lines(line("97012", 1, 15))) == []


# ------------------------------------------------------------------ catalogue, example


def test_rule_metadata() -> None:
    assert [r.rule_id for r in codes.RULES] == [f"OT-CODE-00{n}" for n in range(1, 7)]
    assert [r.severity for r in codes.RULES] == [Severity.ERROR] * 5 + [Severity.WARNING]
    assert codes.medicare_invalid.payers == ("medicare",)
    assert all(r.source for r in codes.RULES)


def test_example_claim_triggers_the_code_rules() -> None:
    claim = json.loads((EXAMPLES / "codes.json").read_text(encoding="utf-8"))
    findings = run(all_of(*codes.RULES), claim)
    assert sorted(set(rule_ids(findings))) == [f"OT-CODE-00{n}" for n in range(1, 7)]
