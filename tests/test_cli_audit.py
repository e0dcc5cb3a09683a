"""``otcoding audit`` end to end: reports, summary, exit codes, bad input, safety."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import otcoding
import otcoding.cli.audit as cli_audit
from otcoding.cli import main
from otcoding.examples import batch_path
from otcoding.examples.generate import write_batch
from otcoding.io import FIELDS

TODAY = "2026-12-31"  # after every date of service the generator makes

# Patient data planted in inputs: none of it may appear in any output by default.
MEMBER_A, MEMBER_B = "9ZZ9ZZ9ZZ99", "8YY8YY8YY88"
BIRTH_A, BIRTH_B = "1933-07-04", "1933-07-05"
BAD_BIRTH = "1933-13-45"


def _audit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _csv_file(tmp_path: Path, text: str, name: str = "batch.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def _clean_batch(tmp_path: Path, lines: int = 60) -> str:
    path = tmp_path / "clean.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_batch(stream, lines=lines, seed=3, error_share=0.0)
    return str(path)


def _report_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == FIELDS
    return list(reader)


def _jsonl(text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    records = [json.loads(line) for line in text.splitlines()]
    assert records, "a JSONL report always has its summary line"
    last = records.pop()
    assert set(last) == {"summary"}
    for record in records:
        assert set(record) == set(FIELDS)
    return records, last["summary"]


def _stderr_summary_rows(err: str) -> int:
    line = next(x for x in err.splitlines() if x.startswith("rows read:"))
    return int(line.split()[2].replace(",", ""))


# A small batch with one error (97110: 3 units for 15 minutes) on claim C-1.
ERROR_BATCH = (
    "claim_id,payer,diagnoses,code,modifiers,units,minutes,date_of_service,diagnosis_pointers\n"
    "C-1,medicare,M19.90,97110,GO,3,15,2026-03-02,1\n"
    "C-2,medicare,M19.90,97530,GO,2,30,2026-03-02,1\n"
)


# --- the shipped example -----------------------------------------------------------


def test_example_exits_one_and_reports_valid_input_rows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _audit(capsys, "--example", "--today", TODAY)
    assert code == 1
    rows = _report_rows(out)
    assert rows, "the example batch carries planted mistakes"
    with batch_path().open(encoding="utf-8", newline="") as stream:
        # The example has no quoted line breaks: CSV record n is spreadsheet row n.
        input_rows = dict(enumerate(csv.reader(stream), 1))
    data_rows = len(input_rows) - 1
    for row in rows:
        number = int(row["row"])
        assert 2 <= number <= data_rows + 1
        if row["claim_id"]:
            assert input_rows[number][0] == row["claim_id"], row
        assert row["rule_id"].startswith("OT-")
        assert row["severity"] in {"error", "warning", "info"}
    assert {r["rule_id"] for r in rows} >= {"OT-ROW-001", "OT-ROW-002", "OT-ROW-003"}
    assert _stderr_summary_rows(err) == data_rows


def test_jsonl_summary_is_last_and_adds_up(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _audit(capsys, "--example", "--format", "jsonl", "--today", TODAY)
    assert code == 1
    assert "rows read" not in err  # the summary is in the report, not repeated
    records, summary = _jsonl(out)
    assert summary["complete"] is True
    assert summary["rows"] == summary["rows_checked"] + summary["rows_not_checked"]
    assert summary["rows"] == len(batch_path().read_text(encoding="utf-8").splitlines()) - 1
    assert summary["findings"] == len(records)
    assert sum(summary["by_severity"].values()) == len(records)
    assert sum(summary["by_rule"].values()) == len(records)
    by_rule: dict[str, int] = {}
    for record in records:
        by_rule[record["rule_id"]] = by_rule.get(record["rule_id"], 0) + 1
    assert summary["by_rule"] == by_rule
    assert summary["by_severity"]["error"] == sum(r["severity"] == "error" for r in records)
    assert summary["unreadable_rows"] == by_rule["OT-ROW-001"]


def test_csv_summary_goes_to_stderr_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, err = _audit(capsys, "--example", "--today", TODAY)
    assert "rows read:" in err
    assert "findings:" in err
    assert "rows read" not in out
    assert "summary" not in out
    assert out.splitlines()[0] == ",".join(FIELDS)


def test_no_double_billing_drops_the_cross_claim_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _code, out, _err = _audit(capsys, "--example", "--today", TODAY)
    assert "OT-BATCH-001" in {r["rule_id"] for r in _report_rows(out)}
    _code, out, _err = _audit(capsys, "--example", "--today", TODAY, "--no-double-billing")
    assert "OT-BATCH-001" not in {r["rule_id"] for r in _report_rows(out)}


def test_flat_memory_drops_both_cross_claim_rules_and_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _code, out, err = _audit(capsys, "--example", "--today", TODAY, "--flat-memory")
    rules = {r["rule_id"] for r in _report_rows(out)}
    assert not rules & {"OT-BATCH-001", "OT-ROW-003"}
    assert "OT-ROW-001" in rules
    assert "not run (asked for): OT-ROW-003, OT-BATCH-001" in err


def test_temp_dir_holds_the_cross_claim_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as stream:
        write_batch(stream, lines=4000, seed=8, error_share=0.3, patients=20)
    spill = tmp_path / "spill"
    spill.mkdir()
    code, out, _ = _audit(capsys, str(big), "--today", TODAY, "--temp-dir", str(spill))
    code_default, out_default, _ = _audit(capsys, str(big), "--today", TODAY)
    assert (code, out) == (code_default, out_default)
    rules = [r["rule_id"] for r in _report_rows(out)]
    assert "OT-BATCH-001" in rules
    assert list(spill.iterdir()) == []  # the file had no name, and is gone
    code, _, err = _audit(capsys, str(big), "--temp-dir", str(tmp_path / "nowhere"))
    assert code == 2
    assert "nowhere: the temporary directory does not exist" in err


# --- output file -------------------------------------------------------------------


def test_output_file_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "out.csv"
    out_path.write_text("old report\n", encoding="utf-8")
    code, out, err = _audit(capsys, "--example", "--today", TODAY, "-o", str(out_path))
    assert code == 1
    assert out == ""
    assert "rows read:" in err
    rows = _report_rows(out_path.read_text(encoding="utf-8"))
    assert len(rows) > 10
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_output_format_follows_the_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "out.jsonl"
    code, out, err = _audit(capsys, "--example", "--today", TODAY, "-o", str(out_path))
    assert code == 1
    assert out == ""
    records, summary = _jsonl(out_path.read_text(encoding="utf-8"))
    assert summary["findings"] == len(records) > 10
    assert _stderr_summary_rows(err) == summary["rows"]
    # --format wins over the extension.
    _audit(capsys, "--example", "--today", TODAY, "-o", str(out_path), "--format", "csv")
    assert out_path.read_text(encoding="utf-8").startswith(",".join(FIELDS))


class _InterruptingWriter:
    """A report writer that is interrupted (Ctrl-C) after a few rows."""

    def __init__(self, real: Any, after: int) -> None:
        self.real = real
        self.after = after

    def write_row(self, row: Any) -> None:
        if self.after == 0:
            raise KeyboardInterrupt
        self.after -= 1
        self.real.write_row(row)

    def finish(self, summary: Any) -> None:
        self.real.finish(summary)


@pytest.mark.parametrize("existing", [True, False])
def test_interrupted_run_leaves_output_as_it_was(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    existing: bool,
) -> None:
    real = cli_audit.report_writer
    monkeypatch.setattr(
        cli_audit, "report_writer", lambda stream, fmt: _InterruptingWriter(real(stream, fmt), 3)
    )
    out_path = tmp_path / "out.csv"
    if existing:
        out_path.write_text("the previous report\n", encoding="utf-8")
    code, out, err = _audit(capsys, "--example", "--today", TODAY, "-o", str(out_path))
    assert code == 130
    assert out == ""
    assert "interrupted" in err
    assert f"{out_path} was left as it was" in err
    assert "rows read:" in err  # the partial summary
    assert "incomplete" in err
    assert 0 < _stderr_summary_rows(err) < 261
    if existing:
        assert out_path.read_text(encoding="utf-8") == "the previous report\n"
        assert sorted(os.listdir(tmp_path)) == ["out.csv"]
    else:
        assert os.listdir(tmp_path) == []


def test_interrupted_run_to_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(run: Any, stream: Any, fmt: str, progress: Any) -> None:
        for _finding in run:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_audit, "_report", interrupted)
    code, _out, err = _audit(capsys, "--example", "--today", TODAY)
    assert code == 130
    assert "interrupted; the report is partial" in err
    assert "incomplete" in err


# --- exit codes and unusable input -------------------------------------------------


def test_clean_batch_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _audit(capsys, _clean_batch(tmp_path), "--today", TODAY)
    assert code == 0
    assert out.splitlines() == [",".join(FIELDS)]
    assert "findings: 0" in err
    assert _stderr_summary_rows(err) == 60


def test_error_batch_exits_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _audit(capsys, _csv_file(tmp_path, ERROR_BATCH), "--today", TODAY)
    assert code == 1
    [row] = _report_rows(out)
    assert (row["claim_id"], row["row"], row["line"], row["rule_id"]) == (
        "C-1",
        "2",
        "0",
        "OT-UNITS-001",
    )


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("otcoding: error: ")
    return lines[0]


def test_missing_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nowhere.csv")
    code, out, err = _audit(capsys, missing, "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert out == ""
    message = _one_error_line(err)
    assert missing in message
    assert "cannot open" in message
    assert os.listdir(tmp_path) == []


def test_header_without_units_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "claim_id,payer,code,date_of_service\nC-1,medicare,97110,2026-03-02\n"
    path = _csv_file(tmp_path, text)
    code, out, err = _audit(capsys, path)
    assert code == 2
    assert out == ""
    message = _one_error_line(err)
    assert path in message
    assert "'units'" in message
    assert "missing" in message


def test_empty_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv_file(tmp_path, "")
    code, out, err = _audit(capsys, path)
    assert code == 2
    assert out == ""
    message = _one_error_line(err)
    assert path in message
    assert "empty" in message


def test_header_only_file_is_an_empty_clean_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv_file(tmp_path, "claim_id,payer,code,units,date_of_service\r\n")
    code, out, err = _audit(capsys, path)
    assert code == 0
    assert out.splitlines() == [",".join(FIELDS)]
    assert _stderr_summary_rows(err) == 0
    code, out, _err = _audit(capsys, path, "--format", "jsonl")
    assert code == 0
    records, summary = _jsonl(out)
    assert records == []
    assert summary["rows"] == summary["claims"] == 0
    assert summary["complete"] is True


def test_usage_errors_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _audit(capsys)
    assert code == 2
    assert "--example" in _one_error_line(err)
    code, _out, err = _audit(capsys, "--example", _clean_batch(tmp_path))
    assert code == 2
    assert "not both" in _one_error_line(err)
    code, _out, err = _audit(capsys, "--example", "--today", "2026-02-30")
    assert code == 2
    assert "--today" in _one_error_line(err)
    code, _out, err = _audit(capsys, str(tmp_path / "notes.txt"))
    assert code == 2
    assert "extension" in _one_error_line(err)


# --- warnings and --quiet ----------------------------------------------------------


def test_extra_columns_warn_once_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, *rows = ERROR_BATCH.splitlines()
    text = "\n".join([header + ",note,Clinic", *(r + ",x,y" for r in rows)]) + "\n"
    code, out, err = _audit(capsys, _csv_file(tmp_path, text), "--today", TODAY)
    assert code == 1
    warnings = [line for line in err.splitlines() if "warning:" in line or "'note'" in line]
    assert len(warnings) == 1
    # Besides the warning, stderr holds only the summary.
    assert err.replace(warnings[0] + "\n", "", 1).startswith("rows read:")
    assert warnings[0].startswith("otcoding: warning: ")
    assert "'note'" in warnings[0]
    assert "'Clinic'" in warnings[0]
    assert [r["rule_id"] for r in _report_rows(out)] == ["OT-UNITS-001"]
    assert _stderr_summary_rows(err) == 2


def test_quiet_prints_nothing_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, *rows = ERROR_BATCH.splitlines()
    text = "\n".join([header + ",note", *(r + ",x" for r in rows)]) + "\n"
    path = _csv_file(tmp_path, text)
    code, out, err = _audit(capsys, path, "--today", TODAY, "-q")
    assert code == 1
    assert err == ""
    assert len(_report_rows(out)) == 1
    code, out, err = _audit(capsys, "--example", "--quiet", "-o", str(tmp_path / "r.jsonl"))
    assert (code, out, err) == (1, "", "")


# --- spreadsheet safety ------------------------------------------------------------


def test_formula_cells_are_neutralised_in_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hyperlink = '=HYPERLINK("http://example.invalid","open")'
    quoted = '"' + hyperlink.replace('"', '""') + '"'
    text = (
        "claim_id,payer,diagnoses,code,modifiers,units,minutes,date_of_service,diagnosis_pointers\n"
        f"{quoted},medicare,M19.90,97110,GO,3,15,2026-03-02,1\n"
        "@C-2,=1+1,M19.90,97110,GO,1,15,2026-03-02,1\n"
    )
    path = _csv_file(tmp_path, text)

    # A message or fix that begins like a formula: no built-in rule writes one,
    # so prefix the real findings on their way to the writer.
    real_audit = cli_audit.audit

    class Prefixed:
        def __init__(self, run: Any) -> None:
            self.run, self.summary, self.warnings = run, run.summary, run.warnings
            self.fraction_read = run.fraction_read

        def close(self) -> None:
            self.run.close()

        def __iter__(self) -> Any:
            for finding in self.run:
                yield attrs.evolve(finding, message="-" + finding.message, fix="+1")

    monkeypatch.setattr(cli_audit, "audit", lambda *a, **k: Prefixed(real_audit(*a, **k)))
    code, out, _err = _audit(capsys, path, "--today", TODAY)
    assert code == 1
    rows = _report_rows(out)
    assert [r["claim_id"] for r in rows] == ["'" + hyperlink, "'@C-2"]
    for row in rows:
        assert row["message"].startswith("'-")
        assert row["fix"] == "'+1"
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    # JSONL carries the values as they are: it is data, not a spreadsheet.
    _code, out, _err = _audit(capsys, path, "--today", TODAY, "--format", "jsonl")
    records, _summary = _jsonl(out)
    assert records[0]["claim_id"] == hyperlink
    assert records[0]["message"].startswith("-")


# --- patient data ------------------------------------------------------------------

PATIENT_BATCH = (
    "claim_id,payer,patient_id,member_id,birth_date,diagnoses,code,modifiers,units,minutes,"
    "date_of_service,diagnosis_pointers\n"
    f"C-1,medicare,P-1,{MEMBER_A},{BIRTH_A},M19.90,97110,GO,1,15,2026-03-02,1\n"
    f"C-1,medicare,P-1,{MEMBER_B},{BIRTH_B},M19.90,97530,GO,2,30,2026-03-02,1\n"
    f"C-2,medicare,P-2,{MEMBER_A},{BAD_BIRTH},M19.90,97110,GO,1,15,2026-03-02,1\n"
)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_no_patient_data_in_output_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out, err = _audit(
        capsys, _csv_file(tmp_path, PATIENT_BATCH), "--today", TODAY, "--format", fmt
    )
    assert code == 1
    for value in (MEMBER_A, MEMBER_B, BIRTH_A, BIRTH_B, BAD_BIRTH):
        assert value not in out
        assert value not in err
    assert "member_id differs from row 2" in out
    assert "birth_date differs from row 2" in out
    assert "value withheld" in out or "values withheld" in out


def test_include_patient_data_shows_the_disagreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv_file(tmp_path, PATIENT_BATCH)
    code, out, _err = _audit(capsys, path, "--today", TODAY, "--include-patient-data")
    assert code == 1
    rows = {r["message"].split()[0]: r for r in _report_rows(out) if r["rule_id"] == "OT-ROW-002"}
    assert MEMBER_A in rows["member_id"]["message"]
    assert MEMBER_B in rows["member_id"]["message"]
    assert BIRTH_B in rows["birth_date"]["message"]
    assert rows["member_id"]["row"] == "3"


# --- malformed rows ----------------------------------------------------------------

MALFORMED_HEADER = (
    "claim_id,payer,patient_id,diagnoses,code,modifiers,units,minutes,date_of_service,"
    "diagnosis_pointers"
)


def _malformed_bytes() -> tuple[bytes, dict[int, str]]:
    """A batch with a BOM and CRLF endings; returns it and the bad rows' claim IDs."""
    rows = [
        b"C-1,medicare,P-1,M19.90,97530,GO,2,30,2026-03-02,1",  # 2: good
        b"C-2,medicare,P-2,M19.90,97530,GO",  # 3: truncated
        b"C-3,medicare,P-3,M19.90,97530,GO,two,30,2026-03-02,1",  # 4: wrong type
        b"C-4,medicare,P-4,M19.90,97530,GO,2,30,2026-02-30,1",  # 5: no such date
        b'C-5,medicare,P-5,"M19.90;\nR26.89",97530,GO,2,30,2026-03-02,1',  # 6: quoted newline
        b"C-6,medicare,P-6,M19.90,97530,G\xff,2,30,2026-03-02,1",  # 7: not UTF-8
        b"C-7,medicare,P-7,M19.90,97110,GO,3,30,2026-03-02,1",  # 8: good, 1 unit over
        b"C-8,medicare,P-8,M19.90,97530,GO,2,30,2026-03-02",  # 9: truncated
        b"C-8,medicare,P-8,M19.90,97530,GO,2,30,2026-03-02,1,extra",  # 10: too long
        b"C-9,commercial,P-9,M19.90,97530,GO,2,30,2026-03-02,1",  # 11: good
    ]
    data = b"\xef\xbb\xbf" + MALFORMED_HEADER.encode() + b"\r\n" + b"\r\n".join(rows) + b"\r\n"
    return data, {3: "C-2", 4: "C-3", 5: "C-4", 7: "C-6", 9: "C-8", 10: "C-8"}


def test_malformed_rows_are_all_accounted_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, bad = _malformed_bytes()
    path = tmp_path / "malformed.csv"
    path.write_bytes(data)
    code, out, err = _audit(capsys, str(path), "--today", TODAY, "--format", "jsonl")
    assert code == 1
    assert "Traceback" not in err
    records, summary = _jsonl(out)
    assert summary["rows"] == 10  # data rows; the quoted newline is inside one row
    assert summary["rows"] == summary["rows_checked"] + summary["rows_not_checked"]
    assert summary["unreadable_rows"] == len(bad)
    unreadable = {r["row"]: r for r in records if r["rule_id"] == "OT-ROW-001"}
    assert set(unreadable) == set(bad)
    for row, claim_id in bad.items():
        assert unreadable[row]["claim_id"] == claim_id
        assert f"claim {claim_id} not checked" in unreadable[row]["message"]
    assert "units" in unreadable[4]["message"]
    assert "'two'" in unreadable[4]["message"]
    assert "date_of_service" in unreadable[5]["message"]
    assert "2026-02-30" in unreadable[5]["message"]
    assert "UTF-8" in unreadable[7]["message"]
    # Good claims are still checked: C-1, C-5, C-7, C-9; C-7's planted error is found
    # on row 8 (the quoted newline in row 6 does not shift the numbering).
    assert summary["claims"] == 9  # C-1 ... C-9
    assert summary["claims_checked"] == 4
    assert summary["rows_checked"] == summary["lines"] == 4
    assert {(r["claim_id"], r["row"], r["rule_id"]) for r in records} >= {
        ("C-7", 8, "OT-UNITS-001")
    }
    assert all(r["claim_id"] != "C-1" and r["claim_id"] != "C-9" for r in records)
    assert {r["rule_id"] for r in records} <= {"OT-ROW-001", "OT-UNITS-001", "OT-CLER-002"}
    # The same file from stdin, as bytes: same findings, row for row.
    result = subprocess.run(
        [sys.executable, "-m", "otcoding", "audit", "-", "--today", TODAY, "--format", "jsonl"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.decode() == out


def test_malformed_jsonl_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = {
        "claim_id": "J-1",
        "payer": "commercial",
        "diagnoses": ["M19.90"],
        "lines": [
            {"code": "97110", "modifiers": ["GO"], "units": 3, "minutes": 20,
             "date_of_service": "2026-03-02", "diagnosis_pointers": [1]},
        ],
    }  # fmt: skip
    path = tmp_path / "claims.jsonl"
    path.write_bytes(
        b"\n".join(
            [
                json.dumps(good).encode(),
                b"{not json",
                b"",
                json.dumps({**good, "claim_id": "J-2", "colour": "red"}).encode(),
                b'{"claim_id": "J-\xff"}',
            ]
        )
        + b"\n"
    )
    code, out, _err = _audit(capsys, str(path), "--today", TODAY, "--format", "jsonl")
    assert code == 1
    records, summary = _jsonl(out)
    assert summary["rows"] == 4
    assert summary["blank_rows"] == 1
    assert summary["rows"] == summary["rows_checked"] + summary["rows_not_checked"]
    assert summary["claims_checked"] == 1
    assert {r["row"] for r in records if r["rule_id"] == "OT-ROW-001"} == {2, 4, 5}
    assert ("J-1", 1, "OT-UNITS-001") in {(r["claim_id"], r["row"], r["rule_id"]) for r in records}


# --- subprocess: stdin, exit codes, pipes ------------------------------------------


def _otcoding(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "otcoding", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=60,
    )


def test_stdin_with_dash(tmp_path: Path) -> None:
    result = _otcoding("audit", "-", "--today", TODAY, stdin=ERROR_BATCH.encode())
    assert result.returncode == 1
    rows = _report_rows(result.stdout.decode())
    assert [(r["claim_id"], r["rule_id"]) for r in rows] == [("C-1", "OT-UNITS-001")]
    assert b"rows read: 2" in result.stderr
    clean = Path(_clean_batch(tmp_path)).read_bytes()
    result = _otcoding("audit", "-", "--today", TODAY, "-q", stdin=clean)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode().splitlines() == [",".join(FIELDS)]


def test_unusable_input_exit_code_in_a_process(tmp_path: Path) -> None:
    result = _otcoding("audit", str(tmp_path / "missing.csv"))
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().count("\n") == 1


def test_closed_stdout_stops_quietly(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_batch(stream, lines=1500, seed=5, error_share=0.9)  # ~300 kB of report
    process = subprocess.Popen(
        [sys.executable, "-m", "otcoding", "audit", str(path), "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline().decode().startswith("claim_id,row")
    process.stdout.close()  # like `| head -1`
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 141
    assert b"Traceback" not in err
    assert b"BrokenPipe" not in err


def test_version() -> None:
    result = _otcoding("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == f"otcoding {otcoding.__version__}"


# --- help --------------------------------------------------------------------------


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "otcoding audit --example" in out


def test_audit_help_shows_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "otcoding audit export.csv -o findings.csv" in out
    assert "otcoding audit -" in out
    for option in ("--format", "--no-double-billing", "--include-patient-data", "--quiet"):
        assert option in out
    assert "130 interrupted" in out


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"otcoding {otcoding.__version__}"


def test_jobs_give_the_same_report(capsys: pytest.CaptureFixture[str]) -> None:
    one = _audit(capsys, "--example", "--today", TODAY, "--format", "jsonl")
    two = _audit(capsys, "--example", "--today", TODAY, "--format", "jsonl", "-j", "2")
    assert one == two
    code, _out, err = _audit(capsys, "--example", "--jobs", "-1")
    assert code == 2
    assert "--jobs" in err
