"""What a batch audit must compare across the whole batch, kept on disk, not in memory.

The audit's cross-claim checks (a claim ID coming back after other claims, the same
service on two claims) must remember something about every claim and service so far.
Held in memory, that grows with the batch: about 20 bytes a claim or service even
packed tightly. Here it goes to one unnamed temporary file instead, written in
sequence, and the repeats are worked out once the batch has been read:

- :class:`Log` keeps, per claim, the few values a finding about it needs (its row,
  claim ID, line rows, codes and dates; never patient data), numbered in the order
  added, to be read back in that order; they are written :data:`LOG_CHUNK` values at
  a time, as one :mod:`marshal` string;
- :class:`Repeats` takes one record per key: a 64-bit fingerprint (8 bytes), and per
  call of :meth:`Repeats.add` (a claim's keys) where it was: the log entry with the
  first key's tag, the row and the number of keys (24 bytes). Each call names a
  group, and all its keys go to the partition of the group's low bits: equal keys
  share a group (for a service, the patient). Every :data:`RUN` keys the partitions
  are written out together, as one *run*. :meth:`Repeats.repeats` then works out
  one partition at a time (about 1/256 of the keys, read from every run), writes
  the repeats it finds back to the file, and merges the partitions' repeats a chunk
  at a time: every key seen before at another row, in entry order.

No Python code runs per key, only per claim: a claim's keys go to their partition
with one ``list +=``, and a partition's repeats are found with a ``dict`` over
``zip`` and ``itertools.compress``; only a key that does come back is looked at on
its own. This work is done for every line of a batch. Nothing touches the disk
until a run fills, so a small batch stays in memory. The file is deleted as it is
created (``tempfile``), and its space is freed when the audit closes it or the
process ends.

A fingerprint is Python's ``hash()`` of the key: two different keys can share one
(about ``n**2 / 2**65`` for ``n`` keys, one chance in 30 million for a million),
and a record means nothing in another process (string hashes differ).

>>> spill = Spill()
>>> seen = Repeats(spill, partitions=4)
>>> seen.add(0, 2, [hash("A"), hash("A")], 0)  # entry 0 at row 2: tags 0 and 1, group 0
>>> seen.add(1, 5, [hash("B")], 0)
>>> seen.add(2, 9, [hash("C"), hash("A")], 0)
>>> [(r.entry, r.tag, r.first) for r in seen.repeats()]
[(2, 1, 2)]
>>> spill.close()
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import marshal
import operator
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, NamedTuple

from otcoding.errors import DataFileError, InvalidInputError

__all__ = ["FLUSH", "LOG_CHUNK", "MAX_ROW", "MAX_TAG", "RUN", "Log", "Repeat", "Repeats", "Spill"]

_TAG_BITS = 24
_TAG_MASK = (1 << _TAG_BITS) - 1
# A found repeat: its entry and tag (8 bytes), then the row its key was first seen at
# (5 bytes), big-endian, so that records compare as their numbers do.
_POSITION = 8
_FOUND = _POSITION + 5
_MASK = (1 << 64) - 1
_SIGNED = 1 << 63

#: The largest row or entry number a record holds (2**39 - 1, about 5 x 10^11): an
#: entry and its tag share one signed 64-bit number.
MAX_ROW = (1 << 39) - 1
#: The largest tag (a service line's index within its claim).
MAX_TAG = _TAG_MASK

#: About how many bytes a buffer of found repeats holds before it is written (4 kB).
FLUSH = 4096
#: Keys :class:`Repeats` holds in memory before it writes them out.
RUN = 32768
#: Values :class:`Log` holds before it writes them out.
LOG_CHUNK = 1024


def _chunk_size(record_size: int) -> int:
    """The whole records of ``record_size`` bytes that fit in :data:`FLUSH`, in bytes."""
    return (FLUSH // record_size) * record_size


def _check_number(field: str, value: int) -> None:
    if not 0 <= value <= MAX_ROW:
        # Silently wrapping would name the wrong earlier row in a finding.
        raise InvalidInputError(field, value, f"expected a number from 0 to {MAX_ROW:,}")


class Spill:
    """The temporary file the records go to, opened on the first write.

    Not thread-safe: one audit, iterated once, owns it.

    >>> spill = Spill()
    >>> spill.read(spill.append(b"abc"), 3), spill.nbytes
    (b'abc', 3)
    >>> spill.close()
    """

    __slots__ = ("_directory", "_file", "nbytes")

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        self._file: IO[bytes] | None = None
        self.nbytes = 0

    def append(self, data: bytes | bytearray) -> int:
        """Write ``data`` at the end of the file; returns its offset.

        A full disk or an unwritable directory raises
        :class:`~otcoding.errors.DataFileError` naming the directory.
        """
        try:
            if self._file is None:
                # Unbuffered: the callers write whole chunks and keep their own buffers.
                # Not a `with`: the file lives as long as the audit, which closes it.
                self._file = tempfile.TemporaryFile(  # noqa: SIM115
                    prefix="otcoding-audit-", dir=self._directory, buffering=0
                )
            at = self.nbytes
            self._file.seek(at)
            written = self._file.write(data)
        except OSError as exc:
            raise self._error(exc) from None
        if written != len(data):
            # An unbuffered write may be short (a full disk); a lost record would
            # mean a missed repeat, so say so instead.
            raise self._error(OSError(f"wrote {written} of {len(data)} bytes"))
        self.nbytes += len(data)
        return at

    def _error(self, exc: OSError) -> DataFileError:
        where = self._directory or tempfile.gettempdir()
        reason = exc.strerror or str(exc)
        return DataFileError(where, f"cannot write the audit's temporary file: {reason}")

    def read(self, offset: int, size: int) -> bytes:
        """``size`` bytes written at ``offset``."""
        if self._file is None:
            raise ValueError("nothing was written to the spill file")
        self._file.seek(offset)
        return self._file.read(size)

    def close(self) -> None:
        """Delete the file (it has no name: closing it frees its space)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __repr__(self) -> str:
        return f"Spill(nbytes={self.nbytes}, open={self._file is not None})"


class _Records:
    """Fixed-size records appended in order, written out a chunk at a time."""

    __slots__ = ("_buffer", "_chunk", "_chunks", "_size", "_spill")

    def __init__(self, spill: Spill, size: int) -> None:
        self._spill = spill
        self._size = size
        self._chunk = _chunk_size(size)
        self._buffer = bytearray()
        self._chunks = array("Q")

    def append(self, record: bytes) -> None:
        self._buffer += record
        if len(self._buffer) >= self._chunk:
            self._chunks.append(self._spill.append(self._buffer))
            self._buffer.clear()

    def records(self) -> Iterator[bytes]:
        """The records in the order appended, reading one chunk at a time."""
        size = self._size
        for offset in self._chunks:
            chunk = self._spill.read(offset, self._chunk)
            for at in range(0, len(chunk), size):
                yield chunk[at : at + size]
        tail = bytes(self._buffer)
        for at in range(0, len(tail), size):
            yield tail[at : at + size]


class Repeat(NamedTuple):
    """A key seen again: in log ``entry`` (with its ``tag``), first seen at row ``first``."""

    entry: int
    tag: int
    first: int


class _Run:
    """What :class:`Repeats` held at one time, by partition, as two arrays of numbers.

    ``keys``: every partition's keys in turn, each partition's in the order added.
    ``calls``: per call of :meth:`Repeats.add`, the position (entry and tag) of its first
    key, its row and how many keys it added, by partition in the same way.
    ``key_cells[p]`` and ``call_cells[p]`` are where partition ``p`` starts in each.
    Written out, only the cells stay in memory and a partition is read back at a time.
    """

    __slots__ = ("at", "call_cells", "calls", "key_cells", "keys")

    def __init__(self, keys: list[list[int]], calls: list[list[int]]) -> None:
        key_cells, call_cells = array("Q", [0]), array("Q", [0])
        flat_keys: list[int] = []
        flat_calls: list[int] = []
        for part_keys, part_calls in zip(keys, calls, strict=True):
            flat_keys += part_keys
            flat_calls += part_calls
            key_cells.append(len(flat_keys))
            call_cells.append(len(flat_calls))
        try:
            self.keys: array[int] | None = array("q", flat_keys)
        except OverflowError:
            # A key that is not a hash() counts modulo 2**64, as a signed 64-bit number.
            self.keys = array("q", [((k + _SIGNED) & _MASK) - _SIGNED for k in flat_keys])
        self.calls: array[int] | None = array("q", flat_calls)
        self.key_cells, self.call_cells = key_cells, call_cells
        self.at = -1

    def write(self, spill: Spill) -> None:
        assert self.keys is not None
        assert self.calls is not None
        self.at = spill.append(self.keys.tobytes() + self.calls.tobytes())
        self.keys = self.calls = None

    def part(self, spill: Spill, partition: int) -> tuple[array[int], array[int]]:
        """Partition ``partition``'s keys and calls."""
        calls_at = self.at + 8 * self.key_cells[-1]  # written out, the calls follow the keys
        return (
            _numbers(spill, self.keys, self.key_cells, self.at, partition),
            _numbers(spill, self.calls, self.call_cells, calls_at, partition),
        )


def _numbers(
    spill: Spill, held: array[int] | None, cells: array[int], at: int, partition: int
) -> array[int]:
    """A partition's numbers: a slice of ``held``, or read from ``at`` in the file."""
    start, end = cells[partition], cells[partition + 1]
    if held is not None:
        return held[start:end]
    numbers = array("q")
    if end > start:
        numbers.frombytes(spill.read(at + 8 * start, 8 * (end - start)))
    return numbers


class Repeats:
    """Keys seen at more than one row, found once every key has been added.

    Each :meth:`add` names a ``group``: keys that may be equal must be added with
    equal groups (the audit uses the patient's hash for services, and the key itself
    for a claim ID). ``partitions`` (a power of two) sets how much of the batch
    :meth:`repeats` holds at once: one partition, the groups whose low bits are its
    number. ``run`` is how many keys are held in memory before they are written out.
    """

    __slots__ = ("_calls", "_keys", "_mask", "_run", "_runs", "_spill", "_written", "entries")

    def __init__(self, spill: Spill, partitions: int = 256, run: int = RUN) -> None:
        if partitions < 1 or partitions & (partitions - 1):
            raise InvalidInputError("partitions", partitions, "expected a power of two")
        if run < 1:
            raise InvalidInputError("run", run, "expected at least 1 record")
        self._spill = spill
        self._mask = partitions - 1
        self._run = run
        self._runs: list[_Run] = []
        self._keys: list[list[int]] = [[] for _ in range(partitions)]
        # Per partition, three numbers per call of add(): see _Run.
        self._calls: list[list[int]] = [[] for _ in range(partitions)]
        self._written = 0
        self.entries = 0

    def add(
        self, entry: int, row: int, fingerprints: Sequence[int], group: int, tag: int = 0
    ) -> None:
        """Record the keys of log ``entry``, seen at ``row``; the i-th key gets tag ``tag + i``.

        Entries must be added in increasing order. A key seen again at the row it
        was first seen at is not a repeat: two lines of one claim are not two claims.
        Keys in different ``group`` partitions are never compared.

        >>> try:
        ...     Repeats(Spill(), 1).add(0, MAX_ROW + 1, [7], 0)
        ... except InvalidInputError as exc:
        ...     print(exc.field)
        row
        """
        if not (0 <= entry <= MAX_ROW and 0 <= row <= MAX_ROW):
            _check_number("entry", entry)
            _check_number("row", row)
        count = len(fingerprints)
        if tag < 0 or tag + count - 1 > MAX_TAG:
            raise InvalidInputError("tag", tag + count - 1, f"expected tags from 0 to {MAX_TAG:,}")
        part = group & self._mask
        self._keys[part] += fingerprints
        self._calls[part] += (entry << _TAG_BITS | tag, row, count)
        self.entries += count
        if self.entries - self._written >= self._run:
            self._flush().write(self._spill)

    def _flush(self) -> _Run:
        run = _Run(self._keys, self._calls)
        self._runs.append(run)
        self._written = self.entries
        self._keys = [[] for _ in self._keys]
        self._calls = [[] for _ in self._calls]
        return run

    def repeats(self) -> Iterator[Repeat]:
        """Every record whose key was first seen at another row, in entry and tag order.

        However many repeats there are, they are never all in memory: one
        partition's records are, and a chunk of each partition's repeats.
        """
        if self.entries > self._written:
            self._flush()  # the last run stays in memory
        found = [self._found(p) for p in range(self._mask + 1)]
        for record in heapq.merge(*(f.records() for f in found)):
            position = int.from_bytes(record[:_POSITION], "big")
            first = int.from_bytes(record[_POSITION:], "big")
            yield Repeat(position >> _TAG_BITS, position & _TAG_MASK, first)

    def _found(self, partition: int) -> _Records:
        """A partition's repeats, as found records in entry order."""
        keys, calls = array("q"), array("q")
        for run in self._runs:
            run_keys, run_calls = run.part(self._spill, partition)
            keys += run_keys
            calls += run_calls
        found = _Records(self._spill, _FOUND)
        count = len(keys)
        # Each key's first record: a partition's keys are in the order added.
        earliest = dict(zip(reversed(keys), range(count - 1, -1, -1), strict=True))
        if len(earliest) == count:
            return found  # no key twice: the usual partition
        again = itertools.compress(
            range(count), map(operator.ne, map(earliest.__getitem__, keys), range(count))
        )
        # Which call added the i-th key: the first whose keys end after it.
        ends = list(itertools.accumulate(calls[2::3]))
        positions, rows = calls[0::3], calls[1::3]
        for i in again:
            call = bisect.bisect_right(ends, i)
            first_row = rows[bisect.bisect_right(ends, earliest[keys[i]])]
            if first_row != rows[call]:
                position = positions[call] + i - (ends[call] - calls[3 * call + 2])
                found.append((position << 40 | first_row).to_bytes(_FOUND, "big"))
        return found

    def __len__(self) -> int:
        return self.entries

    def __repr__(self) -> str:
        return f"Repeats(entries={self.entries}, partitions={self._mask + 1})"


_dumps, _loads = marshal.dumps, marshal.loads


class Log:
    """Values kept in the order added, numbered from 0, read back in that order.

    >>> log = Log(Spill())
    >>> [log.add(("C-1", 2)), log.add(("C-2", 7)), log.add(("C-3", 9))]
    [0, 1, 2]
    >>> value = log.cursor()
    >>> value(1), value(2)
    (('C-2', 7), ('C-3', 9))
    """

    __slots__ = ("_chunks", "_held", "_spill", "entries")

    def __init__(self, spill: Spill) -> None:
        self._spill = spill
        self._held: list[bytes] = []
        # Offset and length of each chunk of LOG_CHUNK values written, in order.
        self._chunks = array("Q")
        self.entries = 0

    def add(self, value: Any) -> int:
        """Keep ``value`` (what :mod:`marshal` writes: str, int, tuple, list, None); its number.

        A copy is kept: the value may change or go afterwards.
        """
        held = self._held
        # Held as bytes, not as the value: a value's tuples and lists would each stay
        # tracked by the garbage collector until their chunk is written, and a batch
        # keeps a chunk's worth of them alive at all times, which made the young
        # generation collect about four times as often.
        held.append(_dumps(value))
        if len(held) >= LOG_CHUNK:
            body = _dumps(held)
            self._chunks.append(self._spill.append(body))
            self._chunks.append(len(body))
            held.clear()
        self.entries += 1
        return self.entries - 1

    def cursor(self) -> Callable[[int], Any]:
        """A function giving the value of an entry, reading the log forward only.

        Made once every value is added. Entries asked for must increase; an entry
        passed or never kept raises :class:`LookupError` (a bug in the caller, not
        bad input).
        """
        chunks, held = self._chunks, self._held
        written = len(chunks) // 2 * LOG_CHUNK
        loaded: list[bytes] = []
        loaded_from = -1
        asked = -1

        def value(entry: int) -> Any:
            nonlocal loaded, loaded_from, asked
            if not asked < entry < self.entries:
                raise LookupError(f"entry {entry} is not in the log, or was passed")
            asked = entry
            if entry >= written:
                return _loads(held[entry - written])
            start = entry - entry % LOG_CHUNK
            if start != loaded_from:
                i = 2 * (start // LOG_CHUNK)
                loaded = _loads(self._spill.read(chunks[i], chunks[i + 1]))
                loaded_from = start
            return _loads(loaded[entry - start])

        return value

    def __len__(self) -> int:
        return self.entries

    def __repr__(self) -> str:
        return f"Log(entries={self.entries})"
