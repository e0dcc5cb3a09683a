"""``otcoding check``: exit codes, formats and error messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claimfactory import clean_claim, line

from otcoding.cli import main


def _write(tmp_path: Path, data: Any, name: str = "claim.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_clean_claim_exits_zero_and_prints_json_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, clean_claim())
    code = main(["check", path, "--format", "json", "--today", "2026-03-10"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["claim_id"] == "C-1001"
    assert out["ok"] is True
    assert set(out) == {"claim_id", "ok", "findings"}


def test_claim_with_error_exits_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 97530 billed with GP: physical therapy's modifier on an OT line.
    path = _write(tmp_path, clean_claim(lines=[line("97530", 2, 30, modifiers=["GP"])]))
    code = main(["check", path, "--format", "json", "--today", "2026-03-10"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["ok"] is False
    assert any(f["severity"] == "error" for f in out["findings"])
    for finding in out["findings"]:
        assert set(finding) == {"rule_id", "severity", "message", "line", "fix", "source"}


def test_text_format_names_the_rule_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, clean_claim())
    assert main(["check", path, "--today", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    assert "medicare rules" in out
    assert "C-1001: OK" in out


def test_bad_json_exits_two_with_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "{not json")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert "not valid JSON" in err
    assert "line 1" in err


def test_unknown_key_exits_two_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clean_claim()
    data["lines"][0]["minuets"] = 30
    path = _write(tmp_path, data)
    assert main(["check", path]) == 2
    assert "lines[0].minuets" in capsys.readouterr().err


def test_missing_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.json")]) == 2
    assert "nope.json" in capsys.readouterr().err


def test_patient_data_never_in_error_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clean_claim()
    data["patient"]["birth_date"] = "SENTINEL-1950"
    path = _write(tmp_path, data)
    assert main(["check", path]) == 2
    captured = capsys.readouterr()
    assert "SENTINEL" not in captured.err + captured.out
    assert "patient.birth_date" in captured.err


def test_lookup_of_a_two_character_code_points_at_the_other_tables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["lookup", "go"]) == 2
    err = capsys.readouterr().err
    assert "'go'" in err
    assert "--table modifier" in err
    assert main(["lookup", "go", "--table", "modifier", "--on", "2026-03-02"]) == 0
    assert capsys.readouterr().out.startswith("modifier GO: ")
