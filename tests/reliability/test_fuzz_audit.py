"""Fuzzing the batch audit: any bytes in, every row accounted for, only OTCodingError out.

A batch file is written by exports, spreadsheets and people. Whatever its rows hold
(junk cells, quotes, line breaks, bytes that are not UTF-8, ragged rows, JSON that is
not a claim) the audit either refuses the whole file up front with a
:class:`~otcoding.DataFileError` (no usable header) or reads it to the end, and then
every non-blank row is counted as checked or not checked. Compressed data alone may
also stop part-way, with a DataFileError, where it turns out damaged.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import flawed_claim_dicts

import otcoding
from otcoding.io import COLUMNS, REQUIRED_COLUMNS

TODAY = dt.date(2026, 3, 10)
fuzz = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_GOOD = {
    "claim_id": "C-1",
    "payer": "medicare",
    "code": "97530",
    "modifiers": "GO",
    "units": "2",
    "minutes": "30",
    "date_of_service": "2026-03-02",
    "diagnoses": "M19.90",
    "diagnosis_pointers": "1",
}
# gzip, xz and bzip2 (with its block size digit) magic numbers.
_COMPRESSED = (b"\x1f\x8b", b"\xfd7zXZ\x00", *(b"BZh%d" % n for n in range(1, 10)))
_CELLS = st.one_of(
    st.sampled_from(["", "2", "-1", "1e3", "GO;;59", "2026-02-30", "=1+1", "97532", "nan"]),
    st.text(max_size=12),
    st.text(alphabet='",\n\r;\\', max_size=4),
)


def _audit_bytes(data: bytes, fmt: str) -> otcoding.Summary | None:
    try:
        run = otcoding.audit(io.BytesIO(data), input_format=fmt, today=TODAY)
    except otcoding.DataFileError:
        return None
    if data.startswith(_COMPRESSED):
        # Only compressed data can turn out unusable part-way: its damage is found
        # where it is decompressed (gzip's check comes at the very end).
        with contextlib.suppress(otcoding.DataFileError):
            list(run)
        return None
    findings = list(run)
    s = run.summary
    assert s.complete
    assert s.accounted, s.to_dict()
    assert s.findings == len(findings)
    assert s.unreadable_rows <= s.rows_not_checked
    assert all(f.row is None or f.row >= 1 for f in findings)
    return s


@fuzz
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8, unique=True),
    st.lists(st.lists(_CELLS, max_size=10), max_size=8),
)
def test_csv_with_junk_cells_and_ragged_rows(extra: list[str], rows: list[list[str]]) -> None:
    header = list(REQUIRED_COLUMNS) + [c for c in extra if c not in REQUIRED_COLUMNS]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    data_rows = 0
    for cells in rows:
        full = [_GOOD.get(name, "") for name in header]
        for i, cell in enumerate(cells[: len(full)]):
            full[i] = cell
        writer.writerow(full + cells[len(full) :])
        if "".join(full + cells[len(full) :]):
            data_rows += 1
    summary = _audit_bytes(out.getvalue().encode("utf-8"), "csv")
    assert summary is not None
    assert summary.rows == data_rows


@fuzz
@given(st.binary(max_size=300))
def test_csv_of_random_bytes_after_a_good_header(tail: bytes) -> None:
    head = (",".join(REQUIRED_COLUMNS) + "\n").encode()
    _audit_bytes(head + tail, "csv")


@fuzz
@given(st.binary(max_size=200))
def test_any_bytes_as_csv_or_jsonl(data: bytes) -> None:
    _audit_bytes(data, "csv")
    _audit_bytes(data, "jsonl")


@fuzz
@given(st.lists(st.one_of(flawed_claim_dicts(max_flaws=3), st.text(max_size=20)), max_size=5))
def test_jsonl_of_claims_and_junk_lines(items: list[object]) -> None:
    # Any of \n, \r, \r\n ends a JSONL line (universal newlines), so junk keeps neither.
    lines = [
        json.dumps(i) if isinstance(i, dict) else i.replace("\n", " ").replace("\r", " ")
        for i in items
    ]
    summary = _audit_bytes(("\n".join(lines) + "\n").encode("utf-8"), "jsonl")
    assert summary is not None
    assert summary.rows == sum(1 for line in lines if line.strip())
