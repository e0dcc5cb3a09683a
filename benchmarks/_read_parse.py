"""Profiling aid (not run by run.py): reader, parse and audit-overhead ratios to DictReader.

python benchmarks/_read_parse.py /tmp/b20k.csv [repeats]
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
from typing import Any

import otcoding
from otcoding import auditor
from otcoding import io as oio
from otcoding.claim import Claim
from otcoding.errors import InvalidInputError

TODAY = dt.date(2026, 12, 1)


def best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    path = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5

    def dictreader() -> None:
        with open(path, encoding="utf-8", newline="") as stream:
            for _row in csv.DictReader(stream):
                pass

    def reader() -> None:
        for _item in oio.open_batch(path):
            pass

    datas = [item.data for item in oio.open_batch(path) if item.data is not None and item.complete]

    def parse() -> None:
        for data in datas:
            try:  # noqa: SIM105 - suppress() would add its own cost to what is timed
                Claim.from_dict(data)
            except InvalidInputError:
                pass

    class _Nop:
        def check(self, claim: Any) -> Any:
            return _NOP_REPORT

    class _Report:
        findings = ()

    _NOP_REPORT = _Report()
    nop = _Nop()

    def audit_nop() -> None:
        run = otcoding.audit(path, ruleset=nop, today=TODAY)  # type: ignore[arg-type]
        for _f in run:
            pass

    items = list(oio.open_batch(path))
    parsed: dict[int, Any] = {}
    reports: dict[int, Any] = {}
    for item in items:
        if item.data is not None and item.complete:
            try:
                claim = parsed[id(item.data)] = Claim.from_dict(item.data)
            except InvalidInputError as exc:
                parsed[id(item.data)] = exc
            else:
                reports[id(claim)] = otcoding.for_payer(claim.payer, today=TODAY).check(claim)

    class _Replay:
        """The real findings, looked up: what the audit does with them, not the checking."""

        def check(self, claim: Any) -> Any:
            return reports[id(claim)]

    class _Items:
        warnings = ()
        extra_columns = ()
        name = path

        def close(self) -> None:
            pass

        def __iter__(self) -> Any:
            return iter(items)

    def _pre_parsed(data: Any) -> Any:
        claim = parsed[id(data)]
        if isinstance(claim, InvalidInputError):
            raise claim
        return claim

    def overhead() -> None:
        saved = auditor._parse
        auditor._parse = _pre_parsed
        try:
            run = auditor.Audit(
                _Items(),  # type: ignore[arg-type]
                ruleset=_Replay(),  # type: ignore[arg-type]
                year=None,
                unit_method=None,
                today=None,
                double_billing=True,
            )
            for _f in run:
                pass
        finally:
            auditor._parse = saved

    # Interleaved rounds, best of each: the machine is shared, so only the least
    # disturbed run of each, taken close together, compares.
    fns = {"dict": dictreader, "a": reader, "b": parse, "nop": audit_nop, "c": overhead}
    t = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t[k] = min(t[k], best(fn, 1))
    base, r, p, a, c = t["dict"], t["a"], t["b"], t["nop"], t["c"]
    print(f"DictReader {base:.3f}s")
    print(f"(a) reader      {r / base:.2f}x")
    print(f"(b) parse       {p / base:.2f}x")
    print(f"    nop audit   {a / base:.2f}x")
    print(f"    nop - a - b {(a - r - p) / base:.2f}x")
    print(f"(c) overhead    {c / base:.2f}x (pre-read, pre-parsed items, findings replayed)")


if __name__ == "__main__":
    main()
