"""Composable claim validators.

A validator is any callable ``(claim, context) -> Iterable[Finding]``. The rules
shipped with otcoding live in one module per topic here; each is a
:class:`~otcoding.validators.Rule` with a stable ID. Compose them with
:func:`all_of`, :func:`only_when`, :func:`without` and :func:`with_severity`, or
use the ready rule sets in :mod:`otcoding.rulesets`.
"""

from __future__ import annotations

from otcoding.validators._core import (
    Context,
    Problem,
    Rule,
    RuleInfo,
    Settings,
    Validator,
    all_of,
    iter_rules,
    only_when,
    rule,
    with_severity,
    without,
)

__all__ = [
    "Context",
    "Problem",
    "Rule",
    "RuleInfo",
    "Settings",
    "Validator",
    "all_of",
    "iter_rules",
    "only_when",
    "rule",
    "with_severity",
    "without",
]
