"""Readers and writers at the edge: batch CSV, JSON Lines, report files.

:func:`open_batch` picks a reader for any source the audit accepts; each reader
yields :class:`ClaimRows`, one per claim, in input order and without holding more
than one claim's rows.

>>> import io
>>> reader = open_batch(io.StringIO("claim_id,payer,code,units,date_of_service,note\\n"),
...                     input_format="csv")
>>> reader.warnings
("<stream>: ignoring columns not in the batch format: 'note'",)
>>> list(reader)
[]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, cast

from otcoding.errors import DataFileError, InvalidInputError
from otcoding.io._common import ClaimRows, Source, module_for, source_name
from otcoding.io.batch_csv import (
    CLAIM_COLUMNS,
    COLUMNS,
    LINE_COLUMNS,
    REQUIRED_COLUMNS,
    CsvBatchReader,
    RowsBatchReader,
    read_batch_csv,
)
from otcoding.io.jsonl import JsonlBatchReader, read_jsonl
from otcoding.io.writers import (
    FIELDS,
    CsvReportWriter,
    JsonlReportWriter,
    atomic_output,
    neutralize,
    report_writer,
)

__all__ = [
    "CLAIM_COLUMNS",
    "COLUMNS",
    "FIELDS",
    "INPUT_FORMATS",
    "LINE_COLUMNS",
    "REQUIRED_COLUMNS",
    "BatchReader",
    "ClaimRows",
    "ClaimsBatchReader",
    "CsvBatchReader",
    "CsvReportWriter",
    "JsonlBatchReader",
    "JsonlReportWriter",
    "RowsBatchReader",
    "atomic_output",
    "format_for",
    "neutralize",
    "open_batch",
    "read_batch_csv",
    "read_jsonl",
    "report_writer",
]

#: ``csv`` and ``jsonl`` read files and streams; ``rows`` and ``claims`` read
#: iterables of CSV-row dicts and of claims (dicts or :class:`~otcoding.claim.Claim`).
INPUT_FORMATS = ("csv", "jsonl", "rows", "claims")
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class BatchReader(Protocol):
    """What the audit reads from: claims as :class:`ClaimRows`, plus what was ignored."""

    name: str
    extra_columns: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]: ...

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[ClaimRows]: ...


class ClaimsBatchReader:
    """Claims given one by one (dicts in the JSON format or parsed claims).

    Item ``n`` (from 1) is row ``n``; the audit parses each as it comes.
    """

    extra_columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __init__(self, claims: Iterable[Any], *, name: str = "<claims>") -> None:
        self.name = name
        self._claims = claims

    def close(self) -> None:
        """Nothing to release: the caller owns the claims."""

    def __iter__(self) -> Iterator[ClaimRows]:
        for row, claim in enumerate(self._claims, 1):
            yield ClaimRows(row, data=claim)


def format_for(name: str) -> str | None:
    """The format a file name's extension stands for, if any.

    A compression ending (``.gz``, ``.bz2``, ``.xz``) is looked through: readers
    decompress such files, and :func:`atomic_output` compresses them.

    >>> format_for("batch.CSV"), format_for("claims.jsonl.gz"), format_for("notes.txt")
    ('csv', 'jsonl', None)
    """
    stem, extension = os.path.splitext(name)
    if module_for(name) is not None:
        extension = os.path.splitext(stem)[1]
    return _EXTENSIONS.get(extension.lower())


def open_batch(
    source: Source | Iterable[Any],
    *,
    input_format: str | None = None,
    include_patient_data: bool = False,
) -> BatchReader:
    """A reader for ``source``: a path, a text or binary stream, or an iterable.

    The format is ``input_format`` when given, else the file's extension (a
    stream's ``name``; a nameless stream is read as CSV). An iterable is read as
    claims when its first item is a claim (a :class:`~otcoding.claim.Claim` or a
    dict with ``lines``), else as CSV-row dicts.

    Raises:
        DataFileError: the file cannot be opened, its format cannot be told, or
            (CSV) its header lacks a required column.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise InvalidInputError("input_format", input_format, f"expected one of {INPUT_FORMATS}")
    if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        name = source_name(source)
        fmt = input_format or format_for(name)
        if fmt is None:
            if isinstance(source, (str, os.PathLike)):
                raise DataFileError(
                    name,
                    "cannot tell the input format from the extension: use .csv or .jsonl "
                    "(either may be compressed: .csv.gz, .jsonl.xz, ...)",
                )
            fmt = "csv"
        if fmt == "jsonl":
            return JsonlBatchReader(cast(Source, source))
        if fmt == "csv":
            return CsvBatchReader(cast(Source, source), include_patient_data=include_patient_data)
        raise InvalidInputError("input_format", fmt, "a file or stream is 'csv' or 'jsonl'")
    items = iter(cast("Iterable[Any]", source))
    first = next(items, None)
    rest = _chain(first, items) if first is not None else iter(())
    if input_format is None:
        input_format = "rows" if isinstance(first, Mapping) and "lines" not in first else "claims"
    if input_format == "rows":
        return RowsBatchReader(rest, include_patient_data=include_patient_data)
    if input_format == "claims":
        return ClaimsBatchReader(rest)
    raise InvalidInputError("input_format", input_format, "an iterable is 'rows' or 'claims'")


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest
