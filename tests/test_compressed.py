"""Compressed batches and reports, and the files that are plainly not a UTF-8 CSV."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import otcoding
from otcoding.cli import main
from otcoding.errors import DataFileError
from otcoding.examples import batch_path
from otcoding.examples.generate import write_batch
from otcoding.io import atomic_output, format_for, open_batch

TODAY = dt.date(2026, 12, 31)

PACKERS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


def _outcome(source: Any, **options: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every finding (as its report row) and the summary of an audit."""
    run = otcoding.audit(source, today=TODAY, **options)
    rows = [finding.to_row() for finding in run]
    return rows, run.summary.to_dict()


def _example_bytes() -> bytes:
    return batch_path().read_bytes()


@pytest.mark.parametrize("suffix", sorted(PACKERS))
def test_a_compressed_batch_audits_as_the_plain_one(tmp_path: Path, suffix: str) -> None:
    plain = tmp_path / "batch.csv"
    plain.write_bytes(_example_bytes())
    packed = tmp_path / f"batch.csv{suffix}"
    packed.write_bytes(PACKERS[suffix](_example_bytes()))
    expected = _outcome(str(plain))
    assert expected[1]["findings"] > 0  # the example is not a clean batch
    assert _outcome(str(packed)) == expected
    # The first bytes decide, not the name: a gzip file named .csv, and a binary stream.
    misnamed = tmp_path / "misnamed.csv"
    misnamed.write_bytes(packed.read_bytes())
    assert _outcome(str(misnamed)) == expected
    with open(packed, "rb") as stream:
        assert _outcome(stream, input_format="csv") == expected
        assert not stream.closed  # the caller's stream is the caller's to close


def test_a_compressed_jsonl_batch_audits_as_the_plain_one(tmp_path: Path) -> None:
    claims = [otcoding.examples.load_claim(name) for name in otcoding.examples.claim_names()]
    text = "".join(json.dumps(claim) + "\n" for claim in claims).encode("utf-8")
    (tmp_path / "claims.jsonl").write_bytes(text)
    (tmp_path / "claims.jsonl.xz").write_bytes(lzma.compress(text))
    expected = _outcome(str(tmp_path / "claims.jsonl"))
    assert expected[1]["claims"] == len(claims)
    assert _outcome(str(tmp_path / "claims.jsonl.xz")) == expected


def test_a_seekable_binary_stream_without_peek_is_sniffed_too() -> None:
    stream = io.BytesIO(gzip.compress(_example_bytes()))
    expected = _outcome(io.BytesIO(_example_bytes()))
    assert _outcome(stream) == expected


@settings(max_examples=15, deadline=None)
@given(
    lines=st.integers(min_value=1, max_value=120),
    seed=st.integers(min_value=0, max_value=10_000),
    suffix=st.sampled_from(sorted(PACKERS)),
)
def test_any_generated_batch_reads_the_same_compressed(lines: int, seed: int, suffix: str) -> None:
    text = io.StringIO()
    write_batch(text, lines=lines, seed=seed, error_share=0.3, patients=5)
    data = text.getvalue().encode("utf-8")
    packed = io.BytesIO(PACKERS[suffix](data))
    assert _outcome(packed) == _outcome(io.BytesIO(data))


def test_cut_short_gzip_stops_with_the_file_named(tmp_path: Path) -> None:
    packed = gzip.compress(_example_bytes())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataFileError, match="cut short") as caught:
        _outcome(str(path))
    assert caught.value.path == str(path)


@pytest.mark.parametrize("suffix", sorted(PACKERS))
def test_damaged_compressed_data_is_a_data_file_error(tmp_path: Path, suffix: str) -> None:
    packed = bytearray(PACKERS[suffix](_example_bytes()))
    middle = len(packed) // 2
    packed[middle : middle + 40] = bytes(40)
    path = tmp_path / f"damaged.csv{suffix}"
    path.write_bytes(bytes(packed))
    with pytest.raises(DataFileError, match="damaged or cut short"):
        _outcome(str(path))


def test_the_cli_exits_2_on_damaged_input_and_writes_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    packed = gzip.compress(_example_bytes())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[:-20])
    report = tmp_path / "report.csv"
    assert main(["audit", str(path), "-o", str(report), "--today", str(TODAY)]) == 2
    err = capsys.readouterr().err
    assert "cut.csv.gz" in err
    assert "gzip" in err
    assert not report.exists()
    assert list(tmp_path.iterdir()) == [path]  # no temporary report left behind


@pytest.mark.parametrize("suffix", ["", *sorted(PACKERS)])
def test_a_report_named_compressed_is_written_compressed(tmp_path: Path, suffix: str) -> None:
    plain = tmp_path / "plain.jsonl"
    assert main(["audit", "--example", "-q", "-o", str(plain), "--today", str(TODAY)]) == 1
    packed = tmp_path / f"report.jsonl{suffix}"
    assert main(["audit", "--example", "-q", "-o", str(packed), "--today", str(TODAY)]) == 1
    opened = {"": open, ".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    with opened(packed, "rt", encoding="utf-8") as stream:
        text = stream.read()
    assert text == plain.read_text(encoding="utf-8")
    assert json.loads(text.splitlines()[-1])["summary"]["findings"] > 0


def test_an_interrupted_compressed_report_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.csv.gz"

    def interrupted() -> None:
        with atomic_output(target) as stream:
            stream.write("half a report\n")
            raise KeyError("interrupted")

    with pytest.raises(KeyError):
        interrupted()
    assert list(tmp_path.iterdir()) == []


def test_format_for_looks_through_compression() -> None:
    assert format_for("export.CSV.GZ") == "csv"
    assert format_for("claims.ndjson.bz2") == "jsonl"
    assert format_for("claims.jsonl.xz") == "jsonl"
    assert format_for("archive.tar.gz") is None
    assert format_for("batch.gz") is None


def test_a_compressed_file_of_unknown_format_says_what_to_name_it(tmp_path: Path) -> None:
    path = tmp_path / "batch.gz"
    path.write_bytes(gzip.compress(_example_bytes()))
    with pytest.raises(DataFileError, match=r"\.csv\.gz"):
        open_batch(str(path))
    assert _outcome(str(path), input_format="csv")[1]["claims"] > 0


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_named(tmp_path: Path, codec: str) -> None:
    text = "\ufeff" + _example_bytes().decode("utf-8") if codec != "utf-16" else None
    data = (text or _example_bytes().decode("utf-8")).encode(codec)
    path = tmp_path / "unicode.csv"
    path.write_bytes(data)
    with pytest.raises(DataFileError, match="UTF-16"):
        open_batch(str(path))


def test_a_zip_archive_is_named(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "export.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.csv", _example_bytes())
    with pytest.raises(DataFileError, match="zip archive"):
        open_batch(str(path))


@pytest.mark.parametrize(("separator", "called"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_header_split_by_another_character_says_so(separator: str, called: str) -> None:
    header = _example_bytes().decode("utf-8").splitlines()[0]
    text = header.replace(",", separator) + "\n"
    with pytest.raises(DataFileError, match=f"separated by {called}") as caught:
        open_batch(io.StringIO(text), input_format="csv")
    assert "comma-separated" in str(caught.value)


def test_a_header_merely_missing_columns_gets_no_separator_hint() -> None:
    for text in ("claim_id,payer,code\n", "notes;more\n", "claim_id\n"):
        with pytest.raises(DataFileError, match="missing required") as caught:
            open_batch(io.StringIO(text), input_format="csv")
        assert "separated by" not in str(caught.value)


def test_a_zstd_file_says_how_to_read_it(tmp_path: Path) -> None:
    path = tmp_path / "export.csv.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(20))  # the zstd frame magic number
    with pytest.raises(DataFileError, match="zstd -d"):
        open_batch(str(path), input_format="csv")
