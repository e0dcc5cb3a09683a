"""Checking many claims rule by rule (``RuleSet._check_each``) against one check per claim.

The batch audit checks a chunk of claims together: each rule runs over every claim of
the chunk before the next rule starts. Whatever the order of the work, each claim
must get the report its own ``check`` gives, and a claim whose check raises must not
change what the other claims get.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import TODAY, flawed_claim_dicts

import otcoding
from otcoding import auditor, rulesets
from otcoding.claim import Claim
from otcoding.examples.generate import write_batch
from otcoding.findings import Severity
from otcoding.validators import Context, Problem, all_of, rule, with_severity
from otcoding.validators._core import check_each

RULESETS = {
    "medicare": rulesets.medicare(today=TODAY),
    "medicare-2026": rulesets.medicare(2026, today=TODAY),
    "commercial": rulesets.commercial(today=TODAY),
    "commercial-cms": rulesets.commercial("cms", today=TODAY),
    "medicaid": rulesets.medicaid(today=TODAY),
}


def _one_by_one(ruleset: otcoding.RuleSet, claims: list[Claim]) -> list[Any]:
    out: list[Any] = []
    for claim in claims:
        try:
            out.append(ruleset.check(claim))
        except Exception as exc:
            out.append(exc)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(RULESETS)),
    claims=st.lists(flawed_claim_dicts(max_flaws=3), min_size=1, max_size=12),
)
def test_rule_by_rule_gives_each_claim_its_own_report(
    name: str, claims: list[dict[str, Any]]
) -> None:
    ruleset = RULESETS[name]
    parsed = [Claim.from_dict(c) for c in claims]
    assert ruleset._check_each(parsed) == _one_by_one(ruleset, parsed)


# --- a check that raises for one claim of several ------------------------------------


@rule("X-TEST-001", "error", summary="flags every claim", source="test")
def flags_every_claim(claim: Claim, ctx: Context) -> Any:
    yield Problem(f"seen {claim.claim_id}")


class Boom(Exception):
    """Raised by the test rule for the claim it is told to fail on."""


def _fails_on(claim_id: str) -> Any:
    @rule("X-TEST-002", "error", summary="fails on one claim", source="test")
    def fails(claim: Claim, ctx: Context) -> Any:
        if claim.claim_id == claim_id:
            raise Boom(claim_id)
        return ()

    return fails


def _claims(n: int) -> list[Claim]:
    return [
        Claim.from_dict(
            {
                "claim_id": f"C-{i}",
                "payer": "commercial",
                "lines": [{"code": "97110", "units": 1, "date_of_service": "2026-03-02"}],
            }
        )
        for i in range(n)
    ]


# The same ID as flags_every_claim on purpose: the layer below re-grades that ID, and
# must leave alone the findings made before it.
@rule("X-TEST-001", "error", summary="flags claim C-n n times", source="test")
def flags_by_number(claim: Claim, ctx: Context) -> Any:
    for _ in range(int(claim.claim_id[2:])):
        yield Problem("numbered")


def test_a_claim_that_raises_gets_its_exception_and_the_others_their_findings() -> None:
    claims = _claims(4)
    inner = all_of(flags_every_claim, _fails_on("C-1"), flags_every_claim)
    validator = all_of(flags_by_number, with_severity(inner, "X-TEST-001", "info"))
    results = check_each(validator, claims, [Context(c) for c in claims])
    assert isinstance(results[1], Boom)
    for i in (0, 2, 3):
        found = results[i]
        assert isinstance(found, list)
        # The findings before the layer stay errors; the layer's two are re-graded,
        # though a claim before this one failed inside the layer.
        assert [(f.message, f.severity) for f in found] == [("numbered", Severity.ERROR)] * i + [
            (f"seen C-{i}", Severity.INFO)
        ] * 2
        assert found == list(validator(claims[i], Context(claims[i])))


def test_a_host_validator_is_called_once_per_claim_in_claim_order() -> None:
    seen: list[str] = []

    def host(claim: Claim, context: Context) -> list[Any]:
        seen.append(claim.claim_id)
        return []

    claims = _claims(5)
    ruleset = rulesets.commercial(today=TODAY).plus(host, _fails_on("C-2"))
    results = ruleset._check_each(claims)
    assert seen == [c.claim_id for c in claims]
    assert isinstance(results[2], Boom)
    assert results[:2] + results[3:] == [ruleset.check(c) for c in claims if c.claim_id != "C-2"]


# --- the audit, a chunk of claims at a time ------------------------------------------


def _per_claim_reference(text: str, today: dt.date) -> list[tuple[str, str, int | None, str]]:
    """Every claim of a batch read and checked on its own, as (claim, rule, line, message)."""
    out = []
    for item in otcoding.io.open_batch(io.StringIO(text)):
        if not (item.rows and item.data is not None and item.complete):
            continue
        try:
            claim = Claim.from_dict(item.data.build())
        except otcoding.InvalidInputError:
            continue
        report = otcoding.check(claim, today=today)
        out.extend((claim.claim_id, f.rule_id, f.line, f.message) for f in report.findings)
    return out


def test_the_audit_in_chunks_reports_what_checking_claim_by_claim_does() -> None:
    text = io.StringIO()
    write_batch(text, lines=2_500, seed=3, error_share=0.3, patients=50)
    today = dt.date(2026, 12, 1)
    run = otcoding.audit(
        io.StringIO(text.getvalue()), today=today, double_billing=False, duplicate_claim_ids=False
    )
    found = [
        (f.claim_id, f.rule_id, f.line, f.message)
        for f in run
        if not f.rule_id.startswith(("OT-ROW-", "OT-BATCH-"))
    ]
    assert run.summary.claims > 3 * auditor._TOGETHER  # many chunks checked together
    assert found == _per_claim_reference(text.getvalue(), today)
    assert len(found) > 100  # the batch plants every error family


def _fail_on_c3(claim: Claim, context: Context) -> list[Any]:
    if claim.claim_id == "C-3":
        raise otcoding.DataFileError("tables.json", "cannot be read")
    return []


def test_a_data_file_error_stops_the_audit_at_its_claim_after_the_claims_before_it() -> None:
    claims = [
        {
            "claim_id": f"C-{i}",
            "payer": "commercial",
            "lines": [
                {"code": "97110", "units": 3, "minutes": 20, "date_of_service": "2026-03-02"}
            ],
        }
        for i in range(6)
    ]
    ruleset = rulesets.commercial(today=TODAY).plus(_fail_on_c3)
    run = otcoding.audit(claims, ruleset=ruleset)
    seen: list[str | None] = []

    def take_all() -> None:
        seen.extend(finding.claim_id for finding in run)

    with pytest.raises(otcoding.DataFileError, match=r"tables\.json"):
        take_all()
    # Each claim before C-3 has its units finding, and nothing after C-3 was reported.
    assert sorted(set(seen)) == ["C-0", "C-1", "C-2"]
    assert run.summary.claims == 4  # C-3 was counted when its turn came, then it raised
    assert not run.summary.complete


def _batch_with_refused_claims() -> str:
    text = io.StringIO()
    write_batch(text, lines=400, seed=5, error_share=0.5, patients=10)
    return text.getvalue()


def test_claims_the_model_or_a_rule_refuses_leave_no_reference_cycle() -> None:
    """A chunk with a refused claim is freed at once, not left to the garbage collector.

    Kept with its traceback, the refusal would lead back to the list of the chunk's
    results, and the whole chunk would wait for a collection.
    """
    text = _batch_with_refused_claims()
    ruleset = rulesets.medicare(today=TODAY).plus(_refuse_every_fifth)

    def audit_it() -> otcoding.Summary:
        run = otcoding.audit(io.StringIO(text), ruleset=ruleset)
        assert list(run)
        return run.summary

    audit_it()  # imports and caches, whose start-up garbage is not this test's business
    gc.collect()
    gc.disable()
    try:
        summary = audit_it()
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert summary.by_rule["OT-ROW-001"] > 0  # the model refused some claims
    assert summary.by_rule["OT-ROW-004"] > 0  # and the rule some others
    assert unreachable == 0


def _refuse_every_fifth(claim: Claim, context: Context) -> list[Any]:
    if claim.claim_id.endswith("5"):
        raise otcoding.InvalidInputError("lines[0].code", claim.lines[0].code, "not counted")
    return []
