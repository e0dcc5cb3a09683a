"""``otcoding audit``: check a batch file and write one report row per finding."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from importlib import resources
from typing import IO, Any

from otcoding._parse import parse_date
from otcoding.auditor import Audit, audit
from otcoding.errors import InvalidInputError
from otcoding.io import INPUT_FORMATS, atomic_output, format_for, report_writer

__all__ = ["register", "run"]

_EPILOG = """examples:
  otcoding audit --example                      the batch shipped with otcoding
  otcoding audit export.csv -o findings.csv     report as CSV, summary on stderr
  otcoding audit claims.jsonl --format jsonl    report as JSON Lines, summary last
  otcoding audit big.csv -o findings.csv -j 0   all CPUs; same report
  otcoding audit export.csv.gz -o findings.csv.gz   compressed in and out
  cat export.csv | otcoding audit - --input-format csv --quiet

Every input row is accounted for in the summary: checked, not checked, or
unreadable (each unreadable row is also a finding with its row number).

exit status: 0 no error findings, 1 at least one error finding, 2 unusable input
(missing file, a required column missing), 130 interrupted (output not replaced),
141 stdout closed early (e.g. piped into head)
"""


def register(subparsers: Any) -> None:
    """Add the ``audit`` subcommand."""
    parser = subparsers.add_parser(
        "audit",
        help="check a batch (CSV rows or JSONL claims) and report every finding",
        description="Check every claim of a batch file in constant memory and write one "
        "report row per finding (claim_id, row, line, rule_id, severity, message, fix, "
        "source). The payer of each claim decides its rules.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "file",
        nargs="?",
        help="batch .csv or .jsonl file (gzip, bzip2 or xz compressed too), or - for stdin",
    )
    parser.add_argument(
        "--example", action="store_true", help="audit the example batch shipped with otcoding"
    )
    parser.add_argument("-o", "--output", help="write the report here (atomically), not stdout")
    parser.add_argument(
        "--format", choices=("csv", "jsonl"), help="report format (default: from -o, else csv)"
    )
    parser.add_argument(
        "--input-format", choices=INPUT_FORMATS[:2], help="input format (default: extension)"
    )
    parser.add_argument(
        "--payer-method",
        "--method",
        dest="method",
        choices=("cms", "cpt"),
        help="unit method for every payer (default: cms for Medicare, cpt otherwise)",
    )
    parser.add_argument("--year", type=int, help="pin yearly figures (KX threshold, ...) to YYYY")
    parser.add_argument("--today", help="judge 'future' dates against this date (YYYY-MM-DD)")
    parser.add_argument(
        "--no-double-billing",
        action="store_true",
        help="skip the cross-claim double-billing check (OT-BATCH-001)",
    )
    parser.add_argument(
        "--flat-memory",
        action="store_true",
        help="skip both cross-claim checks (double billing, reused claim IDs), so "
        "nothing goes to a temporary file; the summary lists what was skipped",
    )
    parser.add_argument(
        "--temp-dir",
        metavar="DIR",
        help="where the cross-claim checks keep their temporary file (about 42 bytes "
        "an input row; default: the system's temporary directory)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="parse and check in N worker processes (0: one per CPU; default 1); "
        "the report is the same, in the same order",
    )
    parser.add_argument(
        "--include-patient-data",
        action="store_true",
        help="allow patient values (member ID, birth date) in messages",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    parser.set_defaults(func=run)


@contextlib.contextmanager
def _source(args: argparse.Namespace) -> Iterator[Any]:
    if args.example:
        from otcoding.examples import batch_path

        with resources.as_file(batch_path()) as path:
            yield path
    elif not args.file:
        raise InvalidInputError("file", None, "give a batch file, '-' or --example")
    elif args.file == "-":
        yield sys.stdin.buffer
    else:
        yield args.file


@contextlib.contextmanager
def _output(args: argparse.Namespace) -> Iterator[IO[str]]:
    if args.output:
        with atomic_output(args.output) as stream:
            yield stream
    else:
        yield sys.stdout


class _Progress:
    """Progress on stderr when it is a terminal.

    Rows done and rows per second; with a bar, the share read and the time left
    when the input's size is known.
    """

    WIDTH = 24

    def __init__(
        self,
        enabled: bool,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.clock = clock
        self.start = self.last = clock()
        self.shown = 0

    def update(self, rows: int, fraction: Callable[[], float | None] | None = None) -> None:
        """Show ``rows`` done (and ``fraction()`` of the input), at most four times a second."""
        now = self.clock()
        if not self.enabled or now - self.last < 0.25:
            return
        self.last = now
        text = self.line(rows, fraction() if fraction else None, now - self.start)
        # Pad over a longer line shown before (the time left shrinks).
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def line(self, rows: int, fraction: float | None, elapsed: float) -> str:
        """What one update shows.

        >>> _Progress(False).line(450_000, 0.5, 20.0)
        '  [############------------]  50%     450,000 rows    22,500 rows/s  0:20 left'
        >>> _Progress(False).line(450_000, None, 20.0)
        '       450,000 rows      22,500 rows/s'
        """
        rate = rows / max(elapsed, 1e-9)
        if fraction is None:
            return f"  {rows:>12,} rows  {rate:>10,.0f} rows/s"
        done = round(fraction * self.WIDTH)
        bar = "#" * done + "-" * (self.WIDTH - done)
        text = f"  [{bar}] {fraction:>4.0%}  {rows:>10,} rows  {rate:>8,.0f} rows/s"
        if fraction > 0.01:
            left = round(elapsed * (1 - fraction) / fraction)
            text += f"  {left // 60}:{left % 60:02d} left"
        return text

    def done(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()


def _report(run: Audit, stream: IO[str], fmt: str, progress: _Progress) -> None:
    writer = report_writer(stream, fmt)
    summary = run.summary
    for finding in run:
        writer.write_row(finding.to_row())
        progress.update(summary.rows, run.fraction_read)
    writer.finish(summary.to_dict())


def run(args: argparse.Namespace) -> int:
    """Audit the batch; the exit status says whether any finding is an error."""
    if args.example and args.file:
        raise InvalidInputError("file", args.file, "give a file or --example, not both")
    if args.jobs < 0:
        raise InvalidInputError("--jobs", args.jobs, "expected 0 (one per CPU) or more")
    today = parse_date(args.today, field="--today") if args.today else None
    fmt = args.format or (format_for(args.output) if args.output else None) or "csv"
    if fmt not in ("csv", "jsonl"):
        fmt = "csv"
    with _source(args) as source:
        input_format = args.input_format
        if input_format is None and source is sys.stdin.buffer:
            input_format = "csv"
        batch = audit(
            source,
            year=args.year,
            unit_method=args.method,
            today=today,
            input_format=input_format,
            include_patient_data=args.include_patient_data,
            double_billing=not (args.no_double_billing or args.flat_memory),
            duplicate_claim_ids=not args.flat_memory,
            workers=args.jobs,
            temp_dir=args.temp_dir,
        )
        if not args.quiet:
            for warning in batch.warnings:
                print(f"otcoding: warning: {warning}", file=sys.stderr)
        progress = _Progress(not args.quiet and sys.stderr.isatty())
        try:
            with _output(args) as stream:
                _report(batch, stream, fmt, progress)
        except KeyboardInterrupt:
            progress.done()
            kept = f"{args.output} was left as it was" if args.output else "the report is partial"
            print(f"otcoding: interrupted; {kept}", file=sys.stderr)
            if not args.quiet:
                print(batch.summary, file=sys.stderr)
            return 130
        except BrokenPipeError:
            # Whoever read stdout went away (``| head``): stop quietly, as Unix tools do,
            # and keep Python from failing again when it flushes stdout at exit.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return 141
        finally:
            batch.close()
        progress.done()
    summary = batch.summary
    if not args.quiet and (fmt == "csv" or args.output):
        print(summary, file=sys.stderr)
    return 1 if summary.errors else 0
