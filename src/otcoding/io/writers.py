"""Write audit records as CSV or JSON Lines, and write a report file atomically.

Each record becomes one row ``claim_id, row, line, rule_id, severity, message,
fix, source``. CSV cells that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading ``'``, so a
report opened in Excel or LibreOffice shows text and runs nothing.

>>> import io
>>> from otcoding.findings import Finding, Severity
>>> out = io.StringIO()
>>> writer = CsvReportWriter(out)
>>> writer.write_row({"claim_id": "=HYPERLINK(1)", "row": 2, "line": None,
...     "rule_id": "OT-ROW-001", "severity": "error", "message": "-5 units",
...     "fix": None, "source": ""})
>>> print(out.getvalue().replace("\\r\\n", "\\n"), end="")
claim_id,row,line,rule_id,severity,message,fix,source
'=HYPERLINK(1),2,,OT-ROW-001,error,'-5 units,,
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator, Mapping
from typing import IO, Any, Protocol

from otcoding.io._common import module_for, open_packed

__all__ = [
    "FIELDS",
    "CsvReportWriter",
    "JsonlReportWriter",
    "ReportWriter",
    "atomic_output",
    "neutralize",
    "report_writer",
]

#: The columns of a report row, in order.
FIELDS = ("claim_id", "row", "line", "rule_id", "severity", "message", "fix", "source")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """Make a cell that a spreadsheet would evaluate read as text.

    >>> neutralize("=1+1"), neutralize("@SUM(A1)"), neutralize("97530")
    ("'=1+1", "'@SUM(A1)", '97530')
    """
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


class ReportWriter(Protocol):
    """Writes report rows (dicts with :data:`FIELDS`) and, at the end, a summary."""

    def write_row(self, row: Mapping[str, Any]) -> None: ...

    def finish(self, summary: Mapping[str, Any]) -> None: ...


class CsvReportWriter:
    """Report rows as CSV with a header; the summary is not part of the file."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream)
        self._writer.writerow(FIELDS)

    def write_row(self, row: Mapping[str, Any]) -> None:
        """Write one report row, neutralising text cells."""
        self._writer.writerow(
            [
                ""
                if (value := row[f]) is None
                else neutralize(value)
                if isinstance(value, str)
                else value
                for f in FIELDS
            ]
        )

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Nothing to add: CSV reports carry no summary (the CLI prints it)."""


class JsonlReportWriter:
    """One JSON object per report row; the last line is ``{"summary": {...}}``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write_row(self, row: Mapping[str, Any]) -> None:
        """Write one report row as a JSON object with the :data:`FIELDS` keys."""
        self._stream.write(json.dumps({f: row[f] for f in FIELDS}) + "\n")

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Write the summary line."""
        self._stream.write(json.dumps({"summary": dict(summary)}) + "\n")


def report_writer(stream: IO[str], format: str) -> CsvReportWriter | JsonlReportWriter:
    """The writer for ``format`` (``"csv"`` or ``"jsonl"``) over ``stream``."""
    if format == "csv":
        return CsvReportWriter(stream)
    if format == "jsonl":
        return JsonlReportWriter(stream)
    raise ValueError(f"unknown report format {format!r}: expected 'csv' or 'jsonl'")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text stream that becomes the file at ``path`` only if the block completes.

    The report is written to a temporary file in the same directory, then renamed
    over ``path`` in one step: a reader never sees half a report, and an
    interrupted run (an exception, Ctrl-C) leaves ``path`` as it was. A ``path``
    ending ``.gz``, ``.bz2`` or ``.xz`` is written compressed that way.

    >>> import gzip, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "report.csv.gz")
    >>> with atomic_output(path) as stream:
    ...     _ = stream.write("claim_id,row\\n")
    >>> gzip.open(path, "rt").read()
    'claim_id,row\\n'
    """
    import tempfile  # only when a report file is written: it costs import time

    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
    )
    try:
        with open(fd, "wb") as raw:
            packed = _packing(raw, target)
            stream = io.TextIOWrapper(packed, encoding="utf-8", newline="")
            yield stream
            stream.flush()
            stream.detach()
            if packed is not raw:
                packed.close()  # writes the compressed stream's end; leaves raw open
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _packing(raw: IO[bytes], target: str) -> IO[bytes]:
    """``raw``, or a compressor writing to it when ``target`` ends in a compression suffix."""
    module = module_for(target)
    return raw if module is None else open_packed(raw, module, "wb", target)


def _mode_for(target: str) -> int:
    # mkstemp makes the file owner-only; give the report the mode a plain open()
    # would have (the existing file's, or the umask's), as users expect.
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
