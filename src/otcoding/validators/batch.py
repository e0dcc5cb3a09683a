"""Catalogue entries for the batch audit's own rules (rows, files, cross-claim checks).

These are not claim validators: :mod:`otcoding.audit` raises their findings while
reading a batch. They live here so that :func:`otcoding.rules` lists them without
the rule layer importing the audit layer.

>>> [r.rule_id for r in BATCH_RULES]
['OT-ROW-001', 'OT-ROW-002', 'OT-ROW-003', 'OT-ROW-004', 'OT-BATCH-001']
>>> batch_finding(UNREADABLE_ROW, "units: expected a whole number, got 'two'", line=1).severity
<Severity.ERROR: 'error'>
"""

from __future__ import annotations

from otcoding.findings import Finding, Severity
from otcoding.validators._core import RuleInfo

__all__ = [
    "BATCH_RULES",
    "CLAIM_ROWS_DISAGREE",
    "DOUBLE_BILLING",
    "DUPLICATE_CLAIM_ID",
    "UNCHECKED_CLAIM",
    "UNREADABLE_ROW",
    "batch_finding",
]

UNREADABLE_ROW = "OT-ROW-001"
CLAIM_ROWS_DISAGREE = "OT-ROW-002"
DUPLICATE_CLAIM_ID = "OT-ROW-003"
UNCHECKED_CLAIM = "OT-ROW-004"
DOUBLE_BILLING = "OT-BATCH-001"

_CONTRACT = "otcoding batch CSV/JSONL contract (docs/audit.md)"

BATCH_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        rule_id=UNREADABLE_ROW,
        severity=Severity.ERROR,
        summary=(
            "An input row cannot be read (wrong number of cells, bad encoding, bad date or "
            "number, unknown payer, malformed JSON); its claim is not checked"
        ),
        source=_CONTRACT,
        scope="batch",
    ),
    RuleInfo(
        rule_id=CLAIM_ROWS_DISAGREE,
        severity=Severity.ERROR,
        summary=(
            "A later row of a claim disagrees with the claim's first row on a claim column "
            "(the first row's value is used)"
        ),
        source=_CONTRACT,
        scope="batch",
    ),
    RuleInfo(
        rule_id=DUPLICATE_CLAIM_ID,
        severity=Severity.ERROR,
        summary=(
            "A claim ID reappears after other claims' rows (duplicate claim ID); the rows "
            "are checked as a separate claim, not merged"
        ),
        source=_CONTRACT,
        scope="batch",
    ),
    RuleInfo(
        rule_id=UNCHECKED_CLAIM,
        severity=Severity.ERROR,
        summary=(
            "A rule refused a value of a claim the claim format accepts, so the claim is "
            "not checked (a gap in otcoding's rules: please report it); the batch goes on"
        ),
        source=_CONTRACT,
        scope="batch",
    ),
    RuleInfo(
        rule_id=DOUBLE_BILLING,
        severity=Severity.ERROR,
        summary=(
            "The same patient, code, date of service and modifiers were already billed on "
            "another claim of the batch (double billing)"
        ),
        source="X12 CARC 18: exact duplicate of a claim or service line already received",
        scope="batch",
    ),
)

_BY_ID = {r.rule_id: r for r in BATCH_RULES}


def batch_finding(
    rule_id: str, message: str, *, line: int | None = None, fix: str | None = None
) -> Finding:
    """A finding of one of the batch rules, with its catalogue severity and source."""
    info = _BY_ID[rule_id]
    return Finding(
        rule_id=rule_id,
        severity=info.severity,
        message=message,
        line=line,
        fix=fix,
        source=info.source,
    )
