"""Telehealth rules: waiver windows by date of service, modifier 95/93, GT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import otcoding
from otcoding.findings import Severity
from otcoding.validators import all_of, telehealth
from tests.claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def _tele(dos: str, *modifiers: str, pos: str | None = "10", **kw: Any) -> dict[str, Any]:
    extra = {} if pos is None else {"place_of_service": pos}
    return line("97530", 2, 30, modifiers=("GO", *modifiers), date_of_service=dos, **extra, **kw)


# ------------------------------------------------------------------ OT-TELE-001


@pytest.mark.parametrize(
    ("dos", "severity"),
    [
        ("2025-10-15", Severity.INFO),  # lapse covered retroactively (H.R. 5371)
        ("2026-02-01", Severity.WARNING),  # lapse whose retroactive cover is unconfirmed
        ("2028-01-15", Severity.ERROR),  # waivers end 2027-12-31
        ("2019-06-01", Severity.ERROR),  # before the 2020 waivers
    ],
)
def test_telehealth_outside_waiver_windows(dos: str, severity: Severity) -> None:
    findings = run(telehealth.telehealth_outside_waiver, claim_with_lines(_tele(dos, "95")))
    assert rule_ids(findings) == ["OT-TELE-001"]
    assert findings[0].severity is severity
    assert findings[0].line == 0


@pytest.mark.parametrize(
    "dos", ["2020-06-01", "2024-05-01", "2025-11-13", "2026-03-02", "2027-12-31"]
)
def test_telehealth_inside_waiver_windows_passes(dos: str) -> None:
    assert run(telehealth.telehealth_outside_waiver, claim_with_lines(_tele(dos, "95"))) == []


def test_error_message_cites_the_window() -> None:
    findings = run(
        telehealth.telehealth_outside_waiver, claim_with_lines(_tele("2028-01-15", "95"))
    )
    assert "2027-12-31" in findings[0].message
    assert "H.R. 7148" in findings[0].source


def test_warning_message_for_unresolved_lapse() -> None:
    findings = run(
        telehealth.telehealth_outside_waiver, claim_with_lines(_tele("2026-02-01", "95"))
    )
    assert "unconfirmed" in findings[0].message
    assert findings[0].fix


@pytest.mark.parametrize(
    "tele_line",
    [
        _tele("2028-01-15", pos="02"),  # POS 02 on the line
        _tele("2028-01-15", "95", pos="11"),  # modifier 95 alone
        _tele("2028-01-15", "93", pos=None),  # audio-only modifier, claim POS 11
    ],
)
def test_what_counts_as_telehealth(tele_line: dict[str, Any]) -> None:
    findings = run(telehealth.telehealth_outside_waiver, claim_with_lines(tele_line))
    assert rule_ids(findings) == ["OT-TELE-001"]


def test_claim_level_pos_counts() -> None:
    claim = claim_with_lines(_tele("2028-01-15", pos=None), place_of_service="10")
    assert rule_ids(run(telehealth.telehealth_outside_waiver, claim)) == ["OT-TELE-001"]


def test_in_person_lines_pass() -> None:
    claim = claim_with_lines(_tele("2028-01-15", pos="11"))
    assert run(all_of(*telehealth.RULES), claim) == []


def test_non_therapy_lines_are_not_judged() -> None:
    claim = claim_with_lines(
        line("L3906", 1, None, modifiers=(), date_of_service="2028-01-15", place_of_service="10")
    )
    assert run(telehealth.telehealth_outside_waiver, claim) == []


def test_always_therapy_code_without_discipline_modifier_is_judged() -> None:
    claim = claim_with_lines(
        line("97530", 1, 15, modifiers=(), date_of_service="2028-01-15", place_of_service="10")
    )
    assert rule_ids(run(telehealth.telehealth_outside_waiver, claim)) == ["OT-TELE-001"]


# ------------------------------------------------------------------ OT-TELE-002


def test_pos_10_without_95_is_a_warning() -> None:
    findings = run(telehealth.telehealth_without_modifier, claim_with_lines(_tele("2026-03-02")))
    assert rule_ids(findings) == ["OT-TELE-002"]
    f = findings[0]
    assert f.severity is Severity.WARNING
    assert "UNCONFIRMED" in f.message
    assert "UNCONFIRMED" in f.source
    assert "88 FR 78874" in f.source
    assert "add 95" in (f.fix or "")


@pytest.mark.parametrize("modifier", ["95", "93"])
def test_pos_02_with_95_or_93_passes(modifier: str) -> None:
    claim = claim_with_lines(_tele("2026-03-02", modifier, pos="02"))
    assert run(telehealth.telehealth_without_modifier, claim) == []


def test_before_2024_the_pos_convention_differed() -> None:
    claim = claim_with_lines(_tele("2023-06-01", pos="02"))
    assert run(telehealth.telehealth_without_modifier, claim) == []


def test_no_modifier_warning_when_telehealth_is_not_allowed() -> None:
    claim = claim_with_lines(_tele("2028-01-15"))
    assert run(telehealth.telehealth_without_modifier, claim) == []


def test_clean_claim_passes_every_telehealth_rule() -> None:
    assert run(all_of(*telehealth.RULES), clean_claim()) == []


# ------------------------------------------------------------------ OT-TELE-003


def test_gt_on_professional_claim_is_a_warning() -> None:
    findings = run(
        telehealth.gt_on_professional_claim, claim_with_lines(_tele("2026-03-02", "95", "GT"))
    )
    assert rule_ids(findings) == ["OT-TELE-003"]
    assert findings[0].severity is Severity.WARNING
    assert "remove GT" in (findings[0].fix or "")
    assert "CR 10152" in findings[0].source


def test_gt_before_2018_passes() -> None:
    claim = claim_with_lines(_tele("2017-06-01", "GT"))
    assert run(telehealth.gt_on_professional_claim, claim) == []


# ------------------------------------------------------------------ module


def test_example_claim() -> None:
    claim = json.loads((EXAMPLES / "telehealth.json").read_text())
    findings = run(all_of(*telehealth.RULES), claim)
    assert [(f.rule_id, f.line, f.severity) for f in findings] == [
        ("OT-TELE-001", 0, Severity.WARNING),
        ("OT-TELE-002", 1, Severity.WARNING),
        ("OT-TELE-002", 2, Severity.WARNING),
        ("OT-TELE-003", 2, Severity.WARNING),
    ]


def test_catalogue() -> None:
    assert [(r.rule_id, r.severity, r.payers) for r in telehealth.RULES] == [
        ("OT-TELE-001", Severity.ERROR, ("medicare",)),
        ("OT-TELE-002", Severity.WARNING, ("medicare",)),
        ("OT-TELE-003", Severity.WARNING, ("medicare",)),
    ]
