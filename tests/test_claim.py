"""Claim model: round trip, error paths, patient-data privacy, immutability."""

from __future__ import annotations

import copy
from typing import Any

import attrs
import pytest

from otcoding.claim import Claim
from otcoding.errors import InvalidInputError

EXAMPLE: dict[str, Any] = {
    "claim_id": "C-1001",
    "payer": "medicare",
    "patient": {
        "id": "P-1",
        "birth_date": "1950-03-01",
        "member_id": "1EG4TE5MK73",
        "therapy_allowed_ytd": "1850.00",
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
        "visits_used": 11,
        "valid_from": "2026-01-05",
        "valid_to": "2026-04-04",
    },
    "lines": [
        {
            "code": "97530",
            "modifiers": ["GO"],
            "units": 2,
            "minutes": 30,
            "date_of_service": "2026-03-02",
            "diagnosis_pointers": [1],
            "charge": "120.00",
            "assistant_minutes": 0,
            "place_of_service": "11",
        }
    ],
}


def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def test_contract_example_round_trips_exactly() -> None:
    out = Claim.from_dict(example()).to_dict()
    assert out == EXAMPLE
    assert list(out) == list(EXAMPLE)
    assert list(out["lines"][0]) == list(EXAMPLE["lines"][0])


def test_bad_units_names_path_and_value() -> None:
    d = example()
    d["lines"][0]["units"] = 2.5
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(d)
    assert info.value.field == "lines[0].units"
    assert "2.5" in str(info.value)


def test_frozen() -> None:
    claim = Claim.from_dict(example())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        claim.claim_id = "x"  # type: ignore[misc]
