"""The progress shown on a terminal, and how much of the input a reader has read."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import os
from pathlib import Path

import pytest

import otcoding
import otcoding.cli.audit as cli_audit
from otcoding.cli import main
from otcoding.cli.audit import _Progress
from otcoding.examples.generate import write_batch
from otcoding.io import open_batch

TODAY = dt.date(2026, 12, 31)


def _batch(tmp_path: Path, lines: int = 3000) -> Path:
    path = tmp_path / "batch.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_batch(stream, lines=lines, seed=5, patients=40)
    return path


def _fractions(source: object, **options: object) -> list[float | None]:
    reader = open_batch(source, **options)  # type: ignore[arg-type]
    seen = [reader.fraction_read() for _ in reader]  # type: ignore[attr-defined]
    return [*seen, reader.fraction_read()]  # type: ignore[attr-defined]


def test_a_path_is_read_from_0_to_1_in_order(tmp_path: Path) -> None:
    seen = _fractions(str(_batch(tmp_path)))
    assert seen == sorted(seen)  # type: ignore[type-var]
    assert 0 < seen[0] < 0.5  # type: ignore[operator]
    assert any(0.3 < f < 0.7 for f in seen)  # type: ignore[operator]
    assert seen[-1] == 1.0


def test_a_compressed_file_counts_its_compressed_bytes(tmp_path: Path) -> None:
    plain = _batch(tmp_path, lines=20_000)
    packed = tmp_path / "batch.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    seen = _fractions(str(packed))
    assert seen == sorted(seen)  # type: ignore[type-var]
    assert seen[0] < 1.0  # type: ignore[operator]
    assert seen[-1] == 1.0


def test_a_stream_counts_from_where_it_was_given(tmp_path: Path) -> None:
    data = _batch(tmp_path).read_bytes()
    stream = io.BytesIO(b"x" * 1000 + data)
    stream.seek(1000)
    seen = _fractions(stream, input_format="csv")
    assert seen[0] < 0.5  # type: ignore[operator]
    assert seen[-1] == 1.0


def test_no_fraction_without_a_known_size(tmp_path: Path) -> None:
    text = _batch(tmp_path, lines=50).read_text(encoding="utf-8")
    assert set(_fractions(io.StringIO(text), input_format="csv")) == {None}
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as writer:
        writer.write(text.encode("utf-8"))
    with open(read_end, "rb") as pipe:
        assert set(_fractions(pipe, input_format="csv")) == {None}
    rows = [{"claim_id": "C-1", "payer": "medicare", "code": "97110", "units": "1",
             "date_of_service": "2026-03-02"}]  # fmt: skip
    run = otcoding.audit(rows, today=TODAY)
    list(run)
    assert run.fraction_read() is None


def test_the_audit_passes_on_its_readers_fraction(tmp_path: Path) -> None:
    run = otcoding.audit(str(_batch(tmp_path)), today=TODAY)
    assert run.fraction_read() is not None
    list(run)
    assert run.fraction_read() == 1.0


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_share_rate_and_time_left() -> None:
    line = _Progress(False).line(250, 0.25, 10.0)
    assert "[######------------------]" in line
    assert " 25%" in line
    assert "25 rows/s" in line
    assert "0:30 left" in line  # a quarter in 10 s: 30 s to go
    assert "left" not in _Progress(False).line(1, 0.001, 10.0)  # too early to tell
    assert "%" not in _Progress(False).line(250, None, 10.0)


def test_updates_come_at_most_four_times_a_second_and_done_clears() -> None:
    clock, out = _Clock(), io.StringIO()
    progress = _Progress(True, out, clock)
    calls: list[int] = []

    def fraction() -> float:
        calls.append(1)
        return 0.5

    progress.update(10, fraction)  # too soon after the start
    clock.now += 0.3
    progress.update(20, fraction)
    clock.now += 0.1
    progress.update(30, fraction)  # too soon after the last
    assert len(calls) == 1  # the fraction is asked for only when shown
    shown = out.getvalue()
    assert shown.startswith("\r")
    assert "50%" in shown
    assert "20 rows" in shown
    progress.done()
    assert out.getvalue().endswith("\r" + " " * len(shown.strip("\r")) + "\r")


def test_a_silent_progress_writes_nothing() -> None:
    out = io.StringIO()
    progress = _Progress(False, out, _Clock())
    progress.update(10, lambda: 0.5)
    progress.done()
    assert out.getvalue() == ""


def test_the_cli_shows_the_bar_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _batch(tmp_path, lines=5000)
    plain = main(["audit", str(path), "-q", "--today", str(TODAY)])
    expected = capsys.readouterr().out

    class Ticking(_Progress):
        """A clock that moves 0.3 s each time it is read: every update is shown."""

        def __init__(self, enabled: bool) -> None:
            ticks = itertools.count()
            super().__init__(enabled, clock=lambda: next(ticks) * 0.3)

    monkeypatch.setattr(cli_audit, "_Progress", Ticking)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert main(["audit", str(path), "--today", str(TODAY)]) == plain
    captured = capsys.readouterr()
    assert captured.out == expected  # the report is the same
    assert "rows/s" in captured.err
    assert "%" in captured.err
    assert "left" in captured.err
