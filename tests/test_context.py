"""The facts a Context works out once per check, against the claim they come from."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from otcoding.claim import Claim
from otcoding.codes import find
from otcoding.validators import Context, Settings


def _claim(*lines: dict[str, Any]) -> Claim:
    return Claim.from_dict({"claim_id": "C-1", "payer": "medicare", "lines": list(lines)})


def _line(code: str, day: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "units": 1, "date_of_service": day, **extra}


CLAIMS = [
    _claim(_line("97530", "2026-03-02")),
    _claim(_line("97530", "2026-03-02"), _line("97535", "2026-03-02")),
    _claim(_line("97530", "2026-03-02"), _line("97530", "2026-03-02", modifiers=["59"])),
    _claim(
        _line("97530", "2026-03-04", place_of_service="02"),
        _line("97110", "2026-03-02"),
        _line("97530", "2026-03-02", modifiers=["GO", "KX"]),
        _line("97110", "2026-03-03"),
    ),
    _claim(
        _line("97532", "2021-06-01", place_of_service="11"),
        _line("97530", "2020-12-31", place_of_service="12"),
    ),
]


@pytest.mark.parametrize("claim", CLAIMS)
def test_the_context_facts_match_the_lines(claim: Claim) -> None:
    ctx = Context(claim, Settings(today=dt.date(2026, 3, 10)))
    lines = claim.lines
    assert ctx.codes == tuple(find(line.code, line.date_of_service) for line in lines)
    assert ctx.line_codes == {line.code for line in lines}
    assert ctx.line_places == {line.place_of_service for line in lines}
    assert ctx.modifiers == {m for line in lines for m in line.modifiers}
    dates = sorted({line.date_of_service for line in lines})
    assert list(ctx.lines_by_date) == dates
    for on, indexes in ctx.lines_by_date.items():
        assert indexes == tuple(i for i, line in enumerate(lines) if line.date_of_service == on)
    assert (ctx.first_date, ctx.last_date) == (dates[0], dates[-1])
    services = {(line.code, line.date_of_service) for line in lines}
    assert ctx.repeats == (len(services) != len(lines))


def test_dates_within_a_period_is_decided_by_the_first_and_last_dates() -> None:
    claim = Claim.from_dict(
        {
            "claim_id": "C-1",
            "payer": "medicare",
            "lines": [
                {"code": "97110", "units": 1, "date_of_service": day}
                for day in ("2026-03-09", "2026-03-02", "2026-03-05")
            ],
        }
    )
    ctx = Context(claim)
    march = (dt.date(2026, 3, 2), dt.date(2026, 3, 9))
    assert ctx.dates_within(*march)
    assert ctx.dates_within(None, None)
    assert not ctx.dates_within(dt.date(2026, 3, 3), None)  # the first date is before it
    assert not ctx.dates_within(None, dt.date(2026, 3, 8))  # the last date is after it
