"""The national Medicare fee estimate: RVUs × CF, therapy MPPR, assistant rate, caveats.

Expected amounts are worked by hand from shared/reference/code-tables.md §7 (CY2025
RVU25D, CF $32.3465) and the CY2026 CF $33.4009 (medicare-rules.md §13).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from otcoding import fees
from otcoding.claim import Claim
from otcoding.codes import _tables
from tests.claimfactory import claim_with_lines, line


def _claim(*lines: dict[str, Any]) -> Claim:
    return Claim.from_dict(claim_with_lines(*lines))


def _amounts(estimate: fees.FeeEstimate) -> list[str]:
    return [str(f.amount) for f in estimate.lines]


# code-tables.md §7 "National non-fac $ (x 32.3465)" column, one unit each.
@pytest.mark.parametrize(
    ("code", "amount"),
    [
        ("97110", "28.79"),
        ("97165", "100.60"),
        ("97168", "69.54"),
        ("97530", "34.61"),
        ("97535", "32.02"),
        ("97760", "45.93"),
        ("97129", "21.67"),
        ("97150", "17.47"),
    ],
)
def test_one_unit_matches_reference_table_2025(code: str, amount: str) -> None:
    estimate = fees.estimate(_claim(line(code, date_of_service="2025-06-02")))
    assert estimate.total == Decimal(amount)
    assert estimate.lines[0].priced
    assert estimate.complete


def test_97110_one_unit_2025_is_rvu_times_cf() -> None:
    estimate = fees.estimate(_claim(line("97110", date_of_service="2025-06-02")))
    # 0.89 × 32.3465 = 28.788385 → 28.79
    assert estimate.total == Decimal("28.79")
    assert estimate.lines[0].conversion_factor == Decimal("32.3465")


def test_rvu_components_add_up_to_the_file_total() -> None:
    # The estimate sums work + PE + MP itself (the MPPR needs the parts); the file's
    # own non-facility total must agree for every shipped row.
    for code, row in _tables.RVUS.get().items():
        parts = Decimal(row.work) + Decimal(row.pe_nonfacility) + Decimal(row.malpractice)
        assert parts == Decimal(row.total_nonfacility), code


def test_mppr_hand_computed_example() -> None:
    # 97530 has the highest PE (0.62 vs 0.43), so one 97530 unit is paid in full:
    #   97530 full:    1.07 × 32.3465 = 34.610755 → 34.61
    #   97530 reduced: (0.44 + 0.31 + 0.01) × 32.3465 = 24.58334 → 24.58
    #   97110 reduced: (0.45 + 0.215 + 0.01) × 32.3465 = 21.8338875 → 21.83
    claim = _claim(
        line("97110", 1, 15, date_of_service="2025-03-03"),
        line("97530", 2, 30, date_of_service="2025-03-03"),
    )
    estimate = fees.estimate(claim)
    assert _amounts(estimate) == ["21.83", "59.19"]
    assert estimate.total == Decimal("81.02")
    f110, f530 = estimate.lines
    assert (f110.full_units, f110.reduced_units) == (0, 1)
    assert (f530.full_units, f530.reduced_units) == (1, 1)
    assert f530.reduced_unit_amount == Decimal("24.58")


def test_mppr_tie_on_pe_goes_to_the_higher_total() -> None:
    # 97028 and G0281 both have PE 0.16; G0281's total (0.35) beats 97028's (0.25).
    #   G0281 full:    0.35 × 32.3465 = 11.321275 → 11.32
    #   97028 reduced: (0.08 + 0.08 + 0.01) × 32.3465 = 5.498905 → 5.50
    claim = _claim(
        line("97028", 1, None, date_of_service="2025-03-03"),
        line("G0281", 1, 15, date_of_service="2025-03-03"),
    )
    assert _amounts(fees.estimate(claim)) == ["5.50", "11.32"]


def test_mppr_full_unit_once_per_date() -> None:
    claim = _claim(
        line("97110", 1, 15, date_of_service="2025-03-03"),
        line("97110", 1, 15, date_of_service="2025-03-04"),
    )
    assert _amounts(fees.estimate(claim)) == ["28.79", "28.79"]


def test_codes_outside_the_mppr_are_paid_in_full_for_every_unit() -> None:
    # 97129 has multiple-procedure indicator 0.
    estimate = fees.estimate(
        _claim(
            line("97530", 1, 15, date_of_service="2025-03-03"),
            line("97129", 2, 30, date_of_service="2025-03-03"),
        )
    )
    assert _amounts(estimate) == ["34.61", "43.34"]
    assert estimate.lines[1].full_units == 2


def test_mppr_rate_follows_the_date_of_service() -> None:
    # 20% from 2011-01-01 to 2013-03-31 (offices); none before 2011. Year pinned to
    # 2025 for the figures since older CFs are not shipped.
    before = _claim(line("97530", 2, 30, date_of_service="2010-06-01"))
    early = _claim(line("97530", 2, 30, date_of_service="2012-06-01"))
    assert fees.estimate(before, year=2025).total == Decimal("69.22")
    # (1.07 - 0.62 × 0.20) × 32.3465 = 30.599789 → 30.60
    assert fees.estimate(early, year=2025).total == Decimal("65.21")


def test_assistant_lines_at_85_percent_of_the_whole_line_from_2022() -> None:
    # 2026: 0.99 × 33.4009 = 33.066891 → 33.07; × 0.85 = 28.1095 → 28.11
    co = _claim(line("97535", modifiers=("GO", "CO"), date_of_service="2026-03-02"))
    estimate = fees.estimate(co)
    assert estimate.total == Decimal("28.11")
    assert estimate.lines[0].assistant_rate
    assert any("85%" in c and "UNCONFIRMED" in c for c in estimate.caveats)
    # Before 2022 there was no payment differential.
    old = _claim(line("97535", modifiers=("GO", "CO"), date_of_service="2021-06-01"))
    assert fees.estimate(old, year=2025).total == Decimal("32.02")


def test_2026_uses_2025_rvus_with_2026_cf_and_says_so() -> None:
    estimate = fees.estimate(_claim(line("97110", date_of_service="2026-03-02")))
    # 0.89 × 33.4009 = 29.726801 → 29.73
    assert estimate.total == Decimal("29.73")
    text = " ".join(estimate.caveats)
    assert "CY2025 relative values" in text
    assert "UNCONFIRMED" in text
    assert "33.4009" in text


def test_national_caveat_always_present() -> None:
    estimate = fees.estimate(_claim(line("97110", date_of_service="2025-06-02")))
    assert estimate.caveats == (fees._NATIONAL,)
    assert "not adjusted to the payment locality" in estimate.caveats[0]


def test_year_pins_the_conversion_factor() -> None:
    claim = _claim(line("97110", date_of_service="2026-03-02"))
    assert fees.estimate(claim, year=2025).total == Decimal("28.79")


@pytest.mark.parametrize(
    ("code", "status", "complete"),
    [
        ("97039", fees.CONTRACTOR_PRICED, False),  # status C
        ("97026", fees.CONTRACTOR_PRICED, False),  # status R
        ("97010", fees.NOT_PAID, True),  # status B: bundled, really $0
        ("97014", fees.NOT_PAID, True),  # status I: not valid for Medicare
        ("L3906", fees.NO_RVU, False),  # not on the physician fee schedule file
    ],
)
def test_unpriced_lines(code: str, status: str, complete: bool) -> None:
    estimate = fees.estimate(
        _claim(
            line("97110", date_of_service="2025-06-02"), line(code, date_of_service="2025-06-02")
        )
    )
    assert estimate.unpriced == (1,)
    assert estimate.lines[1].status == status
    assert estimate.lines[1].amount == 0
    assert estimate.complete is complete
    assert estimate.total == Decimal("28.79")


def test_year_without_conversion_factor_is_unpriced_not_guessed() -> None:
    estimate = fees.estimate(_claim(line("97110", date_of_service="2019-06-03")))
    assert estimate.lines[0].status == fees.NO_CONVERSION_FACTOR
    assert estimate.total == 0
    assert not estimate.complete


def test_zero_units() -> None:
    estimate = fees.estimate(_claim(line("97110", 0, 0, date_of_service="2025-06-02")))
    assert estimate.total == 0


def test_result_is_frozen_and_serialisable() -> None:
    estimate = fees.estimate(
        _claim(
            line("97530", 2, 30, date_of_service="2025-03-03"),
            line("97039", 1, 15, date_of_service="2025-03-03"),
        )
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        estimate.total = Decimal(0)  # type: ignore[misc]
    data = estimate.to_dict()
    assert data["total"] == "59.19"
    assert data["unpriced"] == [1]
    assert data["complete"] is False
    assert data["lines"][0]["full_units"] == 1
    assert data["lines"][0]["conversion_factor"] == "32.3465"
    text = estimate.explain()
    assert "1 full unit at $34.61 + 1 MPPR unit at $24.58 = $59.19" in text
    assert "$0.00 (contractor priced)" in text
    assert "lower bound" in text


def test_package_example_prices() -> None:
    claim = _claim(line("97530", 2, 30), line("97535", 1, 15))
    estimate = fees.estimate(claim)
    # 2026: 97530 full 35.74 + reduced 25.38; 97535 reduced 24.22
    assert _amounts(estimate) == ["61.12", "24.22"]
    assert estimate.total == Decimal("85.34")
