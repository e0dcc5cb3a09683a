"""Discipline-modifier rules: GO missing, GP/GN on OT lines, several disciplines, PT evaluations.

Facts from ../shared/reference/medicare-rules.md §3.1 and §6: GO marks an OT plan of
care, GP a PT one, GN an SLP one, one per line (Pub 100-04 ch.5 §20.1); CR 10176
(Transmittal 3814) returns claims whose always-therapy codes lack the modifier for
dates of service from 2018-01-01, and ties 97161–97164 to GP and 97165–97168 to GO.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding.findings import Severity
from otcoding.validators import all_of, discipline

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def test_clean_claim_passes_every_discipline_rule() -> None:
    for payer in ("medicare", "medicaid", "commercial"):
        assert run(all_of(*discipline.RULES), clean_claim(payer=payer)) == [], payer


# ------------------------------------------------------------------ OT-DISC-001


def test_always_therapy_code_without_go_is_an_error() -> None:
    claim = claim_with_lines(line("97535", 1, 15), line("97530", 2, 30, modifiers=()))
    findings = run(discipline.missing_go, claim)
    assert rule_ids(findings) == ["OT-DISC-001"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert "97530" in f.message
    assert "returned" in f.message
    assert f.fix == "Add GO"
    assert "§20.1" in f.source
    assert "10176" in f.source


def test_missing_go_is_enforced_from_2018() -> None:
    # CR 10176: claims returned from 2018-01-01; the requirement existed before.
    before = run(
        discipline.missing_go,
        claim_with_lines(line("97530", 2, 30, modifiers=(), date_of_service="2017-12-29")),
    )
    assert rule_ids(before) == ["OT-DISC-001"]
    assert before[0].severity is Severity.WARNING
    assert "2018-01-01" in before[0].message
    on = run(
        discipline.missing_go,
        claim_with_lines(line("97530", 2, 30, modifiers=(), date_of_service="2018-01-01")),
    )
    assert [f.severity for f in on] == [Severity.ERROR]


def test_sometimes_therapy_code_without_go_is_a_warning() -> None:
    # 97550 (caregiver training, 2024) is designated sometimes therapy.
    findings = run(discipline.missing_go, claim_with_lines(line("97550", 1, 30, modifiers=())))
    assert rule_ids(findings) == ["OT-DISC-001"]
    assert findings[0].severity is Severity.WARNING
    assert "sometimes-therapy" in findings[0].message
    assert findings[0].fix == "Add GO"


def test_other_modifiers_do_not_stand_in_for_go() -> None:
    findings = run(discipline.missing_go, claim_with_lines(line("97530", 2, 30, modifiers=["KX"])))
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DISC-001", 0)]


def test_missing_go_is_medicare_and_medicaid_only() -> None:
    bare = line("97530", 2, 30, modifiers=())
    assert rule_ids(run(discipline.missing_go, claim_with_lines(bare, payer="medicaid"))) == [
        "OT-DISC-001"
    ]
    assert run(discipline.missing_go, claim_with_lines(bare, payer="commercial")) == []
    assert discipline.missing_go.payers == ("medicare", "medicaid")


@pytest.mark.parametrize("modifiers", [["GO"], ["go"], [" go "], ["KX", "GO"]])
def test_go_in_any_case_or_position_passes(modifiers: list[str]) -> None:
    assert (
        run(discipline.missing_go, claim_with_lines(line("97530", 2, 30, modifiers=modifiers)))
        == []
    )


def test_code_with_no_therapy_designation_or_unknown_code_is_not_judged() -> None:
    # 97010's designation is UNCONFIRMED in the table, so the rule does not guess.
    assert run(discipline.missing_go, claim_with_lines(line("97010", 1, 10, modifiers=()))) == []
    assert run(discipline.missing_go, claim_with_lines(line("99999", 1, 15, modifiers=()))) == []


def test_line_with_gp_or_several_disciplines_is_left_to_the_other_rules() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, modifiers=["GP"]),
        line("97535", 1, 15, modifiers=["GO", "GN"]),
        line("97165", 1, 30, modifiers=(), date_of_service="2026-03-03"),
        line("97161", 1, 30, modifiers=(), date_of_service="2026-03-04"),
    )
    findings = run(discipline.missing_go, claim)
    # Only the bare OT evaluation; the bare PT evaluation is OT-DISC-004's.
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DISC-001", 2)]


# ------------------------------------------------------------------ OT-DISC-002


@pytest.mark.parametrize(("wrong", "plan"), [("GP", "physical therapy"), ("GN", "speech")])
def test_gp_or_gn_on_an_ot_line_is_an_error(wrong: str, plan: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97535", 1, 15, modifiers=[wrong]))
    findings = run(discipline.wrong_discipline, claim)
    assert rule_ids(findings) == ["OT-DISC-002"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert wrong in f.message
    assert plan in f.message
    assert f.fix == f"Replace {wrong} with GO"
    assert "§20.1" in f.source


@pytest.mark.parametrize("payer", ["medicare", "medicaid", "commercial"])
def test_wrong_discipline_applies_to_every_payer(payer: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30, modifiers=["gp"]), payer=payer)
    findings = run(discipline.wrong_discipline, claim)
    assert [(f.rule_id, f.line, f.fix) for f in findings] == [
        ("OT-DISC-002", 0, "Replace GP with GO")
    ]


def test_gp_next_to_other_modifiers_is_still_found() -> None:
    claim = claim_with_lines(line("97530", 2, 30, modifiers=["KX", " gp"]))
    assert rule_ids(run(discipline.wrong_discipline, claim)) == ["OT-DISC-002"]


def test_go_lines_pass_and_several_disciplines_or_pt_evaluations_are_left_alone() -> None:
    claim = claim_with_lines(
        line("97530", 2, 30, modifiers=["GO", "KX"]),
        line("97535", 1, 15, modifiers=["GO", "GP"]),  # OT-DISC-003
        line("97112", 1, 15, modifiers=["GP", "GN"]),  # OT-DISC-003
        line("97162", 1, 45, modifiers=["GP"], date_of_service="2026-03-03"),  # OT-DISC-004
    )
    assert run(discipline.wrong_discipline, claim) == []


# ------------------------------------------------------------------ OT-DISC-003


def test_go_and_gp_on_one_line_is_an_error() -> None:
    claim = claim_with_lines(line("97530", 2, 30), line("97112", 1, 15, modifiers=["GP", "GO"]))
    findings = run(discipline.several_disciplines, claim)
    assert rule_ids(findings) == ["OT-DISC-003"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert "GO and GP" in f.message
    assert f.fix == "Keep GO and remove GP"
    assert "one discipline modifier per line" in f.source


def test_all_three_disciplines_name_both_to_remove() -> None:
    claim = claim_with_lines(line("97530", 2, 30, modifiers=["gn", "GO", " gp "]))
    findings = run(discipline.several_disciplines, claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DISC-003", 0)]
    assert "GN and GO and GP" in findings[0].message
    assert findings[0].fix == "Keep GO and remove GN, GP"


def test_gp_and_gn_without_go_suggests_go() -> None:
    # Neither modifier belongs on an OT line; there is no GO to keep.
    findings = run(
        discipline.several_disciplines,
        claim_with_lines(line("97530", 2, 30, modifiers=["GP", "GN"])),
    )
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DISC-003", 0)]
    assert findings[0].fix == "Replace GN and GP with GO"


@pytest.mark.parametrize(
    "modifiers", [["GO"], ["GO", "KX"], ["GO", "CO"], ["GP"], ["GO", "GO"], ["GP", "GP"], []]
)
def test_one_discipline_per_line_passes(modifiers: list[str]) -> None:
    claim = claim_with_lines(line("97530", 2, 30, modifiers=modifiers))
    assert run(discipline.several_disciplines, claim) == []


def test_pt_evaluation_with_several_disciplines_is_left_to_004() -> None:
    claim = claim_with_lines(line("97161", 1, 30, modifiers=["GO", "GP"]))
    assert run(discipline.several_disciplines, claim) == []
    assert rule_ids(run(all_of(*discipline.RULES), claim)) == ["OT-DISC-004"]


# ------------------------------------------------------------------ OT-DISC-004


@pytest.mark.parametrize(
    ("pt", "ot", "kind"),
    [
        ("97161", "97165", "evaluation"),
        ("97162", "97166", "evaluation"),
        ("97163", "97167", "evaluation"),
        ("97164", "97168", "re-evaluation"),
    ],
)
def test_pt_evaluation_code_is_an_error(pt: str, ot: str, kind: str) -> None:
    claim = claim_with_lines(line("97530", 2, 30), line(pt, 1, 45, modifiers=["GO"]))
    findings = run(discipline.pt_evaluation, claim)
    assert rule_ids(findings) == ["OT-DISC-004"]
    f = findings[0]
    assert f.line == 1
    assert f.severity is Severity.ERROR
    assert f"physical therapy {kind} code" in f.message
    assert f"corresponds to {ot}" in (f.fix or "")
    assert "with GO" in (f.fix or "")
    assert "10176" in f.source
    assert "97161–97164" in f.source


def test_pt_evaluation_message_names_the_ot_codes() -> None:
    initial = run(discipline.pt_evaluation, claim_with_lines(line("97162", 1, 45)))
    assert "97165–97167" in initial[0].message
    re_eval = run(discipline.pt_evaluation, claim_with_lines(line("97164", 1, 30)))
    assert "is 97168" in re_eval[0].message


@pytest.mark.parametrize("modifiers", [["GO"], ["GP"], [], ["GO", "GP"]])
def test_pt_evaluation_is_reported_once_whatever_its_modifiers(modifiers: list[str]) -> None:
    claim = claim_with_lines(line("97163", 1, 60, modifiers=modifiers))
    findings = run(all_of(*discipline.RULES), claim)
    assert [(f.rule_id, f.line) for f in findings] == [("OT-DISC-004", 0)]


def test_pt_evaluation_applies_to_commercial() -> None:
    claim = claim_with_lines(line("97161", 1, 30), payer="commercial")
    assert rule_ids(run(discipline.pt_evaluation, claim)) == ["OT-DISC-004"]


def test_ot_evaluations_pass() -> None:
    claim = claim_with_lines(
        line("97165", 1, 30),
        line("97168", 1, 30, date_of_service="2026-03-09"),
    )
    assert run(discipline.pt_evaluation, claim) == []


def test_pt_evaluation_before_the_codes_existed_is_left_to_the_code_rules() -> None:
    # 97161–97164 start 2017-01-01; before that OT-CODE-002 reports the line.
    claim = claim_with_lines(line("97161", 1, 30, date_of_service="2016-12-30"))
    assert run(discipline.pt_evaluation, claim) == []


# ------------------------------------------------------------------ catalogue, example


def test_rule_metadata() -> None:
    assert [(r.rule_id, r.severity) for r in discipline.RULES] == [
        ("OT-DISC-001", Severity.ERROR),
        ("OT-DISC-002", Severity.ERROR),
        ("OT-DISC-003", Severity.ERROR),
        ("OT-DISC-004", Severity.ERROR),
    ]
    assert all(r.source for r in discipline.RULES)
    assert all(r.payers == ("medicare", "medicaid", "commercial") for r in discipline.RULES[1:])


def test_example_claim() -> None:
    # Line 0: 97163 (PT evaluation, high) → 004; line 1: 97530 with no modifier → 001;
    # line 2: 97535-GP → 002; line 3: 97112-GO-GP → 003. Each line reported once.
    claim = json.loads((EXAMPLES / "discipline.json").read_text(encoding="utf-8"))
    findings = run(all_of(*discipline.RULES), claim)
    assert sorted((f.line, f.rule_id, f.severity, f.fix) for f in findings) == [
        (
            0,
            "OT-DISC-004",
            Severity.ERROR,
            "Bill the OT evaluation that matches the documented complexity "
            "(the level of 97163 corresponds to 97167) with GO",
        ),
        (1, "OT-DISC-001", Severity.ERROR, "Add GO"),
        (2, "OT-DISC-002", Severity.ERROR, "Replace GP with GO"),
        (3, "OT-DISC-003", Severity.ERROR, "Keep GO and remove GP"),
    ]
