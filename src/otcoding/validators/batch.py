"""Catalogue entries for the batch audit's own rules (rows, files, cross-claim checks).

These are not claim validators: :mod:`otcoding.audit` raises their findings while
reading a batch. They live here so that :func:`otcoding.rules` lists them without
the rule layer importing the audit layer.
"""

from __future__ import annotations

from otcoding.validators._core import RuleInfo

__all__ = ["BATCH_RULES"]

BATCH_RULES: tuple[RuleInfo, ...] = ()
