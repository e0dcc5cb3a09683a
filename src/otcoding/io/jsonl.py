"""Read JSON Lines of claims: one claim object (the JSON claim format) per line.

Blank lines are skipped (and counted). A line is handed on as text: the audit
parses it with :meth:`otcoding.claim.Claim.from_json`, which also refuses a key
repeated within an object, so a bad line becomes a finding with its line number
and the rest goes on.

>>> import io
>>> reader = JsonlBatchReader(io.StringIO('{"claim_id": "C-1"}\\n\\n{"claim_id": "C-2"}\\n'))
>>> [(item.row, item.blank_rows, item.data) for item in reader]
[(1, 0, '{"claim_id": "C-1"}\\n'), (3, 1, '{"claim_id": "C-2"}\\n')]
"""

from __future__ import annotations

from collections.abc import Iterator

from otcoding.errors import DataFileError
from otcoding.io._common import ClaimRows, FileReader, Source, source_name, utf8_ok
from otcoding.validators.batch import UNREADABLE_ROW, batch_finding

__all__ = ["JsonlBatchReader", "read_jsonl"]


class JsonlBatchReader(FileReader):
    """Reads JSON Lines into :class:`~otcoding.io._common.ClaimRows`, one per line.

    Lines are numbered from 1. A path or binary stream is decoded as UTF-8
    (a BOM is allowed); a line with bytes that are not UTF-8 is a finding.
    """

    extra_columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __init__(self, source: Source, *, name: str | None = None) -> None:
        self.name = name or source_name(source)
        # Universal newlines: a JSON text cannot hold a raw line break, so any
        # line ending ends a claim.
        self._open(source, newline=None)

    def _items(self) -> Iterator[ClaimRows]:
        blank = 0
        row = 0
        lines = iter(self._stream)
        while True:
            try:
                text = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    self.name,
                    f"line {row + 1} is not text in the stream's encoding ({exc.reason}); pass "
                    "the file's path or a binary stream to get bad bytes reported per line",
                ) from None
            row += 1
            if row == 1:
                text = text.lstrip("\ufeff")
            if not text.strip():
                blank += 1
                continue
            if not utf8_ok(text):
                problem = batch_finding(UNREADABLE_ROW, "bytes that are not UTF-8 text")
                yield ClaimRows(row, blank_rows=blank, problems=[(row, problem)], unreadable=(row,))
            else:
                yield ClaimRows(row, data=text, blank_rows=blank)
            blank = 0
        if blank:
            yield ClaimRows(0, rows=0, blank_rows=blank)


def read_jsonl(source: Source, *, name: str | None = None) -> JsonlBatchReader:
    """Open JSON Lines of claims (a path, or a text or binary stream)."""
    return JsonlBatchReader(source, name=name)
