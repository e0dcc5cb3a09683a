"""Determinism: the order of a claim's lines, and the order claims are checked in,
do not change what is found.

Line order carries no meaning in the claim format except where a rule says so:
a rule that reports the *later* of two lines (a duplicate, a timed code on a second
line, a second evaluation of the day) must point at one of them, and KX-001 follows
a running total. Claims built from ``flawed_claim_dicts(order_independent=True)``
keep every code to one line per date of service and at most one evaluation per day,
so on them the findings must be identical, line indices mapped through the
permutation. On any claim, the set of rules that fire and ``ok`` must not move.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import TODAY, claim_dicts, flawed_claim_dicts

import otcoding
from otcoding import Claim, Report

det_settings = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

_RULESETS = (
    otcoding.medicare(today=TODAY),
    otcoding.commercial(today=TODAY),
    otcoding.medicaid(today=TODAY),
)
_LINE_REF = re.compile(r"\b([Ll]ines?) (\d+)\b")


def _permuted(data: dict[str, Any], order: Sequence[int]) -> dict[str, Any]:
    """The claim with its lines in ``order``: new line k is old line order[k]."""
    return dict(data, lines=[data["lines"][i] for i in order])


def _in_old_indices(report: Report, order: Sequence[int]) -> Counter[tuple[Any, ...]]:
    """The findings of a permuted claim, with every line index (the ``line`` field
    and "line N" in the text) translated back to the original claim's."""

    def back(text: str | None) -> str | None:
        if text is None:
            return None
        return _LINE_REF.sub(lambda m: f"{m.group(1)} {order[int(m.group(2))]}", text)

    return Counter(
        (
            f.rule_id,
            f.severity,
            back(f.message),
            None if f.line is None else order[f.line],
            back(f.fix),
            f.source,
        )
        for f in report.findings
    )


def _as_is(report: Report) -> Counter[tuple[Any, ...]]:
    return _in_old_indices(report, range(10**6))


@st.composite
def claim_and_order(draw: st.DrawFn, **options: Any) -> tuple[dict[str, Any], list[int]]:
    data = draw(flawed_claim_dicts(**options))
    order = draw(st.permutations(range(len(data["lines"]))))
    return data, list(order)


@det_settings
@given(claim_and_order(max_flaws=5, order_independent=True))
def test_findings_do_not_depend_on_line_order(case: tuple[dict[str, Any], list[int]]) -> None:
    data, order = case
    original = Claim.from_dict(data)
    shuffled = Claim.from_dict(_permuted(data, order))
    for ruleset in _RULESETS:
        expected = _as_is(ruleset.check(original))
        got = _in_old_indices(ruleset.check(shuffled), order)
        assert got == expected, (ruleset.name, order)


@det_settings
@given(claim_and_order(max_flaws=5))
def test_rules_that_fire_do_not_depend_on_line_order(
    case: tuple[dict[str, Any], list[int]],
) -> None:
    # Order-sensitive flaws included: which of two duplicates is reported may move,
    # but not whether the claim is ok or which rules fire.
    data, order = case
    original = Claim.from_dict(data)
    shuffled = Claim.from_dict(_permuted(data, order))
    for ruleset in _RULESETS:
        a, b = ruleset.check(original), ruleset.check(shuffled)
        assert b.ok == a.ok, ruleset.name
        assert b.rule_ids() == a.rule_ids(), ruleset.name


@det_settings
@given(claim_and_order(max_flaws=0, max_visits=5))
def test_clean_claims_stay_clean_in_any_line_order(
    case: tuple[dict[str, Any], list[int]],
) -> None:
    data, order = case
    report = otcoding.check(_permuted(data, order), today=TODAY)
    assert report.findings == (), [(f.rule_id, f.message) for f in report.findings]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(flawed_claim_dicts(max_flaws=4), min_size=2, max_size=8).flatmap(
        lambda claims: st.tuples(st.just(claims), st.permutations(range(len(claims))))
    )
)
def test_claims_checked_in_any_order_get_the_same_reports(
    case: tuple[list[dict[str, Any]], list[int]],
) -> None:
    claims, order = case
    for k, data in enumerate(claims):
        data["claim_id"] = f"C-{k}"
    parsed = [Claim.from_dict(d) for d in claims]

    def reports(sequence: Sequence[int]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for k in sequence:
            # Every payer's set and otcoding.check, interleaved across claims, so
            # any state a check leaves behind would reach the next claim.
            out[parsed[k].claim_id] = [r.check(parsed[k]).to_dict() for r in _RULESETS] + [
                otcoding.check(claims[k], today=TODAY).to_dict()
            ]
        return out

    forward = reports(range(len(claims)))
    assert reports(order) == forward
    assert reports(list(reversed(order))) == forward
    assert reports(range(len(claims))) == forward  # and again, after all that


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim_dicts(max_visits=4))
def test_checking_is_repeatable(data: dict[str, Any]) -> None:
    claim = Claim.from_dict(data)
    first = [r.check(claim) for r in _RULESETS]
    assert [r.check(claim) for r in _RULESETS] == first
    assert [r.check(Claim.from_dict(claim.to_dict())) for r in _RULESETS] == first


def test_line_reference_mapping_translates_messages() -> None:
    # The helper must map "line N" in a message, or the first test would compare
    # untranslated text and miss (or invent) differences.
    finding = otcoding.Finding(
        rule_id="OT-DUP-001",
        severity=otcoding.Severity.ERROR,
        message="Line 0 repeats line 2",
        line=0,
        fix="see lines 1",
    )
    report = Report(claim_id="C", findings=(finding,))
    ((key, count),) = _in_old_indices(report, [2, 0, 1]).items()
    assert count == 1
    assert key[2:5] == ("Line 2 repeats line 1", 2, "see lines 0")
