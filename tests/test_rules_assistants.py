"""Assistant rules: CO above the 10% de minimis standard, CO without need, CQ/GO pairing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import otcoding
from otcoding.findings import Severity
from otcoding.validators import all_of, assistants
from tests.claimfactory import claim_with_lines, clean_claim, line, rule_ids, run

EXAMPLES = Path(otcoding.__file__).parent / "examples" / "claims"


def _asst(minutes: int | None, assistant: int | None, *modifiers: str, **kw: Any) -> dict[str, Any]:
    if assistant is not None:
        kw["assistant_minutes"] = assistant
    return line("97535", 2, minutes, modifiers=("GO", *modifiers), **kw)


# ------------------------------------------------------------------ OT-ASST-001


def test_assistant_over_10_percent_without_co_is_an_error() -> None:
    findings = run(assistants.assistant_without_co, claim_with_lines(_asst(30, 4)))
    assert rule_ids(findings) == ["OT-ASST-001"]
    f = findings[0]
    assert f.severity is Severity.ERROR
    assert f.line == 0
    assert "4 of 30 minutes" in f.message
    assert "add CO" in (f.fix or "")
    assert "53107" in f.source
    assert "84 FR 62702" in f.source


@pytest.mark.parametrize(
    ("minutes", "assistant"),
    [(30, 3), (30, 0), (30, None), (None, None), (0, 0)],
)
def test_assistant_at_or_under_10_percent_passes(
    minutes: int | None, assistant: int | None
) -> None:
    assert run(assistants.assistant_without_co, claim_with_lines(_asst(minutes, assistant))) == []


def test_assistant_with_co_passes() -> None:
    assert run(assistants.assistant_without_co, claim_with_lines(_asst(30, 20, "CO"))) == []


def test_before_2020_co_was_not_required() -> None:
    claim = claim_with_lines(_asst(30, 30, date_of_service="2019-12-31"))
    assert run(assistants.assistant_without_co, claim) == []
    claim = claim_with_lines(_asst(30, 30, date_of_service="2020-01-01"))
    assert rule_ids(run(assistants.assistant_without_co, claim)) == ["OT-ASST-001"]


def test_wrong_assistant_modifier_is_left_to_003() -> None:
    assert run(assistants.assistant_without_co, claim_with_lines(_asst(30, 30, "CQ"))) == []


# ------------------------------------------------------------------ OT-ASST-002


def test_co_with_no_assistant_minutes_is_a_warning() -> None:
    findings = run(assistants.co_without_assistant, claim_with_lines(_asst(30, 0, "CO")))
    assert rule_ids(findings) == ["OT-ASST-002"]
    assert findings[0].severity is Severity.WARNING
    assert "assistant_minutes is 0" in findings[0].message


def test_co_within_de_minimis_is_a_warning() -> None:
    findings = run(assistants.co_without_assistant, claim_with_lines(_asst(30, 3, "CO")))
    assert rule_ids(findings) == ["OT-ASST-002"]
    assert "10% or less" in findings[0].message


def test_co_without_assistant_minutes_field_is_not_judged() -> None:
    assert run(assistants.co_without_assistant, claim_with_lines(_asst(30, None, "CO"))) == []


def test_co_with_assistant_minutes_passes() -> None:
    assert run(assistants.co_without_assistant, claim_with_lines(_asst(30, 20, "CO"))) == []


def test_clean_claim_passes_every_assistant_rule() -> None:
    assert run(all_of(*assistants.RULES), clean_claim()) == []


# ------------------------------------------------------------------ OT-ASST-003


def test_cq_on_an_ot_line_is_an_error() -> None:
    findings = run(assistants.assistant_modifier_mismatch, claim_with_lines(_asst(30, 30, "CQ")))
    assert rule_ids(findings) == ["OT-ASST-003"]
    assert findings[0].severity is Severity.ERROR
    assert "replace CQ with CO" in (findings[0].fix or "")


def test_co_without_go_is_an_error() -> None:
    claim = claim_with_lines(line("97535", 2, 30, modifiers=("GP", "CO"), assistant_minutes=30))
    findings = run(assistants.assistant_modifier_mismatch, claim)
    assert rule_ids(findings) == ["OT-ASST-003"]
    assert "without GO" in findings[0].message


@pytest.mark.parametrize("modifiers", [("GO", "CO"), ("GP", "CQ"), ("GO",)])
def test_matching_pairs_pass(modifiers: tuple[str, ...]) -> None:
    claim = claim_with_lines(line("97535", 2, 30, modifiers=modifiers))
    assert run(assistants.assistant_modifier_mismatch, claim) == []


# ------------------------------------------------------------------ module


def test_example_claim() -> None:
    claim = json.loads((EXAMPLES / "assistants.json").read_text())
    findings = run(all_of(*assistants.RULES), claim)
    assert [(f.rule_id, f.line) for f in findings] == [
        ("OT-ASST-001", 0),
        ("OT-ASST-002", 1),
        ("OT-ASST-003", 2),
    ]


def test_catalogue() -> None:
    assert [(r.rule_id, r.severity, r.payers) for r in assistants.RULES] == [
        ("OT-ASST-001", Severity.ERROR, ("medicare",)),
        ("OT-ASST-002", Severity.WARNING, ("medicare",)),
        ("OT-ASST-003", Severity.ERROR, ("medicare",)),
    ]
