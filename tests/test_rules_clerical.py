"""Clerical rules: OT-CLER-001 (NPI) to OT-CLER-007 (no diagnosis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line, rule_ids, run
from hypothesis import given
from hypothesis import strategies as st
from strategies import mbis, npi_check_digit, npis
from test_rules_plan_of_care import ALL_MINE, SENTINEL_PATIENT, assert_no_patient_data

import otcoding
from otcoding.findings import Severity
from otcoding.validators import Rule, all_of
from otcoding.validators.clerical import (
    RULES,
    birth_after_service,
    date_after_submission_or_today,
    diagnosis_malformed,
    icd10cm_shaped,
    invalid_npi,
    is_mbi,
    member_id_not_mbi,
    no_diagnosis,
    npi_is_valid,
    pointer_out_of_range,
)

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def patient(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "P-1", "birth_date": "1950-03-01", "member_id": "1EG4TE5MK73"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def test_rules_have_stable_ids_severities_and_sources() -> None:
    assert [(r.rule_id, r.severity) for r in RULES] == [
        (f"OT-CLER-00{n}", Severity.ERROR) for n in range(1, 7)
    ] + [("OT-CLER-007", Severity.WARNING)]
    for r in RULES:
        assert r.source
        assert r.summary
        assert "\n" not in r.summary
    assert {r.rule_id: r.payers for r in RULES}["OT-CLER-004"] == ("medicare",)


@pytest.mark.parametrize("payer", ["medicare", "medicaid", "commercial"])
def test_clean_claim_passes(payer: str) -> None:
    assert run(all_of(*RULES), clean_claim(payer=payer)) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_missing_optional_parts_give_no_finding(rule: Rule) -> None:
    claim = clean_claim(patient=None, provider=None, submitted_on=None)
    if rule.rule_id == "OT-CLER-005":
        claim = claim_with_lines(line("97530", 2, 30, date_of_service="2026-03-10"))
        claim.pop("submitted_on")
    assert run(rule, claim) == []


# --- OT-CLER-001 NPI ----------------------------------------------------------------


@pytest.mark.parametrize("npi", ["1234567893", "1558598797"])
def test_known_valid_npis(npi: str) -> None:
    assert npi_is_valid(npi)
    assert run(invalid_npi, clean_claim(provider={"npi": npi})) == []


@pytest.mark.parametrize(
    ("npi", "why"),
    [
        ("1234567890", "check digit"),
        ("1234567839", "check digit"),  # two digits swapped
        ("123456789", "has 9 digits"),
        ("12345678931", "has 11 digits"),
    ],
)
def test_invalid_npis_are_errors(npi: str, why: str) -> None:
    findings = run(invalid_npi, clean_claim(provider={"npi": npi}))
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-001", None, Severity.ERROR)
    ]
    assert why in findings[0].message
    assert npi in findings[0].message  # a provider identifier, not patient data


def test_plain_luhn_without_the_prefix_is_not_enough() -> None:
    # 1234567897 passes the plain Luhn check of its 10 digits but not with 80840 before it.
    digits = [int(c) for c in "1234567897"]
    plain = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    assert plain % 10 == 0
    assert not npi_is_valid("1234567897")


@given(npis())
def test_generated_npis_are_valid(npi: str) -> None:
    assert npi_is_valid(npi)


@given(st.text("0123456789", min_size=9, max_size=9), st.integers(1, 9))
def test_any_other_check_digit_is_invalid(first9: str, shift: int) -> None:
    wrong = (int(npi_check_digit(first9)) + shift) % 10
    assert not npi_is_valid(first9 + str(wrong))


# --- OT-CLER-002 ICD-10-CM shape -----------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "I69.351",
        "M19.90",
        "M1990",
        "R27.8",
        "M62.81",
        "S52.5XXA",
        "O9A.211",
        "U07.1",
        "Z47.1",
        "G81",
    ],
)
def test_well_shaped_icd10cm_codes(code: str) -> None:
    assert icd10cm_shaped(code)
    assert run(diagnosis_malformed, clean_claim(diagnoses=[code])) == []


@pytest.mark.parametrize(
    "code", ["715.90", "M19.", "M1", "1M9.90", "MM9.90", "M19.9000A", "M19-90", "M19 90", ""]
)
def test_malformed_icd10cm_codes_are_errors(code: str) -> None:
    assert not icd10cm_shaped(code)
    findings = run(diagnosis_malformed, clean_claim(diagnoses=["I69.351", code]))
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-002", None, Severity.ERROR)
    ]
    assert "diagnoses[1]" in findings[0].message


def test_icd9_code_gets_an_icd9_hint() -> None:
    (finding,) = run(diagnosis_malformed, clean_claim(diagnoses=["715.90"]))
    assert "'715.90'" in finding.message
    assert finding.fix is not None
    assert "ICD-9-CM" in finding.fix


def test_long_junk_in_diagnoses_is_not_echoed() -> None:
    junk = "SMITH JOHN 1937-07-13"
    (finding,) = run(diagnosis_malformed, clean_claim(diagnoses=[junk]))
    assert junk not in str(finding)
    assert "21-character value" in finding.message


# --- OT-CLER-003 pointers ---------------------------------------------------------------


def test_pointer_past_the_diagnoses_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, diagnosis_pointers=[1, 2]),
        line("97535", 1, 15, diagnosis_pointers=[3]),
    )
    findings = run(pointer_out_of_range, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-003", 1, Severity.ERROR)
    ]
    assert "pointer 3" in findings[0].message
    assert "2 diagnoses" in findings[0].message


def test_line_without_pointer_is_an_error_when_the_claim_has_diagnoses() -> None:
    claim = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[]))
    findings = run(pointer_out_of_range, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-CLER-003", 0)]
    assert "no diagnosis pointer" in findings[0].message


def test_four_pointers_fine_five_an_error() -> None:
    diagnoses = ["I69.351", "M19.90", "M62.81", "R27.8", "G56.01"]
    four = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[1, 2, 3, 4]))
    five = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[1, 2, 3, 4, 5]))
    assert run(pointer_out_of_range, {**four, "diagnoses": diagnoses}) == []
    findings = run(pointer_out_of_range, {**five, "diagnoses": diagnoses})
    assert rule_ids(findings) == ["OT-CLER-003"]
    assert "5 diagnosis pointers" in findings[0].message


def test_pointer_beyond_twelve_diagnoses_is_an_error() -> None:
    diagnoses = [f"M62.8{n}" if n < 10 else f"R27.{n - 10}" for n in range(13)]
    claim = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[13]), diagnoses=diagnoses)
    findings = run(pointer_out_of_range, claim)
    assert rule_ids(findings) == ["OT-CLER-003"]
    assert "12" in findings[0].message


def test_no_diagnoses_is_left_to_cler_007() -> None:
    claim = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[]), diagnoses=[])
    assert run(pointer_out_of_range, claim) == []
    assert rule_ids(run(no_diagnosis, claim)) == ["OT-CLER-007"]


# --- OT-CLER-004 MBI -------------------------------------------------------------------


@given(mbis())
def test_generated_mbis_are_valid(mbi: str) -> None:
    assert is_mbi(mbi)
    assert is_mbi(mbi.lower())


@pytest.mark.parametrize(
    "member_id",
    [
        "1EG4-TE5-MK73",  # dashes
        "0EG4TE5MK73",  # position 1 is 1-9
        "1SG4TE5MK73",  # S excluded
        "1EG4TE5MK7",  # 10 characters
        "1EG4TE5MK733",  # 12 characters
        "1EGATE5MK73",  # position 4 is a digit
        "1EG4TE5M273",  # position 9 is a letter
        "123456789A",  # an old HICN
        "   ",
        "",
    ],
)
def test_malformed_mbis_are_errors_without_the_value(member_id: str) -> None:
    findings = run(member_id_not_mbi, clean_claim(patient=patient(member_id=member_id)))
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-004", None, Severity.ERROR)
    ]
    assert findings[0].message in (
        "patient.member_id is not a valid MBI",
        "patient.member_id is empty",
    )
    if member_id.strip():
        assert member_id not in str(findings[0])


def test_dashes_get_their_own_fix() -> None:
    (finding,) = run(member_id_not_mbi, clean_claim(patient=patient(member_id="1EG4-TE5-MK73")))
    assert finding.fix is not None
    assert "dashes" in finding.fix


def test_lower_case_and_surrounding_spaces_are_accepted() -> None:
    claim = clean_claim(patient=patient(member_id=" 1eg4te5mk73 "))
    assert run(member_id_not_mbi, claim) == []


@pytest.mark.parametrize("payer", ["commercial", "medicaid"])
def test_mbi_format_is_medicare_only(payer: str) -> None:
    claim = clean_claim(payer=payer, patient=patient(member_id="XWD482913377"))
    assert run(member_id_not_mbi, claim) == []


def test_missing_member_id_is_not_guessed() -> None:
    assert run(member_id_not_mbi, clean_claim(patient=patient(member_id=None))) == []


# --- OT-CLER-005 dates after submission or in the future -------------------------------


def test_line_after_submission_is_an_error() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-03-09"),
        line("97530", 2, 30, date_of_service="2026-03-10"),
        submitted_on="2026-03-09",
    )
    findings = run(date_after_submission_or_today, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-005", 1, Severity.ERROR)
    ]
    assert "2026-03-09" in findings[0].message
    assert "submission" in findings[0].message


def test_future_line_is_an_error_when_not_yet_submitted() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-03-10"),  # today
        line("97530", 2, 30, date_of_service="2026-03-11"),
    )
    claim.pop("submitted_on")
    findings = run(date_after_submission_or_today, claim)
    assert [(f.line, f.rule_id) for f in findings] == [(1, "OT-CLER-005")]
    assert "future" in findings[0].message
    assert str(TODAY) in findings[0].message


def test_future_line_is_an_error_even_when_submitted_later() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-03-12"), submitted_on="2026-03-15"
    )
    assert rule_ids(run(date_after_submission_or_today, claim)) == ["OT-CLER-005"]


def test_one_finding_per_line_when_both_apply() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-03-20"), submitted_on="2026-03-09"
    )
    findings = run(date_after_submission_or_today, claim)
    assert len(findings) == 1
    assert "submission" in findings[0].message


# --- OT-CLER-006 birth date after a date of service ------------------------------------


def test_birth_after_service_is_an_error_without_the_birth_date() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, date_of_service="2026-03-01"),
        line("97530", 2, 30, date_of_service="2026-03-02"),
        line("97530", 2, 30, date_of_service="2026-03-03"),
        patient=patient(birth_date="2026-03-02"),
    )
    findings = run(birth_after_service, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-006", 0, Severity.ERROR)
    ]
    assert "2026-03-02" not in str(findings[0])


def test_missing_birth_date_is_not_guessed() -> None:
    assert run(birth_after_service, clean_claim(patient=patient(birth_date=None))) == []


# --- OT-CLER-007 no diagnosis ------------------------------------------------------------


def test_claim_without_diagnoses_is_a_warning() -> None:
    claim = claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[]))
    claim.pop("diagnoses")
    findings = run(no_diagnosis, claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-CLER-007", None, Severity.WARNING)
    ]


def test_one_diagnosis_is_enough() -> None:
    assert run(no_diagnosis, clean_claim(diagnoses=["M62.81"])) == []


# --- patient data never shows -------------------------------------------------------------


def _with_patient(claim: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**claim, "patient": {**SENTINEL_PATIENT, **fields}}


INVALID_MEMBER_ID = "SENTINELX77"  # not an MBI: position 1 must be a digit
LATE_BIRTH = "2026-03-07"  # after the clean claim's date of service, and on no other date

TRIGGERS: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "OT-CLER-001": (clean_claim(provider={"npi": "1234567890"}), {}),
    "OT-CLER-002": (clean_claim(diagnoses=["I69.351", "715.90"]), {}),
    "OT-CLER-003": (claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[7])), {}),
    "OT-CLER-004": (clean_claim(), {"member_id": INVALID_MEMBER_ID}),
    "OT-CLER-005": (clean_claim(submitted_on="2026-03-01"), {}),
    "OT-CLER-006": (clean_claim(), {"birth_date": LATE_BIRTH}),
    "OT-CLER-007": (
        claim_with_lines(line("97530", 2, 30, diagnosis_pointers=[]), diagnoses=[]),
        {},
    ),
}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.rule_id)
def test_findings_never_show_patient_data(rule: Rule) -> None:
    claim, planted = TRIGGERS[rule.rule_id]
    claim = _with_patient(claim, **planted)
    findings = run(rule, claim)
    assert findings
    assert {f.rule_id for f in findings} == {rule.rule_id}
    assert_no_patient_data(findings, claim["patient"])


def test_example_claim_triggers_the_clerical_rules() -> None:
    data = json.loads((EXAMPLES / "clerical.json").read_text(encoding="utf-8"))
    findings = run(ALL_MINE, data, today=TODAY)
    assert sorted((f.rule_id, f.line) for f in findings) == [
        ("OT-CLER-001", None),
        ("OT-CLER-002", None),
        ("OT-CLER-003", 1),
        ("OT-CLER-004", None),
        ("OT-CLER-005", 2),
        ("OT-CLER-006", 0),
        ("OT-CLER-006", 1),
        ("OT-CLER-006", 2),
    ]
    assert_no_patient_data(findings, data["patient"])
