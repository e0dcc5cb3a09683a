"""Findings and reports: what a validator says about a claim.

A :class:`Finding` is plain data: a stable rule ID, a severity, a message, the
0-based service line (or ``None`` for the whole claim), a suggested fix and the
source the rule rests on. A :class:`Report` collects a claim's findings in a
stable order (claim-level first, then by line, then by rule ID).

>>> f = Finding(rule_id="OT-DISC-001", severity=Severity.ERROR,
...             message="97530 has no GO modifier", line=0,
...             fix="add GO", source="CMS Pub 100-04 ch.5 §20.1")
>>> report = Report(claim_id="C-1", findings=(f,))
>>> report.ok, len(report.errors), len(report.warnings)
(False, 1, 0)
>>> report.to_dict()["findings"][0]["severity"]
'error'
"""

from __future__ import annotations

import enum
import html
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["Finding", "Report", "Severity"]


class Severity(str, enum.Enum):
    """How serious a finding is. ERROR blocks the claim; WARNING and INFO do not.

    Peers call these Block, Warning and Info.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: object) -> Severity:
        """Accept a Severity or its name/value in any case.

        >>> Severity.parse("Warning")
        <Severity.WARNING: 'warning'>
        """
        from otcoding.errors import InvalidInputError

        if isinstance(value, Severity):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        raise InvalidInputError("severity", value, "expected 'error', 'warning' or 'info'")


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_COLOURS = {Severity.ERROR: "#b00020", Severity.WARNING: "#b26a00", Severity.INFO: "#1f5fa8"}


@attrs.frozen(kw_only=True)
class Finding:
    """One problem (or note) found on a claim."""

    rule_id: str
    severity: Severity
    message: str
    line: int | None = None
    fix: str | None = None
    source: str = ""

    def sort_key(self) -> tuple[int, str, int, str]:
        """Claim-level first, then by line, then rule ID, then severity."""
        line = -1 if self.line is None else self.line
        return (line, self.rule_id, _RANK[self.severity], self.message)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON form."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "fix": self.fix,
            "source": self.source,
        }

    def __str__(self) -> str:
        where = "claim" if self.line is None else f"line {self.line}"
        text = f"{self.severity.value.upper():7} {self.rule_id} ({where}): {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def _repr_html_(self) -> str:
        """Jupyter: a one-row table (severity in its colour, rule, line, message, fix, source).

        Every text cell is HTML-escaped; a finding carries no patient data.

        >>> f = Finding(rule_id="OT-UNITS-001", severity=Severity.ERROR,
        ...             message="3 units billed, 30 min support <= 2", line=0,
        ...             fix="bill 2 units", source="CMS Pub 100-04 ch.5 §20.2")
        >>> html_text = f._repr_html_()
        >>> "color:#b00020" in html_text, "support &lt;= 2" in html_text
        (True, True)
        >>> "<td>0</td>" in html_text, "<td>claim</td>" in Finding(
        ...     rule_id="OT-X", severity=Severity.INFO, message="m")._repr_html_()
        (True, True)
        """
        return _table((self,))


def _table(findings: Iterable[Finding]) -> str:
    head = "".join(
        f"<th style='text-align:left'>{h}</th>"
        for h in ("Severity", "Rule", "Line", "Message", "Fix", "Source")
    )
    rows = []
    for f in findings:
        colour = _COLOURS[f.severity]
        cells = [
            f"<td style='color:{colour};font-weight:bold'>{f.severity.value}</td>",
            f"<td><code>{html.escape(f.rule_id)}</code></td>",
            f"<td>{'claim' if f.line is None else f.line}</td>",
            f"<td style='text-align:left'>{html.escape(f.message)}</td>",
            f"<td style='text-align:left'>{html.escape(f.fix or '')}</td>",
            f"<td style='text-align:left'>{html.escape(f.source)}</td>",
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table class='otcoding-findings'><tr>{head}</tr>{''.join(rows)}</table>"


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    if type(findings) is tuple and len(findings) < 2:
        return findings  # most claims have no finding or one: nothing to sort
    return tuple(sorted(findings, key=Finding.sort_key))


@attrs.frozen(kw_only=True)
class Report:
    """The findings for one claim, ordered by line then rule."""

    claim_id: str
    findings: tuple[Finding, ...] = attrs.field(converter=_sorted, default=())

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that block the claim."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings worth a look that do not block the claim."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def infos(self) -> tuple[Finding, ...]:
        """Informational findings."""
        return tuple(f for f in self.findings if f.severity is Severity.INFO)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def rule_ids(self) -> frozenset[str]:
        """The IDs of every rule that produced a finding."""
        return frozenset(f.rule_id for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON form: ``{"claim_id", "ok", "findings": [...]}``."""
        return {
            "claim_id": self.claim_id,
            "ok": self.ok,
            "findings": [f.to_dict() for f in self.findings],
        }

    def __str__(self) -> str:
        status = "OK" if self.ok else "ERRORS"
        counts = (
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), {len(self.infos)} info"
        )
        lines = [f"claim {self.claim_id}: {status} ({counts})"]
        lines.extend(f"  {f}" for f in self.findings)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        status = "no errors" if self.ok else f"{len(self.errors)} error(s)"
        title = (
            f"<p><b>Claim {html.escape(self.claim_id)}</b>: {status}, "
            f"{len(self.warnings)} warning(s), {len(self.infos)} info</p>"
        )
        return title + _table(self.findings)


_SET_CLAIM_ID, _SET_FINDINGS = (Report.__dict__[a.name].__set__ for a in attrs.fields(Report))


def _report(claim_id: str, findings: tuple[Finding, ...]) -> Report:
    """``Report(claim_id=claim_id, findings=findings)``, for a rule set's check of one claim.

    Without the generated ``__init__`` (its keyword arguments and frozen-attribute
    setting cost half as much again, once per claim of a batch); the slots are filled
    as it fills them, the findings through the same converter.
    """
    report = object.__new__(Report)
    _SET_CLAIM_ID(report, claim_id)
    _SET_FINDINGS(report, _sorted(findings))
    return report
