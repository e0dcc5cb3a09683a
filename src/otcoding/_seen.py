"""A compact record of what a batch audit has seen: fingerprint → first row.

The audit's cross-claim checks (a claim ID coming back, the same service on two
claims) must remember something about every claim and service so far. A dict of
ints costs about 100 bytes an entry in CPython; here each entry is one 13-byte
record (a 64-bit fingerprint and a 5-byte row number) appended to the
``bytearray`` of its partition (the fingerprint's low bits), and looked up with
``bytearray.find``, a C-speed scan of that partition alone.

A fingerprint is Python's ``hash()`` of the key: two different keys can share
one (about ``n**2 / 2**65`` for ``n`` keys, one chance in 30 million for a million),
and a record means nothing in another process (string hashes differ).

>>> seen = FirstSeen(16)
>>> seen.first(hash(("P-1", "97110", 739000)), 2)
2
>>> seen.first(hash(("P-1", "97110", 739000)), 9)
2
>>> seen.first(hash(("P-2", "97110", 739000)), 9)
9
>>> len(seen), seen.nbytes
(2, 26)
"""

from __future__ import annotations

from otcoding.errors import InvalidInputError

__all__ = ["MAX_ROW", "FirstSeen"]

_KEY = 8
_ROW = 5
_RECORD = _KEY + _ROW
_MASK = (1 << 64) - 1

#: The largest row number a record holds (2**40 - 1, about 10^12 rows).
MAX_ROW = (1 << (8 * _ROW)) - 1


class FirstSeen:
    """The first row each fingerprint was seen at, in ``partitions`` (a power of two) parts.

    More partitions, shorter scans, more fixed overhead (about 60 bytes each once
    used). Not thread-safe: one audit, iterated once, owns it.
    """

    __slots__ = ("_mask", "_parts", "entries")

    def __init__(self, partitions: int) -> None:
        if partitions < 1 or partitions & (partitions - 1):
            raise InvalidInputError("partitions", partitions, "expected a power of two")
        self._mask = partitions - 1
        self._parts: list[bytearray | None] = [None] * partitions
        self.entries = 0

    def first(self, fingerprint: int, row: int) -> int:
        """The row ``fingerprint`` was first seen at; records ``row`` when it is new.

        >>> FirstSeen(1).first(-1, 5)
        5
        """
        if not 0 <= row <= MAX_ROW:
            # Silently wrapping would name the wrong earlier row in a finding.
            raise InvalidInputError("row", row, f"expected a row number from 0 to {MAX_ROW:,}")
        record = ((fingerprint & _MASK) | row << 64).to_bytes(_RECORD, "little")
        parts = self._parts
        part = fingerprint & self._mask
        buf = parts[part]
        if buf is None:
            parts[part] = bytearray(record)
            self.entries += 1
            return row
        key = record[:_KEY]
        at = buf.find(key)
        while at >= 0:
            if not at % _RECORD:
                return int.from_bytes(buf[at + _KEY : at + _RECORD], "little")
            # A match straddling two records: keep looking from the next byte.
            at = buf.find(key, at + 1)
        buf += record
        self.entries += 1
        return row

    @property
    def nbytes(self) -> int:
        """Bytes of records held (not counting each partition's own overhead)."""
        return self.entries * _RECORD

    def __len__(self) -> int:
        return self.entries

    def __repr__(self) -> str:
        return f"FirstSeen(entries={self.entries}, partitions={self._mask + 1})"
