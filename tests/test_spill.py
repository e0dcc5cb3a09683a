"""The audit's on-disk records find what an in-memory ``dict.setdefault`` would, in order."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import otcoding._spill as spill_module
from otcoding._spill import FLUSH, MAX_ROW, Log, Repeats, Spill
from otcoding.errors import DataFileError, InvalidInputError

fingerprints = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def model_repeats(rows: list[tuple[int, list[int]]]) -> list[tuple[int, int, int]]:
    """(entry, tag, first row) of every key first seen at another row, online."""
    first: dict[int, int] = {}
    out = []
    for entry, (row, keys) in enumerate(rows):
        for tag, key in enumerate(keys):
            seen_at = first.setdefault(key % 2**64, row)
            if seen_at != row:
                out.append((entry, tag, seen_at))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, MAX_ROW),
            # Few distinct keys, so that repeats are common.
            st.lists(
                st.sampled_from([0, 1, -1, 2**63 - 1, 12345, -(2**63)]) | fingerprints, max_size=4
            ),
        ),
        max_size=120,
    ),
    st.sampled_from([1, 2, 16]),
)
def test_repeats_are_what_setdefault_finds_in_entry_order(
    rows: list[tuple[int, list[int]]], partitions: int
) -> None:
    spill = Spill()
    repeats = Repeats(spill, partitions)
    for entry, (row, keys) in enumerate(rows):
        repeats.add(entry, row, keys)
    found = [tuple(r) for r in repeats.repeats()]
    assert found == model_repeats(rows)
    assert len(repeats) == sum(len(keys) for _, keys in rows)
    spill.close()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([1, 4]))
def test_many_records_spill_to_disk_and_still_match(seed: int, partitions: int) -> None:
    # Rows out of order too: the reader may hand a claim over after a later row.
    rand = random.Random(seed)
    rows = [(rand.randrange(5000), [rand.randrange(300) for _ in range(3)]) for _ in range(900)]
    spill = Spill()
    repeats = Repeats(spill, partitions)
    for entry, (row, keys) in enumerate(rows):
        repeats.add(entry, row, keys)
    assert spill.nbytes > 2 * FLUSH  # most records are on disk, not in memory
    assert [tuple(r) for r in repeats.repeats()] == model_repeats(rows)
    spill.close()


def test_a_small_batch_never_touches_the_disk() -> None:
    spill = Spill()
    repeats = Repeats(spill, 4)
    repeats.add(0, 2, [1, 2, 3])
    repeats.add(1, 3, [3])
    assert [tuple(r) for r in repeats.repeats()] == [(1, 0, 2)]
    assert spill.nbytes == 0
    assert repr(spill) == "Spill(nbytes=0, open=False)"


def test_two_lines_of_one_claim_are_not_a_repeat_but_a_later_claim_is() -> None:
    repeats = Repeats(Spill(), 1)
    repeats.add(0, 2, [7, 7])
    repeats.add(1, 4, [7])
    assert [tuple(r) for r in repeats.repeats()] == [(1, 0, 2)]


def test_numbers_that_do_not_fit_are_refused_not_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    repeats = Repeats(Spill(), 1)
    with pytest.raises(InvalidInputError, match="row"):
        repeats.add(0, MAX_ROW + 1, [1])
    with pytest.raises(InvalidInputError, match="entry"):
        repeats.add(-1, 2, [1])
    monkeypatch.setattr(spill_module, "MAX_TAG", 2)
    with pytest.raises(InvalidInputError, match="tag"):
        repeats.add(0, 2, [1, 2, 3, 4])


@pytest.mark.parametrize("partitions", [0, 3, -4])
def test_partitions_must_be_a_power_of_two(partitions: int) -> None:
    with pytest.raises(InvalidInputError, match="partitions"):
        Repeats(Spill(), partitions)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=40), st.integers(), st.none() | st.lists(st.integers(0, 99))),
        max_size=60,
    ),
    st.data(),
)
def test_log_gives_back_each_value_forward(values: list[object], data: st.DataObject) -> None:
    log = Log(Spill())
    assert [log.add(v) for v in values] == list(range(len(values)))
    wanted = sorted(set(data.draw(st.lists(st.integers(0, max(len(values) - 1, 0))))))
    wanted = [w for w in wanted if w < len(values)]
    value = log.cursor()
    # marshal gives lists back as lists, tuples as tuples
    assert [value(w) for w in wanted] == [values[w] for w in wanted]


def test_a_long_log_is_read_back_from_disk() -> None:
    spill = Spill()
    log = Log(spill)
    for n in range(3000):
        log.add((n, "C-" + "x" * 40, (n, n + 1)))
    assert spill.nbytes > 0
    value = log.cursor()
    assert value(0) == (0, "C-" + "x" * 40, (0, 1))
    assert value(2999)[0] == 2999
    spill.close()
    assert repr(spill).endswith("open=False)")


def test_log_cursor_only_goes_forward() -> None:
    log = Log(Spill())
    for n in range(3):
        log.add(n)
    value = log.cursor()
    assert value(2) == 2
    with pytest.raises(LookupError, match="entry 1"):
        value(1)


def test_reading_an_empty_spill_is_a_bug_not_a_silent_empty_read() -> None:
    with pytest.raises(ValueError, match="nothing was written"):
        Spill().read(0, 4)


def test_reprs_show_counts_only() -> None:
    spill = Spill()
    repeats = Repeats(spill, 8)
    repeats.add(0, 2, [hash(("P-secret", "97110"))])
    log = Log(spill)
    log.add(("C-1", 2))
    assert repr(repeats) == "Repeats(entries=1, partitions=8)"
    assert repr(log) == "Log(entries=1)"


class _FullDisk:
    def seek(self, offset: int) -> int:
        return offset

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def close(self) -> None:
        pass


def test_a_full_disk_is_a_data_file_error_naming_the_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(spill_module.tempfile, "TemporaryFile", lambda **kw: _FullDisk())
    spill = Spill(str(tmp_path))
    with pytest.raises(DataFileError) as caught:
        spill.append(b"x" * 10)
    assert caught.value.path == str(tmp_path)
    assert "No space left on device" in caught.value.detail
    assert spill.nbytes == 0


def test_a_short_write_is_not_taken_for_a_whole_one(monkeypatch: pytest.MonkeyPatch) -> None:
    class Short(_FullDisk):
        def write(self, data: bytes) -> int:
            return len(data) - 1

    monkeypatch.setattr(spill_module.tempfile, "TemporaryFile", lambda **kw: Short())
    with pytest.raises(DataFileError, match="wrote 9 of 10 bytes"):
        Spill().append(b"x" * 10)
