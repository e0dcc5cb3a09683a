"""What a batch audit must compare across the whole batch, kept on disk, not in memory.

The audit's cross-claim checks (a claim ID coming back after other claims, the same
service on two claims) must remember something about every claim and service so far.
Held in memory, that grows with the batch: about 20 bytes a claim or service even
packed tightly. Here it goes to one unnamed temporary file instead, written in
sequence, and the repeats are worked out once the batch has been read:

- :class:`Log` keeps, per claim, the few values a finding about it needs (its row,
  claim ID, line rows, codes and dates; never patient data), numbered in the order
  added, to be read back in that order;
- :class:`Repeats` takes one 21-byte record per key (a 64-bit fingerprint, the log
  entry, a 3-byte tag such as the line, and the row), buffered per partition of the
  fingerprint (its low bits) and written to the file a few kilobytes at a time.
  :meth:`Repeats.repeats` then works out one partition at a time (about 1/256 of the
  keys), writes the repeats it finds back to the file, and merges the partitions'
  repeats a chunk at a time: every key seen before at another row, in entry order.

Nothing touches the disk until a buffer passes :data:`FLUSH` bytes, so a small
batch stays in memory. The file is deleted as it is created (``tempfile``), and
its space is freed when the audit closes it or the process ends.

A fingerprint is Python's ``hash()`` of the key: two different keys can share one
(about ``n**2 / 2**65`` for ``n`` keys, one chance in 30 million for a million),
and a record means nothing in another process (string hashes differ).

>>> spill = Spill()
>>> seen = Repeats(spill, partitions=4)
>>> seen.add(0, 2, [hash("A"), hash("A")])  # entry 0 at row 2: two keys, tags 0 and 1
>>> seen.add(1, 5, [hash("B")])
>>> seen.add(2, 9, [hash("C"), hash("A")])
>>> [(r.entry, r.tag, r.first) for r in seen.repeats()]
[(2, 1, 2)]
>>> spill.close()
"""

from __future__ import annotations

import heapq
import itertools
import marshal
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, NamedTuple

from otcoding.errors import DataFileError, InvalidInputError

__all__ = ["FLUSH", "MAX_ROW", "MAX_TAG", "Log", "Repeat", "Repeats", "Spill"]

_KEY = 8
_NUMBER = 5  # an entry or a row
_TAG = 3
_RECORD = _KEY + _NUMBER + _TAG + _NUMBER
_FOUND = _NUMBER + _TAG + _NUMBER
_MASK = (1 << 64) - 1
# A record's key, its entry and tag, and its row, as bytes (compared as they are).
_FIELDS = struct.Struct(f"{_KEY}s{_NUMBER + _TAG}s{_NUMBER}s")

#: The largest row or entry number a record holds (2**40 - 1, about 10^12).
MAX_ROW = (1 << (8 * _NUMBER)) - 1
#: The largest tag (a service line's index within its claim).
MAX_TAG = (1 << (8 * _TAG)) - 1

#: About how many bytes a buffer holds before it is written out (4 kB).
FLUSH = 4096


def _chunk_size(record_size: int) -> int:
    """The whole records of ``record_size`` bytes that fit in :data:`FLUSH`, in bytes."""
    return (FLUSH // record_size) * record_size


# A full buffer of Repeats' records.
_FULL = _chunk_size(_RECORD)


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
            self.flush()

    def flush(self) -> None:
        """Write the buffer out as one chunk (it holds a whole chunk)."""
        self._chunks.append(self._spill.append(self._buffer))
        self._buffer.clear()

    def data(self) -> bytes:
        """Every record, joined (for a part small enough to hold)."""
        chunk = self._chunk
        pieces = [self._spill.read(offset, chunk) for offset in self._chunks]
        return b"".join([*pieces, self._buffer])

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


class Repeats:
    """Keys seen at more than one row, found once every key has been added.

    ``partitions`` (a power of two) sets how much of the batch :meth:`repeats`
    holds at once; each partition also buffers up to :data:`FLUSH` bytes.
    """

    __slots__ = ("_buffers", "_mask", "_parts", "_spill", "entries")

    def __init__(self, spill: Spill, partitions: int = 256) -> None:
        if partitions < 1 or partitions & (partitions - 1):
            raise InvalidInputError("partitions", partitions, "expected a power of two")
        self._spill = spill
        self._mask = partitions - 1
        self._parts = [_Records(spill, _RECORD) for _ in range(partitions)]
        # The parts' buffers, to append to without a method call per record.
        self._buffers = [part._buffer for part in self._parts]
        self.entries = 0

    def add(self, entry: int, row: int, fingerprints: Iterable[int]) -> None:
        """Record the keys of log ``entry``, seen at ``row``; the i-th key gets tag ``i``.

        Entries must be added in increasing order. A key seen again at the row it
        was first seen at is not a repeat: two lines of one claim are not two claims.

        >>> try:
        ...     Repeats(Spill(), 1).add(0, MAX_ROW + 1, [7])
        ... except InvalidInputError as exc:
        ...     print(exc.field)
        row
        """
        if not (0 <= entry <= MAX_ROW and 0 <= row <= MAX_ROW):
            _check_number("entry", entry)
            _check_number("row", row)
        buffers, mask = self._buffers, self._mask
        at = entry << 64 | row
        tag = -1
        for tag, fingerprint in enumerate(fingerprints):
            if tag > MAX_TAG:
                raise InvalidInputError("tag", tag, f"expected at most {MAX_TAG + 1:,} keys")
            # One big-endian number: the key, the entry, the tag and the row, so
            # that the entry and tag of a record compare as their numbers do.
            record = (fingerprint & _MASK) << 104 | tag << 40 | at
            buffer = buffers[fingerprint & mask]
            buffer += record.to_bytes(_RECORD, "big")
            if len(buffer) >= _FULL:
                self._parts[fingerprint & mask].flush()
        self.entries += tag + 1

    def repeats(self) -> Iterator[Repeat]:
        """Every record whose key was first seen at another row, in entry and tag order.

        However many repeats there are, they are never all in memory: one
        partition's first rows are, and a chunk of each partition's repeats.
        """
        found = [self._partition(part) for part in self._parts]
        for record in heapq.merge(*(f.records() for f in found)):
            position = int.from_bytes(record[: _NUMBER + _TAG], "big")
            first = int.from_bytes(record[_NUMBER + _TAG :], "big")
            yield Repeat(position >> 24, position & MAX_TAG, first)

    def _partition(self, part: _Records) -> _Records:
        """A partition's repeats: entry, tag and first row, big-endian, in entry order."""
        first_rows: dict[bytes, bytes] = {}
        seen = first_rows.setdefault
        found = _Records(self._spill, _FOUND)
        for key, position, row in _FIELDS.iter_unpack(part.data()):
            first = seen(key, row)
            if first != row:
                # Records of one partition are in entry order: so are its repeats.
                found.append(position + first)
        return found

    def __len__(self) -> int:
        return self.entries

    def __repr__(self) -> str:
        return f"Repeats(entries={self.entries}, partitions={self._mask + 1})"


class Log:
    """Values kept in the order added, numbered from 0, read back in that order.

    >>> log = Log(Spill())
    >>> [log.add(("C-1", 2)), log.add(("C-2", 7)), log.add(("C-3", 9))]
    [0, 1, 2]
    >>> value = log.cursor()
    >>> value(1), value(2)
    (('C-2', 7), ('C-3', 9))
    """

    __slots__ = ("_buffer", "_chunks", "_spill", "entries")

    def __init__(self, spill: Spill) -> None:
        self._spill = spill
        self._buffer = bytearray()
        # Offset and length of each chunk written, in order.
        self._chunks = array("Q")
        self.entries = 0

    def add(self, value: Any) -> int:
        """Keep ``value`` (what :mod:`marshal` writes: str, int, tuple, list, None); its number."""
        body = marshal.dumps(value)
        buffer = self._buffer
        buffer += len(body).to_bytes(4, "little")
        buffer += body
        if len(buffer) >= 16 * FLUSH:
            self._chunks.append(self._spill.append(buffer))
            self._chunks.append(len(buffer))
            buffer.clear()
        self.entries += 1
        return self.entries - 1

    def cursor(self) -> Callable[[int], Any]:
        """A function giving the value of an entry, reading the log forward only.

        Entries asked for must increase; an entry passed or never kept raises
        :class:`LookupError` (a bug in the caller, not bad input).
        """
        bodies = enumerate(self._bodies())

        def value(entry: int) -> Any:
            for number, body in bodies:
                if number == entry:
                    return marshal.loads(body)
                if number > entry:
                    break
            raise LookupError(f"entry {entry} is not in the log, or was passed")

        return value

    def _bodies(self) -> Iterator[bytes]:
        chunks = self._chunks
        pieces = (self._spill.read(chunks[i], chunks[i + 1]) for i in range(0, len(chunks), 2))
        for data in itertools.chain(pieces, [bytes(self._buffer)]):
            at, end = 0, len(data)
            while at < end:
                size = int.from_bytes(data[at : at + 4], "little")
                at += 4
                yield data[at : at + size]
                at += size

    def __len__(self) -> int:
        return self.entries

    def __repr__(self) -> str:
        return f"Log(entries={self.entries})"
