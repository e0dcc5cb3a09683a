"""The audit's on-disk records find what an in-memory ``dict.setdefault`` would, in order."""

from __future__ import annotations

import gc
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import otcoding._spill as spill_module
from otcoding._spill import LOG_CHUNK, MAX_ROW, Log, Repeats, Spill
from otcoding.errors import DataFileError, InvalidInputError

#: A call of Repeats.add in these tests: its row, its group and its keys' low halves.
Call = tuple[int, int, list[int]]


def keys_of(group: int, lows: list[int]) -> list[int]:
    """The keys of a call: a key's high half is its group, so equal keys share one."""
    return [group << 32 | low for low in lows]


def add_all(repeats: Repeats, calls: list[Call]) -> None:
    for entry, (row, group, lows) in enumerate(calls):
        repeats.add(entry, row, keys_of(group, lows), group)


def model_repeats(calls: list[Call]) -> list[tuple[int, int, int]]:
    """(entry, tag, first row) of every key first seen at another row, online."""
    first: dict[int, int] = {}
    out = []
    for entry, (row, group, lows) in enumerate(calls):
        for tag, key in enumerate(keys_of(group, lows)):
            seen_at = first.setdefault(key, row)
            if seen_at != row:
                out.append((entry, tag, seen_at))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, MAX_ROW),
            # Groups and keys at the ends of the signed 64-bit range too.
            st.sampled_from([0, 1, -1, 2**31 - 1, -(2**31)]) | st.integers(-(2**31), 2**31 - 1),
            # Few distinct keys, so that repeats are common.
            st.lists(st.sampled_from([0, 1, 2**32 - 1]) | st.integers(0, 2**32 - 1), max_size=4),
        ),
        max_size=120,
    ),
    st.sampled_from([1, 2, 16]),
    st.sampled_from([1, 5, 10_000]),
)
def test_repeats_are_what_setdefault_finds_in_entry_order(
    calls: list[Call], partitions: int, run: int
) -> None:
    spill = Spill()
    repeats = Repeats(spill, partitions, run)
    add_all(repeats, calls)
    found = [tuple(r) for r in repeats.repeats()]
    assert found == model_repeats(calls)
    assert len(repeats) == sum(len(lows) for _, _, lows in calls)
    spill.close()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([1, 4]), st.sampled_from([7, 256]))
def test_many_records_spill_to_disk_and_still_match(seed: int, partitions: int, run: int) -> None:
    # Rows out of order too: the reader may hand a claim over after a later row.
    rand = random.Random(seed)
    groups = [rand.randrange(-(2**31), 2**31) for _ in range(20)] + [0, 1, 2]
    calls = [
        (rand.randrange(5000), rand.choice(groups), [rand.randrange(40) for _ in range(3)])
        for _ in range(900)
    ]
    spill = Spill()
    repeats = Repeats(spill, partitions, run)
    add_all(repeats, calls)
    # All but the last, unfinished run is on disk: 8 bytes a key, 24 a call.
    written = spill.nbytes
    assert written % 48 == 0
    assert 900 - run < written // 48 <= 900
    assert [tuple(r) for r in repeats.repeats()] == model_repeats(calls)
    spill.close()


def test_equal_keys_in_different_groups_are_not_compared() -> None:
    repeats = Repeats(Spill(), 2)
    repeats.add(0, 2, [7], 0)
    repeats.add(1, 3, [7], 1)  # another partition: the caller says these cannot be equal
    repeats.add(2, 4, [7], 2)
    assert [tuple(r) for r in repeats.repeats()] == [(2, 0, 2)]


def test_a_small_batch_never_touches_the_disk() -> None:
    spill = Spill()
    repeats = Repeats(spill, 4)
    repeats.add(0, 2, [1, 2, 3], 0)
    repeats.add(1, 3, [3], 0)
    assert [tuple(r) for r in repeats.repeats()] == [(1, 0, 2)]
    assert spill.nbytes == 0
    assert repr(spill) == "Spill(nbytes=0, open=False)"


def test_two_lines_of_one_claim_are_not_a_repeat_but_a_later_claim_is() -> None:
    spill = Spill()
    repeats = Repeats(spill, 1)
    repeats.add(0, 2, [7, 7], 0)
    repeats.add(1, 4, [7], 0)
    assert [tuple(r) for r in repeats.repeats()] == [(1, 0, 2)]
    spill.close()


def test_numbers_that_do_not_fit_are_refused_not_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    repeats = Repeats(Spill(), 1)
    with pytest.raises(InvalidInputError, match="row"):
        repeats.add(0, MAX_ROW + 1, [1], 0)
    with pytest.raises(InvalidInputError, match="entry"):
        repeats.add(-1, 2, [1], 0)
    monkeypatch.setattr(spill_module, "MAX_TAG", 2)
    with pytest.raises(InvalidInputError, match="tag"):
        repeats.add(0, 2, [1, 2, 3, 4], 0)
    with pytest.raises(InvalidInputError, match="tag"):
        repeats.add(0, 2, [1, 2], 0, tag=2)
    with pytest.raises(InvalidInputError, match="tag"):
        repeats.add(0, 2, [1], 0, tag=-1)
    assert len(repeats) == 0  # nothing refused was kept


@pytest.mark.parametrize("partitions", [0, 3, -4])
def test_partitions_must_be_a_power_of_two(partitions: int) -> None:
    with pytest.raises(InvalidInputError, match="partitions"):
        Repeats(Spill(), partitions)


@pytest.mark.parametrize("run", [0, -4])
def test_a_run_holds_at_least_one_record(run: int) -> None:
    with pytest.raises(InvalidInputError, match="run"):
        Repeats(Spill(), 1, run)


def test_keys_can_start_at_a_later_tag() -> None:
    spill = Spill()
    repeats = Repeats(spill, 2, run=2)
    repeats.add(0, 2, [5, 6], 0, tag=1)
    repeats.add(1, 3, [6], 0, tag=7)
    repeats.add(2, 4, [], 0, tag=3)
    assert [tuple(r) for r in repeats.repeats()] == [(1, 7, 2)]
    spill.close()


def test_keys_outside_the_hash_range_count_modulo_2_to_the_64() -> None:
    spill = Spill()
    repeats = Repeats(spill, 4)
    repeats.add(0, 2, [5, 2**64 + 7], 0)
    repeats.add(1, 3, [7, 2**70 + 5], 0)
    assert [tuple(r) for r in repeats.repeats()] == [(1, 0, 2), (1, 1, 2)]
    spill.close()


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
    total = 2 * LOG_CHUNK + 100
    for n in range(total):
        log.add((n, "C-" + "x" * 40, (n, n + 1)))
    assert spill.nbytes > 0
    value = log.cursor()
    assert value(0) == (0, "C-" + "x" * 40, (0, 1))
    # Across a written chunk's end, into the next, and into the values still held.
    for n in (LOG_CHUNK - 1, LOG_CHUNK, 2 * LOG_CHUNK - 1, 2 * LOG_CHUNK, total - 1):
        assert value(n) == (n, "C-" + "x" * 40, (n, n + 1))
    with pytest.raises(LookupError):
        value(total)
    spill.close()
    assert repr(spill).endswith("open=False)")


def test_log_keeps_a_copy_the_garbage_collector_need_not_track() -> None:
    log = Log(Spill())
    values = [(n, "C-1", [n, n + 1], [("97110", 739_000)]) for n in range(10)]
    for v in values:
        log.add(v)
    values[3][2].append(99)  # the caller's value changes after it is added
    # What a chunk holds until it is written: no container the collector must walk,
    # so a batch's held claims do not make the young generation collect more often.
    assert not any(gc.is_tracked(held) for held in gc.get_referents(log._held))
    value = log.cursor()
    assert value(3) == (3, "C-1", [3, 4], [("97110", 739_000)])


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
    repeats.add(0, 2, [hash(("P-secret", "97110"))], 0)
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
