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

__all__ = [
    "ClaimRows",
    "FileReader",
    "Source",
    "module_for",
    "open_packed",
    "open_text",
    "source_name",
    "utf8_ok",
]

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
    They are decompressed first when their first bytes say gzip, bzip2 or xz
    (whatever the file is named); damaged or cut-short compressed data raises
    :class:`~otcoding.errors.DataFileError` where it is met. UTF-16 text and zip
    archives raise it at once, saying so. Text streams are used as given (their own
    decoding applies) and left open, as are the binary streams under a wrapper.
    """
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            raw = open(name, "rb")  # noqa: SIM115 - the reader owns the handle and closes it when done
        except OSError as exc:
            raise DataFileError(name, f"cannot open the file: {exc.strerror or exc}") from None
        try:
            binary = _unpacked(raw, name)
        except BaseException:
            raw.close()
            raise
        stream = _decoded(binary, newline)
        if binary is raw:
            return stream, stream.close

        def close() -> None:
            stream.close()  # the decompressor; it leaves the file it reads open
            raw.close()

        return stream, close
    if isinstance(source, io.TextIOBase):
        return source, _nothing
    if isinstance(source, (io.RawIOBase, io.BufferedIOBase)) or "b" in str(
        getattr(source, "mode", "")
    ):
        given = cast("IO[bytes]", source)
        binary = _unpacked(given, source_name(source))
        wrapper = _decoded(binary, newline)
        # A decompressor is ours to close (it leaves the caller's stream open).
        return wrapper, (wrapper.detach if binary is given else wrapper.close)
    return cast("IO[str]", source), _nothing


#: Compressed formats the standard library reads and writes: a file name's ending, the
#: module, the format's name, and the first bytes of such a file (gzip's RFC 1952
#: magic, xz's stream header magic; bzip2's "BZh" and block-size digit are told apart
#: in :func:`_unpacked`).
_CODECS = (
    (".gz", "gzip", "gzip", b"\x1f\x8b"),
    (".bz2", "bz2", "bzip2", None),
    (".xz", "lzma", "xz", b"\xfd7zXZ\x00"),
)
_BZIP2 = b"BZh"
_FORMAT_NAMES = {module: name for _, module, name, _ in _CODECS}


def module_for(name: str) -> str | None:
    """The standard library module for a file name's compression ending, if any.

    >>> module_for("report.csv.GZ"), module_for("report.csv")
    ('gzip', None)
    """
    ending = os.path.splitext(name)[1].lower()
    return next((module for suffix, module, *_ in _CODECS if suffix == ending), None)


def open_packed(binary: IO[bytes], module: str, mode: str, name: str) -> IO[bytes]:
    """The ``module`` (gzip, bz2 or lzma) file over ``binary``, which it leaves open.

    Raises :class:`~otcoding.errors.DataFileError` naming ``name`` when this Python
    was built without that module (bz2 and lzma are optional).
    """
    import importlib

    try:
        codec = importlib.import_module(module)
    except ImportError:
        raise DataFileError(
            name,
            f"the file is {_FORMAT_NAMES[module]}-compressed, which this Python cannot "
            "read or write",
        ) from None
    if module == "gzip":
        # mtime 0: the same report gives the same bytes.
        return cast("IO[bytes]", codec.GzipFile(fileobj=binary, mode=mode, mtime=0))
    opener = codec.BZ2File if module == "bz2" else codec.LZMAFile
    return cast("IO[bytes]", opener(binary, mode=mode))


def _unpacked(binary: IO[bytes], name: str) -> IO[bytes]:
    """``binary``, or a decompressing reader over it when its first bytes say so."""
    start = _peek(binary, 6)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataFileError(
            name,
            "the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it "
            "as UTF-8 (in Excel: 'CSV UTF-8')",
        )
    if start.startswith(b"PK\x03\x04"):
        raise DataFileError(
            name,
            "the file is a zip archive: extract the batch from it first (gzip, bzip2 "
            "and xz files are read as they are)",
        )
    if start.startswith(b"\x28\xb5\x2f\xfd"):
        raise DataFileError(
            name,
            "the file is zstd-compressed, which otcoding does not read: decompress it "
            "first (zstd -d), or pipe it in (zstd -dc FILE | otcoding audit - ...)",
        )
    module = next((m for _, m, _, magic in _CODECS if magic and start.startswith(magic)), None)
    if module is None and start[:3] == _BZIP2 and start[3:4].isdigit() and start[3:4] != b"0":
        module = "bz2"
    if module is None:
        return binary
    return io.BufferedReader(_Unpacking(binary, name, module), buffer_size=1 << 16)


def _decoded(binary: IO[bytes], newline: str | None) -> io.TextIOWrapper:
    """UTF-8 text over ``binary``: an optional BOM, bad bytes kept as lone surrogates."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline=newline)


def _peek(binary: IO[bytes], size: int) -> bytes:
    """The first ``size`` bytes to come, left unread (fewer if the stream cannot tell)."""
    peek = getattr(binary, "peek", None)
    if callable(peek):
        return bytes(peek(size)[:size])
    if binary.seekable():
        at = binary.tell()
        start = binary.read(size)
        binary.seek(at)
        return start
    return b""


class _Unpacking(io.RawIOBase):
    """The decompressed bytes of a stream; bad compressed data is a DataFileError.

    Wrapping the standard library's reader lets a damaged or truncated file stop
    the batch with the file's name, wherever in it the damage is, rather than
    with a bare ``EOFError`` or ``zlib.error`` from deep inside a reader.
    """

    def __init__(self, packed: IO[bytes], name: str, module: str) -> None:
        super().__init__()
        self._name = name
        self.packed = packed
        self._format = _FORMAT_NAMES[module]
        self._file = open_packed(packed, module, "rb", name)
        errors: list[type[BaseException]] = [OSError, EOFError]
        if module == "gzip":
            import zlib

            errors.append(zlib.error)
        if module == "lzma":
            import lzma

            errors.append(lzma.LZMAError)
        self._errors = tuple(errors)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            return self._file.readinto(buffer)  # type: ignore[attr-defined,no-any-return]
        except self._errors as exc:
            raise DataFileError(
                self._name,
                f"the {self._format} data is damaged or cut short ({exc})",
            ) from None

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _nothing() -> None:
    return None


_R = TypeVar("_R", bound="FileReader")


def _byte_counter(stream: IO[str]) -> tuple[Callable[[], int] | None, int, int]:
    """Where the bytes under ``stream`` are read to, where they start and end (0: unknown)."""
    binary = getattr(stream, "buffer", None)
    raw = getattr(binary, "raw", None)
    if isinstance(raw, _Unpacking):
        binary = raw.packed  # the compressed file: its size is what is known
    try:
        if binary is None or not binary.seekable():
            return None, 0, 0
        here = binary.tell()
        end = binary.seek(0, io.SEEK_END)
        binary.seek(here)
    except (OSError, ValueError, AttributeError):
        return None, 0, 0
    return binary.tell, here, end


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
        self._bytes, self._start, self._end = _byte_counter(self._stream)
        self._read_at_close: float | None = None

    def _items(self) -> Iterator[ClaimRows]:
        raise NotImplementedError

    def fraction_read(self) -> float | None:
        """How much of the file has been read, from 0 to 1; None when its size is unknown.

        For a progress bar. It counts bytes as stored (a compressed file's compressed
        bytes), read ahead by the stream's buffer. A path, or a stream over a
        seekable file, has a size; a pipe (standard input fed by another program)
        or an in-memory text stream does not.

        >>> import io
        >>> from otcoding.io import open_batch
        >>> text = "claim_id,payer,code,units,date_of_service\\nC-1,medicare,97110,1,2026-03-02\\n"
        >>> reader = open_batch(io.BytesIO(text.encode()), input_format="csv")
        >>> items = list(reader)
        >>> reader.fraction_read()
        1.0
        >>> open_batch(io.StringIO(text), input_format="csv").fraction_read() is None
        True
        """
        if self._read_at_close is not None:
            return self._read_at_close
        if self._bytes is None or self._end <= self._start:
            return None
        try:
            return min(1.0, max(0, self._bytes() - self._start) / (self._end - self._start))
        except (OSError, ValueError):  # a stream the caller closed under us
            return None

    def close(self) -> None:
        """Release the file (a path's handle; a caller's stream is left open)."""
        if self._read_at_close is None and self._started:
            self._read_at_close = self.fraction_read()
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
