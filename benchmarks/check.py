"""Benchmark ``medicare().check`` on a 4-line claim (a plain script, not a test).

    python benchmarks/check.py

Goal (issue 7): at least 20,000 claims per second on one core for an already
parsed 4-line claim, the call an EHR makes on every visit. Beside it, the time to
build the same :class:`~otcoding.Claim` from its dict, because a host that keeps
claims as JSON pays both, and ``check(dict)`` as that combined figure.

``main()`` returns the results as rows for ``benchmarks/run.py``.
"""

from __future__ import annotations

import datetime as dt
import timeit
from typing import Any

import otcoding

TODAY = dt.date(2026, 3, 10)
DOS = "2026-03-02"
GOAL_CLAIMS_PER_SECOND = 20_000
REPEAT = 7
NUMBER = 5_000

# A clean, fully filled Medicare claim: every rule has data to look at, so no rule
# returns early for want of a field and the figure is the realistic worst case.
CLAIM: dict[str, Any] = {
    "claim_id": "C-BENCH",
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
            "code": code,
            "modifiers": ["GO"],
            "units": units,
            "minutes": minutes,
            "date_of_service": DOS,
            "diagnosis_pointers": [1],
            "charge": f"{60 * units}.00",
        }
        for code, units, minutes in (
            ("97530", 2, 30),
            ("97535", 1, 15),
            ("97110", 1, 15),
            ("97112", 1, 15),
        )
    ],
}


def _per_call(fn: Any, number: int = NUMBER) -> float:
    """Best seconds per call over REPEAT runs (the least disturbed run)."""
    return min(timeit.repeat(fn, number=number, repeat=REPEAT)) / number


def main() -> list[dict[str, Any]]:
    ruleset = otcoding.medicare(today=TODAY)
    claim = otcoding.Claim.from_dict(CLAIM)
    report = ruleset.check(claim)
    # A finding would mean the benchmark times an error path, not the common one.
    if report.findings:
        raise SystemExit(f"the benchmark claim is not clean: {report}")

    check = _per_call(lambda: ruleset.check(claim))
    parse = _per_call(lambda: otcoding.Claim.from_dict(CLAIM))
    both = _per_call(lambda: ruleset.check(CLAIM))
    rate = 1 / check
    return [
        {
            "benchmark": "check",
            "measure": "medicare().check, parsed 4-line claim",
            "value": rate,
            "unit": "claims/s",
            "ratio": rate / GOAL_CLAIMS_PER_SECOND,
            "goal": f">= {GOAL_CLAIMS_PER_SECOND:,} claims/s (ratio >= 1)",
            "ok": rate >= GOAL_CLAIMS_PER_SECOND,
        },
        {
            "benchmark": "check",
            "measure": "Claim.from_dict, same claim",
            "value": 1 / parse,
            "unit": "claims/s",
            "ratio": parse / check,
            "goal": "ratio = parse time / check time (information)",
            "ok": None,
        },
        {
            "benchmark": "check",
            "measure": "medicare().check(dict): parse + check",
            "value": 1 / both,
            "unit": "claims/s",
            "ratio": None,
            "goal": "",
            "ok": None,
        },
    ]


if __name__ == "__main__":
    for row in main():
        ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.2f}"
        print(f"{row['measure']:42} {row['value']:>10,.0f} {row['unit']}{ratio}  {row['goal']}")
