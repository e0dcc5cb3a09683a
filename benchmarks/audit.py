"""Benchmark the batch audit on a generated batch (a plain script, not a test).

    python benchmarks/audit.py [--lines 1000000] [--small 100000]

Goals (issue 6), each as a ratio measured in this run:

- the audit of a ``--lines`` CSV against ``csv.DictReader`` merely reading the same
  file (goal <= 8x), with lines per second, in this process and with 2 worker
  processes (``workers=2``, ``otcoding audit -j 2``);
- peak RSS of a fresh process auditing ``--lines`` against one auditing ``--small``
  lines (goal <= 1.2x), with the default cross-claim checks (their records go to a
  temporary file, about 42 bytes an input row) and with ``--flat-memory``
  (``double_billing=False, duplicate_claim_ids=False``).

Both files come from :mod:`otcoding.examples.generate` with one seed and one
patient pool of 2,000. With ``OTCODING_BENCH_QUICK=1`` (``run.py --quick``) the sizes
are 200,000 and 20,000 lines. ``main()`` returns the rows for ``benchmarks/run.py``.

The read, the audit and the ``-j 2`` audit are run in turn, ``--rounds`` times (3), and
each is reported at its best round: every measure gets the same treatment, and a
round slowed by another process on the machine does not decide the ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import otcoding
from otcoding.examples.generate import write_batch

TODAY = dt.date(2026, 12, 1)
PATIENTS = 2_000
SPEED_GOAL = 8.0
RSS_GOAL = 1.2

_CHILD = """\
import datetime as dt, resource, sys
import otcoding
cross = sys.argv[2] == "1"
run = otcoding.audit(
    sys.argv[1], today=dt.date(2026, 12, 1), double_billing=cross, duplicate_claim_ids=cross
)
for _ in run:
    pass
assert run.summary.accounted
# ru_maxrss survives fork and exec, so it would report the parent's size: read the
# peak of this process's own address space (Linux) when it can be had.
try:
    with open("/proc/self/status") as status:
        print(next(l.split()[1] for l in status if l.startswith("VmHWM:")))
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _generate(path: Path, lines: int) -> float:
    start = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="") as stream:
        write_batch(stream, lines=lines, seed=11, error_share=0.2, patients=PATIENTS)
    return time.perf_counter() - start


def _read_only(path: Path) -> float:
    start = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as stream:
        for _row in csv.DictReader(stream):
            pass
    return time.perf_counter() - start


def _audit(path: Path, workers: int = 1) -> tuple[float, otcoding.Summary]:
    start = time.perf_counter()
    run = otcoding.audit(path, today=TODAY, workers=workers)
    for _finding in run:
        pass
    return time.perf_counter() - start, run.summary


def _peak_rss_kib(path: Path, cross_claim: bool) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), "1" if cross_claim else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the benchmark; returns result rows (and prints them when run as a script)."""
    quick = os.environ.get("OTCODING_BENCH_QUICK") == "1"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000 if quick else 1_000_000)
    parser.add_argument("--small", type=int, default=20_000 if quick else 100_000)
    parser.add_argument("--rounds", type=int, default=2 if quick else 3)
    args = parser.parse_args(argv if argv is not None else [])
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        made = _generate(big, args.lines)
        _generate(small, args.small)
        reads, audits, audits_2 = [], [], []
        for _ in range(max(1, args.rounds)):
            reads.append(_read_only(big))
            took, summary = _audit(big)
            audits.append(took)
            audits_2.append(_audit(big, workers=2)[0])
        read, took, took_2 = min(reads), min(audits), min(audits_2)
        rss = {
            (size, db): _peak_rss_kib(path, db)
            for size, path in (("big", big), ("small", small))
            for db in (True, False)
        }
    ratio = took / read
    rows.append(
        {
            "benchmark": "audit",
            "measure": f"audit {summary.rows:,} CSV lines vs csv.DictReader",
            "value": took,
            "unit": "s",
            "ratio": ratio,
            "goal": f"<= {SPEED_GOAL:g}x",
            "ok": ratio <= SPEED_GOAL,
        }
    )
    rows.append(
        {
            "benchmark": "audit",
            "measure": f"audit {summary.rows:,} lines, 2 worker processes (-j 2)",
            "value": took_2,
            "unit": "s",
            "ratio": took_2 / read,
            "goal": f"<= {SPEED_GOAL:g}x ({os.cpu_count()} CPUs here)",
            "ok": took_2 / read <= SPEED_GOAL,
        }
    )
    rows.append(
        {
            "benchmark": "audit",
            "measure": "audit throughput",
            "value": summary.rows / took,
            "unit": "lines/s",
            "ratio": None,
            "goal": f"(DictReader alone: {summary.rows / read:,.0f} lines/s; "
            f"best of {len(audits)} rounds; generating the file: {made:.1f} s)",
            "ok": None,
        }
    )
    # Each round's own ratio, its read and audits run back to back: how much of the
    # spread between runs is the machine, which moves both.
    own = [a / r for a, r in zip(audits, reads, strict=True)]
    own_2 = [a / r for a, r in zip(audits_2, reads, strict=True)]
    rows.append(
        {
            "benchmark": "audit",
            "measure": "ratio within each round, median",
            "value": statistics.median(own),
            "unit": "x",
            "ratio": None,
            "goal": "(one process: "
            + ", ".join(f"{x:.2f}" for x in own)
            + "; -j 2: "
            + ", ".join(f"{x:.2f}" for x in own_2)
            + ")",
            "ok": None,
        }
    )
    for db, label in ((True, "cross-claim checks on"), (False, "--flat-memory")):
        r = rss[("big", db)] / rss[("small", db)]
        rows.append(
            {
                "benchmark": "audit",
                "measure": f"peak RSS {args.lines:,} vs {args.small:,} lines, {label}",
                "value": rss[("big", db)] / 1024,
                "unit": "MiB",
                "ratio": r,
                "goal": f"<= {RSS_GOAL:g}x (small: {rss[('small', db)] / 1024:.1f} MiB)",
                "ok": r <= RSS_GOAL,
            }
        )
    return rows


if __name__ == "__main__":
    for row in main(sys.argv[1:]):
        ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.2f}"
        print(f"{row['measure']:58} {row['value']:>12,.1f} {row['unit']}{ratio}  {row['goal']}")
