"""Benchmark otcoding.units against an inline chart function (a plain script, not a test).

    python benchmarks/units.py

Goals (issue 4): ``total_units`` within 3× of ``lambda m: 0 if m < 8 else (m + 7) // 15``;
``allocate`` of a 4-code day (code lookup on, cache warm) within 20× of that baseline.
Both ``allocate`` ratios are printed: against one baseline call, and against the
baseline applied to each of the day's 4 codes (the same work done inline, per code).
"""

from __future__ import annotations

import datetime as dt
import timeit

from otcoding.units import allocate, total_units

DAY = {"97110": 18, "97140": 13, "97116": 10, "97035": 8}
ON = dt.date(2026, 3, 2)
REPEAT = 7


def best_of_rounds(
    statements: dict[str, tuple[str, int]], namespace: dict[str, object]
) -> dict[str, float]:
    """Best seconds per call of each statement over REPEAT rounds.

    The statements take turns within each round, so a baseline and what is compared
    with it are timed on the same state of the machine; timing each REPEAT times in a
    row let a busy spell fall on one side of a ratio only.
    """
    best = dict.fromkeys(statements, float("inf"))
    for _ in range(REPEAT):
        for name, (stmt, number) in statements.items():
            took = timeit.timeit(stmt, globals=namespace, number=number) / number
            best[name] = min(best[name], took)
    return best


def main() -> None:
    baseline = lambda m: 0 if m < 8 else (m + 7) // 15  # noqa: E731
    ns: dict[str, object] = {
        "baseline": baseline,
        "total_units": total_units,
        "allocate": allocate,
        "DAY": DAY,
        "ON": ON,
        "values": tuple(DAY.values()),
    }
    allocate(DAY, on=ON)  # warm the code-lookup cache

    times = best_of_rounds(
        {
            "base": ("baseline(47)", 1_000_000),
            "base4": ("[baseline(m) for m in values]", 500_000),
            "units": ("total_units(47)", 1_000_000),
            "alloc": ("allocate(DAY, on=ON)", 20_000),
            "alloc_today": ("allocate(DAY)", 20_000),
            "alloc_cpt": ("allocate(DAY, method='cpt', on=ON)", 20_000),
        },
        ns,
    )
    base, base4, units = times["base"], times["base4"], times["units"]
    alloc, alloc_today, alloc_cpt = times["alloc"], times["alloc_today"], times["alloc_cpt"]

    print(f"baseline (inline chart, 1 call)   {base * 1e9:9.1f} ns")
    print(f"baseline (inline chart, 4 codes)  {base4 * 1e9:9.1f} ns")
    print(
        f"total_units                       {units * 1e9:9.1f} ns  {units / base:5.2f}x"
        "  (goal <= 3x)"
    )
    print(
        f"allocate, 4 codes, cms, on=date   {alloc * 1e9:9.1f} ns  {alloc / base:5.1f}x 1 call"
        f"  {alloc / base4:5.1f}x 4 codes  (goal <= 20x)"
    )
    print(
        f"allocate, 4 codes, cms, on=None   {alloc_today * 1e9:9.1f} ns  "
        f"{alloc_today / base:5.1f}x 1 call  {alloc_today / base4:5.1f}x 4 codes"
    )
    print(
        f"allocate, 4 codes, cpt, on=date   {alloc_cpt * 1e9:9.1f} ns  "
        f"{alloc_cpt / base:5.1f}x 1 call  {alloc_cpt / base4:5.1f}x 4 codes"
    )


if __name__ == "__main__":
    main()
