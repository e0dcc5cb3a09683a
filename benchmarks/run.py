"""Run every benchmark and print one table of results against their goals.

    python benchmarks/run.py [--quick] [--strict]

Each ``benchmarks/*.py`` script (``units.py``, ``check.py``, then any other, such as
``audit.py`` when present; not this file and not ``_*.py``) runs in its own subprocess
with ``sys.executable``. A script whose ``main()`` returns rows (a list of dicts with
``benchmark, measure, value, unit, ratio, goal, ok``, as ``check.py`` does) is
tabulated from them; otherwise its output is relayed and lines of the ``units.py``
form (``measure   value ns   ratio x ... (goal <= Nx)``) are parsed for the table.

Beside the scripts, an import-time benchmark: in fresh interpreters, the time of
``import otcoding`` against ``import attrs, dateutil`` (its two dependencies), the
median of 7 runs each, measured with ``time.perf_counter`` inside ``-c`` so interpreter
start-up is excluded. Goal (issue 7): at most 2x.

``audit.py`` on its own audits 1,000,000 lines, which takes several minutes; to keep
the whole run under 3 minutes ``run.py`` passes it ``--lines 300000 --small 30000``
(``--audit-lines N`` chooses another size, the small file being N/10).

``--quick`` runs 3 repeats instead of 7 (scripts with a module-level ``REPEAT``; the
environment variable ``OTCODING_BENCH_QUICK=1`` is set for any script that wants to do
less, and ``audit.py`` then uses 200,000 lines) and 3 import runs: noisier figures, in
about half the time. ``--strict`` exits 1 when a goal is missed; a benchmark script
that fails always exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIRST = ("units.py", "check.py", "audit.py")
IMPORT_GOAL = 2.0
SCRIPT_TIMEOUT = 300  # seconds per script: a safety net, not the budget (< 3 min in all)
AUDIT_LINES = 300_000  # full run; the script's own default is 1,000,000
ROWS_MARKER = "@@otcoding-benchmark-rows@@"

# Runs inside the subprocess: load the script as a module, call main() (with the extra
# arguments when it takes any), and print any rows it returns as JSON after a marker
# line. A script without main() runs as __main__ with the extra arguments in sys.argv.
_DRIVER = """\
import importlib.util, inspect, json, os, runpy, sys
path, marker, quick, extra = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
sys.path.insert(0, os.path.dirname(path))
sys.argv = [path, *extra]
spec = importlib.util.spec_from_file_location("otcoding_benchmark", path)
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
main = getattr(module, "main", None)
if main is None:
    runpy.run_path(path, run_name="__main__")
else:
    if quick and isinstance(getattr(module, "REPEAT", None), int):
        module.REPEAT = min(module.REPEAT, 3)
    rows = main(extra) if inspect.signature(main).parameters else main()
    if isinstance(rows, list):
        sys.stdout.flush()
        print(marker)
        print(json.dumps(rows, default=str))
"""

_IMPORT_SNIPPET = (
    "import time; t = time.perf_counter(); import {modules}; {then}; print(time.perf_counter() - t)"
)

_LINE = re.compile(
    r"^(?P<measure>\S.*?)\s{2,}(?P<value>[\d,.]+) (?P<unit>ns|us|ms|s)\b(?P<rest>.*)$"
)
_RATIO = re.compile(r"([\d.]+)x\b(?:\s+(1 call|4 codes))?")
_GOAL = re.compile(r"\(goal <= ([\d.]+)x\)")


def scripts() -> list[Path]:
    """The benchmark scripts, known ones first, in a stable order."""
    found = {
        p.name: p
        for p in HERE.glob("*.py")
        if p.name != Path(__file__).name and not p.name.startswith("_")
    }
    ordered = [found.pop(name) for name in FIRST if name in found]
    return ordered + [found[name] for name in sorted(found)]


def parse_lines(benchmark: str, text: str) -> list[dict[str, Any]]:
    """Rows from output lines of the ``units.py`` form; other lines are skipped."""
    rows = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        rest = match["rest"]
        goal_match = _GOAL.search(rest)
        # The ratio shown (and judged against a goal) is the last one printed before
        # the goal: "115.7x 1 call   15.8x 4 codes  (goal <= 20x)" gives 15.8.
        ratios = _RATIO.findall(rest[: goal_match.start()] if goal_match else rest)
        ratio, basis = ratios[-1] if ratios else (None, "")
        goal = float(goal_match[1]) if goal_match else None
        ratio_value = float(ratio) if ratio is not None else None
        goal_text = " ".join(
            part
            for part in (
                f"<= {goal:g}x" if goal is not None else "",
                f"(vs {basis})" if basis and ratio_value is not None else "",
            )
            if part
        )
        rows.append(
            {
                "benchmark": benchmark,
                "measure": match["measure"].strip(),
                "value": float(match["value"].replace(",", "")),
                "unit": match["unit"],
                "ratio": ratio_value,
                "goal": goal_text,
                "ok": None if goal is None or ratio_value is None else ratio_value <= goal,
            }
        )
    return rows


def script_args(name: str, quick: bool, audit_lines: int | None) -> list[str]:
    """Extra command-line arguments for one script."""
    if name == "audit.py":
        lines = audit_lines if audit_lines is not None else None if quick else AUDIT_LINES
        if lines is not None:
            return ["--lines", str(lines), "--small", str(max(lines // 10, 1))]
    return []


def run_script(
    path: Path, quick: bool, extra: list[str] | None = None
) -> tuple[list[dict[str, Any]], bool, float]:
    """Run one script; relay its output; return its rows, success and seconds."""
    extra = extra or []
    print(f"== {path.name} {' '.join(extra)}".rstrip(), flush=True)
    env = dict(os.environ, OTCODING_BENCH_QUICK="1" if quick else "0")
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _DRIVER, str(path), ROWS_MARKER, "1" if quick else "0", *extra],
            capture_output=True,
            text=True,
            env=env,
            cwd=HERE.parent,
            timeout=SCRIPT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print(f"   {path.name}: timed out after {SCRIPT_TIMEOUT} s", flush=True)
        return [], False, time.perf_counter() - start
    seconds = time.perf_counter() - start
    out, _, rows_json = proc.stdout.partition(ROWS_MARKER + "\n")
    if out.strip():
        print(out.rstrip())
    if proc.stderr.strip():
        print(proc.stderr.rstrip(), file=sys.stderr)
    if proc.returncode != 0:
        print(f"   {path.name} failed (exit {proc.returncode})", flush=True)
        return [], False, seconds
    if rows_json.strip():
        rows: list[dict[str, Any]] = json.loads(rows_json)
        for row in rows:
            ratio = "" if row.get("ratio") is None else f"  ratio {row['ratio']:.2f}"
            print(f"{row['measure']:42} {row['value']:>12,.0f} {row['unit']}{ratio}")
    else:
        rows = parse_lines(path.stem, out)
    print(f"   ({seconds:.1f} s)", flush=True)
    return rows, True, seconds


def _time_import(modules: str, then: str = "pass") -> float:
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_SNIPPET.format(modules=modules, then=then)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    return float(proc.stdout.strip())


def import_time(runs: int) -> list[dict[str, Any]]:
    """Median import time of otcoding and of its dependencies, in fresh interpreters."""
    print("== import time", flush=True)
    _time_import("otcoding")  # warm the bytecode caches; not counted
    _time_import("attrs, dateutil")
    # otcoding imports its parts on first use (PEP 562): the second figure is what
    # a host pays before its first check (the code tables still load on first lookup).
    ready = "otcoding.medicare(); otcoding.Claim"
    ours, base, full = [], [], []
    for _ in range(runs):  # interleaved, so drift hits both alike
        ours.append(_time_import("otcoding"))
        base.append(_time_import("attrs, dateutil"))
        full.append(_time_import("otcoding", ready))
    ours_ms = statistics.median(ours) * 1e3
    base_ms = statistics.median(base) * 1e3
    full_ms = statistics.median(full) * 1e3
    ratio = ours_ms / base_ms
    print(f"import attrs, dateutil (baseline)  {base_ms:8.1f} ms  (median of {runs})")
    print(f"import otcoding                    {ours_ms:8.1f} ms  {ratio:5.2f}x  (goal <= 2x)")
    print(f"import otcoding + medicare()       {full_ms:8.1f} ms  {full_ms / base_ms:5.2f}x")
    return [
        {
            "benchmark": "import",
            "measure": "import attrs, dateutil (baseline)",
            "value": base_ms,
            "unit": "ms",
            "ratio": None,
            "goal": "",
            "ok": None,
        },
        {
            "benchmark": "import",
            "measure": "import otcoding",
            "value": ours_ms,
            "unit": "ms",
            "ratio": ratio,
            "goal": f"<= {IMPORT_GOAL:g}x baseline",
            "ok": ratio <= IMPORT_GOAL,
        },
        {
            "benchmark": "import",
            "measure": "import otcoding, then medicare() (rule set ready)",
            "value": full_ms,
            "unit": "ms",
            "ratio": full_ms / base_ms,
            "goal": "information: parts load on first use",
            "ok": None,
        },
    ]


def _value(row: dict[str, Any]) -> str:
    value = float(row["value"])
    text = f"{value:,.0f}" if value >= 1000 else f"{value:,.1f}"
    return f"{text} {row['unit']}"


def table(rows: list[dict[str, Any]]) -> str:
    """The combined results as a Markdown table (pastes into docs/performance.md)."""
    header = ("Benchmark", "Measure", "Value", "Ratio", "Goal", "Met")
    body = [
        (
            str(r["benchmark"]),
            str(r["measure"]),
            _value(r),
            "" if r.get("ratio") is None else f"{float(r['ratio']):.2f}",
            str(r.get("goal") or ""),
            {True: "yes", False: "**no**", None: ""}[r.get("ok")],
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(header)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(b) for b in body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every otcoding benchmark.")
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--audit-lines",
        type=int,
        metavar="N",
        help=f"lines for audit.py (default {AUDIT_LINES:,}; with --quick, the script's 200,000)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    failed = []
    for path in scripts():
        extra = script_args(path.name, args.quick, args.audit_lines)
        script_rows, ok, _ = run_script(path, args.quick, extra)
        rows.extend(script_rows)
        if not ok:
            failed.append(path.name)
    rows.extend(import_time(3 if args.quick else 7))
    total = time.perf_counter() - start

    print()
    mode = "quick" if args.quick else "full"
    print(f"Python {sys.version.split()[0]} on {sys.platform}; {mode} run")
    print(table(rows))
    print(f"\ntotal {total:.0f} s")
    missed = [r["measure"] for r in rows if r.get("ok") is False]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    if missed:
        print(f"goal missed: {'; '.join(missed)}", file=sys.stderr)
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
