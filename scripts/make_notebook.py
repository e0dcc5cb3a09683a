#!/usr/bin/env python3
"""Write ``examples/notebooks/edge-cases.ipynb`` from the cells listed below.

The notebook is generated, not hand-edited, so a reviewer reads this file and the
diff stays small. It is written without outputs and with fixed cell IDs, so the same
source always gives the same bytes. Every date is explicit (``on=``, ``today=``), so
running it gives the same outputs on any day.

Usage::

    python scripts/make_notebook.py [--check] [--out PATH]

``--check`` exits 1 when the notebook on disk differs from what this script writes.
``tests/test_notebook.py`` runs it top to bottom with nbclient.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "notebooks" / "edge-cases.ipynb"

# (kind, tag, source). The tag becomes the cell ID and a cell tag, which the test uses
# to find a cell's output.
CELLS: list[tuple[str, str, str]] = [
    (
        "markdown",
        "title",
        """\
# Tricky OT billing days

A tour of the days where the 8-minute rule, the code tables and the claim rules
surprise people. Each cell fixes its date of service (`on=`) and the day it is
checked (`today=`), so the outputs are the same whenever you run it.

`Allocation`, `Code` and `Report` render as tables here; `explain()` gives the
reasoning in the style of the CMS manual's worked examples.""",
    ),
    (
        "code",
        "setup",
        """\
import datetime as dt

import otcoding
from otcoding.units import allocate, compare

ON = dt.date(2026, 3, 2)  # the date of service for every day below
TODAY = dt.date(2026, 3, 10)  # the day the claim is checked""",
    ),
    (
        "markdown",
        "seven-md",
        """\
## 7 + 7 + 7 minutes: three codes, one unit

Three timed codes of 7 minutes each. None reaches 8 minutes on its own, but under
the CMS total-time method the day's timed minutes are **pooled**: 21 minutes is
1 unit on the chart (8–22). The minutes are equal, so any one of the three may
take the unit; otcoding picks one deterministically and records the tie.""",
    ),
    (
        "code",
        "seven",
        """\
day = {"97110": 7, "97112": 7, "97140": 7}
cms = allocate(day, on=ON)
print(cms.explain())
print("total units", cms.total_units)
print("CPT method total units", allocate(day, method="cpt", on=ON).total_units)""",
    ),
    (
        "code",
        "seven-html",
        "cms",
    ),
    (
        "markdown",
        "twenty-md",
        """\
## 20 + 20 minutes: 3 units under CMS, 2 under CPT

40 timed minutes is 3 units on the CMS chart (38–52): each code keeps its full
unit and the 3rd goes to one of them (a tie; either is acceptable, never both).
The CPT per-code midpoint method counts each code alone: 20 minutes is 1 unit,
so 1 + 1 = 2. Which method a payer uses matters.""",
    ),
    (
        "code",
        "twenty",
        """\
day = {"97112": 20, "97110": 20}
cms = allocate(day, on=ON)
cpt = allocate(day, method="cpt", on=ON)
print(cms.explain())
print()
print("CMS units", cms.total_units, dict(cms.units))
print("CPT units", cpt.total_units, dict(cpt.units))""",
    ),
    (
        "markdown",
        "twenty-compare-md",
        """\
Because of the tie, billing 2 units of *either* code passes; 2 of both is over-billing.""",
    ),
    (
        "code",
        "twenty-compare",
        """\
print(compare({"97110": 1, "97112": 2}, day, on=ON).ok)
compare({"97110": 2, "97112": 2}, day, on=ON)""",
    ),
    (
        "markdown",
        "untimed-md",
        """\
## Untimed plus timed: group therapy 97150 and 97110

Group therapy is untimed: **1 unit** however long the session, and its minutes never
count toward the timed minutes. Here only 97110's 20 minutes go on the chart.""",
    ),
    (
        "code",
        "untimed",
        """\
mixed = allocate({"97150": 30, "97110": 20}, on=ON)
print(mixed.explain())
print("timed minutes", mixed.timed_minutes, "| total units", mixed.total_units)
mixed""",
    ),
    (
        "markdown",
        "deleted-md",
        """\
## A deleted code, by date

97532 (cognitive skills) was deleted on 2018-01-01. Looked up for a 2021 date of
service it raises `UnknownCodeError`, and the message says when it went and what
replaced it. Looked up for a 2017 date it is still there.""",
    ),
    (
        "code",
        "deleted",
        """\
try:
    otcoding.lookup("97532", on=dt.date(2021, 6, 1))
except otcoding.UnknownCodeError as err:
    print(f"UnknownCodeError: {err}")""",
    ),
    (
        "code",
        "deleted-2017",
        """\
otcoding.lookup("97532", on=dt.date(2017, 6, 1))""",
    ),
    (
        "markdown",
        "check-md",
        """\
## Checking a claim with errors

An OT claim for 97530 billed with the PT modifier (GP instead of GO) and 3 units
for 30 minutes, which supports only 2. `otcoding.check` picks the rule set from the
claim's payer and returns a `Report`; each finding names its rule, the line, a fix
and its source.""",
    ),
    (
        "code",
        "check",
        """\
claim = {
    "claim_id": "C-1",
    "payer": "medicare",
    "diagnoses": ["I69.351"],
    "lines": [
        {
            "code": "97530",
            "modifiers": ["GP"],
            "units": 3,
            "minutes": 30,
            "date_of_service": "2026-03-02",
            "diagnosis_pointers": [1],
        },
    ],
}
report = otcoding.check(claim, today=TODAY)
print(report)
report""",
    ),
    (
        "markdown",
        "audit-md",
        """\
## Auditing a batch

`otcoding.audit` reads a whole batch (the example shipped with otcoding here: 261
rows, every error family) and yields one finding per problem, each with its input
row. Its summary accounts for every row: checked, not checked, or unreadable.""",
    ),
    (
        "code",
        "audit",
        """\
from otcoding.examples import batch_path

run = otcoding.audit(str(batch_path()), today=TODAY)
findings = list(run)
print(findings[0].row, findings[0].rule_id, findings[0].message[:60])
run""",
    ),
]


def build() -> NotebookNode:
    """The notebook, without outputs, with fixed cell IDs."""
    cells = []
    for kind, tag, source in CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source=source, id=tag)
        cell.metadata["tags"] = [tag]
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def render() -> str:
    return nbformat.writes(build()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        if current != text:
            print(f"{args.out} is stale: run python scripts/make_notebook.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
