"""The audit's compact fingerprint store behaves like ``dict.setdefault``, in 13 bytes an entry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otcoding._seen import MAX_ROW, FirstSeen
from otcoding.errors import InvalidInputError

fingerprints = st.integers(min_value=-(2**63), max_value=2**63 - 1)
rows = st.integers(min_value=0, max_value=MAX_ROW)


@given(
    st.lists(st.tuples(fingerprints, rows), max_size=200),
    st.sampled_from([1, 2, 16, 4096]),
)
def test_first_seen_is_setdefault_on_64_bit_fingerprints(
    ops: list[tuple[int, int]], partitions: int
) -> None:
    seen = FirstSeen(partitions)
    model: dict[int, int] = {}
    for fingerprint, row in ops:
        assert seen.first(fingerprint, row) == model.setdefault(fingerprint % 2**64, row)
    assert len(seen) == len(model)
    assert seen.nbytes == 13 * len(model)


@given(st.lists(fingerprints, min_size=1, max_size=50, unique=True), rows)
def test_a_fingerprint_seen_again_keeps_its_first_row(keys: list[int], later: int) -> None:
    seen = FirstSeen(1)
    for i, key in enumerate(keys):
        seen.first(key, i)
    for i, key in enumerate(keys):
        assert seen.first(key, later) == i


def test_bytes_straddling_two_records_are_not_a_match() -> None:
    seen = FirstSeen(1)
    seen.first(0x1111111111111111, 0x2222222222)
    seen.first(0x3333333333333333, 0x4444444444)
    # Bytes 5-12 of the partition: the end of the first key and the first row.
    straddling = int.from_bytes(bytes([0x11] * 3 + [0x22] * 5), "little")
    assert seen.first(straddling, 7) == 7
    assert len(seen) == 3


def test_a_row_that_does_not_fit_is_refused_not_wrapped() -> None:
    seen = FirstSeen(1)
    with pytest.raises(InvalidInputError, match="row"):
        seen.first(1, MAX_ROW + 1)
    with pytest.raises(InvalidInputError, match="row"):
        seen.first(1, -1)
    assert len(seen) == 0


@pytest.mark.parametrize("partitions", [0, 3, -4])
def test_partitions_must_be_a_power_of_two(partitions: int) -> None:
    with pytest.raises(InvalidInputError, match="partitions"):
        FirstSeen(partitions)


def test_repr_shows_counts_only() -> None:
    seen = FirstSeen(8)
    seen.first(hash(("P-secret", "97110")), 2)
    assert repr(seen) == "FirstSeen(entries=1, partitions=8)"
