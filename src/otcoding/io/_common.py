"""What the batch readers share: opening a source, and the unit they yield.

Private: :mod:`otcoding.io.batch_csv` and :mod:`otcoding.io.jsonl` build on it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, TypeVar, Union, cast

from otcoding.errors import DataFileError

if TYPE_CHECKING:
    from otcoding.claim import Claim
    from otcoding.findings import Finding

__all__ = ["ClaimRows", "FileReader", "Source", "open_text", "source_name", "utf8_ok"]

#: What a reader accepts: a path, or an open text or binary stream.
Source = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]


class ClaimRows:
    """One claim's worth of input, or input rows that belong to no claim.

    A reader yields these in input order; :mod:`otcoding.audit` parses and checks
    them. Every non-blank input row is counted in exactly one ``ClaimRows``, so
    the audit's totals add up whatever the rows held.

    Attributes:
        row: 1-based input row (CSV: header is row 1) or line (JSONL) where it starts.
        claim_id: the claim ID as read (CSV), or ``None`` when the reader cannot
            tell (a row that belongs to no claim; JSONL, where parsing decides).
        data: what to parse: a claim dict, JSON text, a :class:`~otcoding.claim.Claim`,
            or ``None`` when no row of it could be read.
        line_rows: CSV: the input row of each entry of ``data["lines"]``;
            ``None`` when the whole item is one input row.
        rows: non-blank input rows in the item.
        blank_rows: blank rows read since the previous item (not data; counted
            so the totals add up).
        problems: row-level findings, each with its input row.
        unreadable: the rows that could not be read (each has a problem).
        complete: ``False`` when a row of the claim could not be read into
            ``data``; such a claim is not checked.
    """

    __slots__ = (
        "blank_rows",
        "claim_id",
        "complete",
        "data",
        "line_rows",
        "problems",
        "row",
        "rows",
        "unreadable",
    )

    def __init__(
        self,
        row: int,
        *,
        claim_id: str | None = None,
        data: Mapping[str, Any] | str | Claim | None = None,
        line_rows: list[int] | None = None,
        rows: int = 1,
        blank_rows: int = 0,
        problems: list[tuple[int, Finding]] | None = None,
        unreadable: Iterable[int] = (),
        complete: bool = True,
    ) -> None:
        self.row = row
        self.claim_id = claim_id
        self.data = data
        self.line_rows = line_rows
        self.rows = rows
        self.blank_rows = blank_rows
        self.problems = problems if problems is not None else []
        self.unreadable = set(unreadable)
        self.complete = complete and not self.unreadable

    def __repr__(self) -> str:
        return (
            f"ClaimRows(row={self.row}, claim_id={self.claim_id!r}, rows={self.rows}, "
            f"problems={len(self.problems)}, complete={self.complete})"
        )


def utf8_ok(text: str) -> bool:
    """False when ``text`` holds bytes that were not UTF-8 (decoded with surrogateescape)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def source_name(source: object, default: str = "<stream>") -> str:
    """A name for messages: the path, a stream's ``name``, or ``default``."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else default


def open_text(source: Source, *, newline: str | None) -> tuple[IO[str], Callable[[], object]]:
    """A text stream over ``source`` and what to call when done with it.

    Paths and binary streams are decoded as UTF-8 with an optional BOM, and bytes
    that are not UTF-8 survive as lone surrogates (``surrogateescape``): a bad byte
    spoils only its own row, which the reader reports, instead of the whole file.
    Text streams are used as given (their own decoding applies) and left open, as
    are the binary streams under a wrapper.
    """
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            stream = open(  # noqa: SIM115 - the reader owns the handle and closes it when done
                name, encoding="utf-8-sig", errors="surrogateescape", newline=newline
            )
        except OSError as exc:
            raise DataFileError(name, f"cannot open the file: {exc.strerror or exc}") from None
        return stream, stream.close
    if isinstance(source, io.TextIOBase):
        return source, _nothing
    if isinstance(source, (io.RawIOBase, io.BufferedIOBase)) or "b" in str(
        getattr(source, "mode", "")
    ):
        wrapper = io.TextIOWrapper(
            cast("IO[bytes]", source),
            encoding="utf-8-sig",
            errors="surrogateescape",
            newline=newline,
        )
        return wrapper, wrapper.detach
    return cast("IO[str]", source), _nothing


def _nothing() -> None:
    return None


_R = TypeVar("_R", bound="FileReader")


class FileReader:
    """What the file readers share: one source, opened once, read once, then closed.

    A subclass calls :meth:`_open` in its ``__init__`` and yields its items from
    :meth:`_items`; iterating twice is an error, and the source is released when
    iteration ends however it ends.
    """

    name: str

    def _open(self, source: Source, *, newline: str | None) -> None:
        self._stream, self._close = open_text(source, newline=newline)
        self._started = False

    def _items(self) -> Iterator[ClaimRows]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the file (a path's handle; a caller's stream is left open)."""
        close, self._close = self._close, _nothing
        close()

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ClaimRows]:
        if self._started:
            raise RuntimeError(f"{self.name}: a batch reader can be iterated only once")
        self._started = True
        try:
            yield from self._items()
        finally:
            self.close()
