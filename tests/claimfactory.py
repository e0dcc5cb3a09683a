"""Builders for test claims in the JSON claim format, and a one-rule runner.

``clean_claim()`` is a Medicare OT claim that every shipped rule passes (checked
in tests/test_rulesets.py); tests change one thing and expect one finding.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from typing import Any

from otcoding.claim import Claim
from otcoding.findings import Finding
from otcoding.validators import Context, Settings, Validator

# The date "today" is pinned to in rule tests, so that no test depends on the clock.
TODAY = dt.date(2026, 3, 10)
DOS = "2026-03-02"

_CLEAN: dict[str, Any] = {
    "claim_id": "C-1001",
    "payer": "medicare",
    "patient": {
        "id": "P-1",
        "birth_date": "1950-03-01",
        "member_id": "1EG4TE5MK73",
        "therapy_allowed_ytd": "850.00",
    },
    "provider": {"npi": "1234567893"},
    "diagnoses": ["I69.351", "M19.90"],
    "place_of_service": "11",
    "submitted_on": "2026-03-10",
    "plan_of_care": {
        "certified_from": "2026-01-05",
        "certified_to": "2026-04-04",
        "last_progress_report": "2026-02-20",
        "visits_since_progress_report": 4,
    },
    "authorization": {
        "visits_authorized": 12,
        "visits_used": 5,
        "valid_from": "2026-01-05",
        "valid_to": "2026-04-04",
    },
    "lines": [
        {
            "code": "97530",
            "modifiers": ["GO"],
            "units": 2,
            "minutes": 30,
            "date_of_service": DOS,
            "diagnosis_pointers": [1],
            "charge": "120.00",
            "assistant_minutes": 0,
            "place_of_service": "11",
        },
        {
            "code": "97535",
            "modifiers": ["GO"],
            "units": 1,
            "minutes": 15,
            "date_of_service": DOS,
            "diagnosis_pointers": [1, 2],
            "charge": "60.00",
        },
    ],
}


def line(
    code: str,
    units: int = 1,
    minutes: int | None = 15,
    *,
    modifiers: Iterable[str] = ("GO",),
    date_of_service: str = DOS,
    **extra: Any,
) -> dict[str, Any]:
    """One service line dict; ``minutes=None`` leaves the key out."""
    out: dict[str, Any] = {
        "code": code,
        "modifiers": list(modifiers),
        "units": units,
        "date_of_service": date_of_service,
        "diagnosis_pointers": [1],
    }
    if minutes is not None:
        out["minutes"] = minutes
    out.update(extra)
    return out


def clean_claim(**changes: Any) -> dict[str, Any]:
    """A deep copy of the clean claim dict with top-level keys replaced.

    A value of ``None`` removes the key (e.g. ``authorization=None``).
    """
    out = copy.deepcopy(_CLEAN)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def claim_with_lines(*lines: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The clean claim with its lines replaced."""
    return clean_claim(lines=list(lines), **changes)


def run(validator: Validator, claim: dict[str, Any] | Claim, **settings: Any) -> list[Finding]:
    """Run one validator over a claim dict with "today" pinned to TODAY."""
    parsed = claim if isinstance(claim, Claim) else Claim.from_dict(claim)
    settings.setdefault("today", TODAY)
    return list(validator(parsed, Context(parsed, Settings(**settings))))


def rule_ids(findings: Iterable[Finding]) -> list[str]:
    """The rule IDs of findings, in order."""
    return [f.rule_id for f in findings]
