"""Yearly policy figures and the OT telehealth windows."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otcoding import policy
from otcoding.errors import InvalidInputError

KX = {
    2018: "2010",
    2019: "2040",
    2020: "2080",
    2021: "2110",
    2022: "2150",
    2023: "2230",
    2024: "2330",
    2025: "2410",
    2026: "2480",
}


@pytest.mark.parametrize(("year", "amount"), sorted(KX.items()))
def test_kx_threshold_table(year: int, amount: str) -> None:
    assert policy.kx_threshold(year) == Decimal(amount)
    assert isinstance(policy.kx_threshold(year), Decimal)


def test_kx_unconfirmed_years_are_marked() -> None:
    assert {y for y, f in policy.KX_THRESHOLDS.items() if f.unconfirmed} == {2025, 2026}
    assert "UNCONFIRMED" in policy.KX_THRESHOLDS[2026].note
    assert policy.KX_THRESHOLDS[2024].confidence == "HIGH"
    assert policy.KX_THRESHOLDS[2026].confidence == "MEDIUM"
    assert all(f.source for f in policy.KX_THRESHOLDS.values())


@pytest.mark.parametrize("year", [2017, 2027, 1999])
def test_kx_unknown_year(year: int) -> None:
    with pytest.raises(InvalidInputError) as info:
        policy.kx_threshold(year)
    assert info.value.field == "year"
    assert "2018-2026" in str(info.value)


@pytest.mark.parametrize("bad", [True, 2026.0, "twenty", None, -1])
def test_year_must_be_a_whole_number(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        policy.kx_threshold(bad)


def test_kx_accepts_digit_string() -> None:
    assert policy.kx_threshold("2024") == Decimal("2330")


def test_thresholds_rise_every_year() -> None:
    values = [policy.kx_threshold(y) for y in sorted(KX)]
    assert all(a < b for a, b in itertools.pairwise(values))
    # Indexed by the MEI and rounded to the nearest $10.
    assert all(v % 10 == 0 for v in values)


@pytest.mark.parametrize("year", range(2018, 2028))
def test_targeted_review_threshold_is_3000(year: int) -> None:
    assert policy.targeted_review_threshold(year) == Decimal("3000")


def test_targeted_review_threshold_from_2028_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="UNCONFIRMED"):
        policy.targeted_review_threshold(2028)
    with pytest.raises(InvalidInputError, match="known: 2018-2027"):
        policy.targeted_review_threshold(2017)


def test_conversion_factors() -> None:
    assert policy.conversion_factor(2025) == Decimal("32.3465")
    assert policy.conversion_factor(2025, qualifying_apm=True) == Decimal("32.3465")
    assert policy.conversion_factor(2026) == Decimal("33.4009")
    assert policy.conversion_factor(2026, qualifying_apm=True) == Decimal("33.5675")
    with pytest.raises(InvalidInputError):
        policy.conversion_factor(2024)


def test_assistant_rate_and_de_minimis() -> None:
    assert policy.ASSISTANT_PAYMENT_RATE.value == Decimal("0.85")
    assert policy.assistant_payment_rate(dt.date(2022, 1, 1)) == Decimal("0.85")
    assert policy.assistant_payment_rate(dt.date(2021, 12, 31)) == Decimal("1")
    assert policy.ASSISTANT_DE_MINIMIS.value == Decimal("0.10")
    assert dt.date(2020, 1, 1) == policy.ASSISTANT_MODIFIERS_REQUIRED_FROM


def test_mppr() -> None:
    assert policy.mppr_pe_reduction(dt.date(2013, 4, 1)) == Decimal("0.50")
    assert policy.mppr_pe_reduction(dt.date(2013, 3, 31)) == Decimal("0.20")
    assert policy.mppr_pe_reduction(dt.date(2013, 3, 31), institutional=True) == Decimal("0.25")
    assert policy.mppr_pe_reduction(dt.date(2010, 12, 31)) == Decimal("0")


def test_timely_filing() -> None:
    assert policy.TIMELY_FILING_MONTHS.value == 12
    assert policy.timely_filing_deadline(dt.date(2026, 3, 2)) == dt.date(2027, 3, 2)
    assert policy.timely_filing_deadline(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    with pytest.raises(InvalidInputError):
        policy.timely_filing_deadline(dt.date(2009, 12, 31))


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2020-02-29", "not_allowed"),
        ("2020-03-01", "allowed"),
        ("2025-09-30", "allowed"),
        ("2025-10-01", "lapse_retroactively_covered"),
        ("2025-11-12", "lapse_retroactively_covered"),
        ("2025-11-13", "allowed"),
        ("2026-01-30", "allowed"),
        ("2026-01-31", "unresolved_lapse"),
        ("2026-02-02", "unresolved_lapse"),
        ("2026-02-03", "allowed"),
        ("2027-12-31", "allowed"),
        ("2028-01-01", "not_allowed"),
    ],
)
def test_telehealth_windows(day: str, status: str) -> None:
    window = policy.telehealth_window(dt.date.fromisoformat(day))
    assert window.status == status
    assert window.citation


def test_unresolved_lapse_is_marked_unconfirmed() -> None:
    window = policy.telehealth_window(dt.date(2026, 2, 1))
    assert window.unconfirmed
    assert (window.start, window.end) == (dt.date(2026, 1, 31), dt.date(2026, 2, 2))
    assert policy.telehealth_window(dt.date(2020, 3, 1)).confidence == "MEDIUM"


def test_windows_tile_the_calendar() -> None:
    windows = policy.TELEHEALTH_WINDOWS
    assert windows[0].start is None
    assert windows[-1].end is None
    for before, after in itertools.pairwise(windows):
        assert before.end is not None
        assert after.start == before.end + dt.timedelta(days=1)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_has_exactly_one_window(day: dt.date) -> None:
    covering = [w for w in policy.TELEHEALTH_WINDOWS if w.covers(day)]
    assert len(covering) == 1
    assert policy.telehealth_window(day) is covering[0]


def test_figures_are_frozen() -> None:
    with pytest.raises(AttributeError):
        policy.KX_THRESHOLDS[2024].value = Decimal("1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.KX_THRESHOLDS[2030] = policy.KX_THRESHOLDS[2024]  # type: ignore[index]
