"""Rule sets, the rule catalogue, and the combinators over real rules."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line, rule_ids, run

import otcoding
from otcoding import rulesets
from otcoding.errors import InvalidInputError
from otcoding.findings import Severity
from otcoding.validators import Problem, all_of, only_when, rule, with_severity, without

TESTS = Path(__file__).parent


def _ruleset(payer: str) -> otcoding.RuleSet:
    return rulesets.for_payer(payer, today=TODAY)


@pytest.mark.parametrize("payer", rulesets.PAYERS)
def test_clean_claim_has_no_findings_under_any_payer(payer: str) -> None:
    report = _ruleset(payer).check(clean_claim(payer=payer))
    assert report.ok, str(report)
    assert report.findings == (), str(report)


def test_each_payer_rule_set_runs_rules() -> None:
    for payer in rulesets.PAYERS:
        assert len(_ruleset(payer).rules) >= 10, payer


def test_medicare_runs_medicare_only_rules_and_commercial_does_not() -> None:
    medicare_ids = {r.rule_id for r in rulesets.medicare().rules}
    commercial_ids = {r.rule_id for r in rulesets.commercial().rules}
    medicaid_ids = {r.rule_id for r in rulesets.medicaid().rules}
    for rule_id in ("OT-KX-001", "OT-TELE-001", "OT-ASST-001", "OT-FILE-001", "OT-DISC-001"):
        assert rule_id in medicare_ids
        assert rule_id not in commercial_ids
    assert "OT-DISC-001" in medicaid_ids
    assert commercial_ids <= medicare_ids | medicaid_ids


def test_commercial_reports_ncci_hits_as_warnings() -> None:
    claim = claim_with_lines(line("97150", 1, 30), line("97530", 2, 30), payer="commercial")
    medicare_report = rulesets.medicare(today=TODAY).check(clean_claim(lines=claim["lines"]))
    commercial_report = _ruleset("commercial").check(claim)
    assert {f.severity for f in medicare_report.findings if f.rule_id == "OT-NCCI-002"} == {
        Severity.ERROR
    }
    assert {f.severity for f in commercial_report.findings if f.rule_id == "OT-NCCI-002"} == {
        Severity.WARNING
    }


def test_unit_method_follows_payer() -> None:
    # 97110 33 min + 97140 7 min: CMS pools to 3 units, CPT per code gives 2 + 0.
    lines = [line("97110", 2, 33), line("97140", 1, 7)]
    medicare = rulesets.medicare(today=TODAY).check(clean_claim(lines=lines))
    commercial = _ruleset("commercial").check(claim_with_lines(*lines, payer="commercial"))
    assert "OT-UNITS-001" not in medicare.rule_ids()
    assert "OT-UNITS-001" in commercial.rule_ids()
    as_cms = rulesets.for_payer("commercial", unit_method="cms", today=TODAY)
    assert (
        "OT-UNITS-001" not in as_cms.check(claim_with_lines(*lines, payer="commercial")).rule_ids()
    )


def test_check_uses_the_claims_payer() -> None:
    data = clean_claim(lines=[line("97530", 2, 30, modifiers=["GP"])])
    assert "OT-DISC-002" in otcoding.check(data, today=TODAY).rule_ids()


def test_for_payer_rejects_unknown_payer_and_year() -> None:
    with pytest.raises(InvalidInputError, match="payer"):
        rulesets.for_payer("aetna")
    with pytest.raises(InvalidInputError, match="year"):
        rulesets.medicare(year=1850)


def test_rule_sets_are_cached_and_immutable() -> None:
    ruleset = rulesets.medicare()
    assert ruleset is rulesets.medicare()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ruleset.name = "x"  # type: ignore[misc]


def test_without_prunes_rules_and_with_severity_changes_findings() -> None:
    data = clean_claim(lines=[line("97530", 2, 30, modifiers=["GP"])])
    base = rulesets.medicare(today=TODAY)
    assert "OT-DISC-002" in base.check(data).rule_ids()
    pruned = base.without("OT-DISC-002")
    assert "OT-DISC-002" not in {r.rule_id for r in pruned.rules}
    assert "OT-DISC-002" not in pruned.check(data).rule_ids()
    softened = base.with_severity("OT-DISC-002", "warning")
    severities = {f.severity for f in softened.check(data).findings if f.rule_id == "OT-DISC-002"}
    assert severities == {Severity.WARNING}


@rule("HOST-TEST-001", "info", summary="Flags every line", source="test")
def _every_line(claim: otcoding.Claim, ctx: otcoding.Context) -> list[Problem]:
    return [Problem("seen", line=i) for i in range(len(claim.lines))]


def test_plus_and_combinators_with_host_rules() -> None:
    data = clean_claim()
    ruleset = rulesets.medicare(today=TODAY).plus(_every_line)
    assert rule_ids(ruleset.check(data).findings) == ["HOST-TEST-001", "HOST-TEST-001"]
    assert run(only_when(lambda c, ctx: c.payer == "commercial", _every_line), data) == []
    assert len(run(only_when(lambda c, ctx: c.payer == "medicare", _every_line), data)) == 2
    assert run(without(all_of(_every_line, _every_line), "HOST-TEST-001"), data) == []
    raised = run(with_severity(_every_line, "HOST-TEST-001", Severity.ERROR), data)
    assert {f.severity for f in raised} == {Severity.ERROR}


def test_report_orders_findings_by_line_then_rule() -> None:
    data = clean_claim(lines=[line("97530", 3, 30, modifiers=["GP"]), line("97110", 1, None)])
    findings = rulesets.medicare(today=TODAY).check(data).findings
    keys = [(-1 if f.line is None else f.line, f.rule_id) for f in findings]
    assert keys == sorted(keys)


# ------------------------------------------------------------------ the catalogue

RULE_ID = re.compile(r"^OT-[A-Z]+-\d{3}$")


def test_catalogue_ids_are_unique_well_formed_and_sourced() -> None:
    catalogue = otcoding.rules()
    ids = [r.rule_id for r in catalogue]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    for info in catalogue:
        assert RULE_ID.match(info.rule_id), info.rule_id
        assert info.summary.strip(), info.rule_id
        assert info.source.strip(), info.rule_id
        assert info.scope in ("claim", "batch")
        if info.scope == "claim":
            assert info.payers, info.rule_id


def test_every_claim_rule_is_tested_by_name() -> None:
    # Each rule needs a failing and a passing test; at the least its ID must appear in a test.
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    untested = [r.rule_id for r in otcoding.rules() if r.rule_id not in corpus]
    assert untested == []
