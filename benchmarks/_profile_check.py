"""Profile ``RuleSet.check``: the clean 4-line claim and a generated batch (not a test).

    python benchmarks/_profile_check.py [--batch /tmp/b20k.csv] [--rules] [--profile]

Prints best-of-N seconds for the single claim and for checking every parsed claim of
the batch; ``--rules`` adds per-rule microseconds, ``--profile`` a cProfile listing.
``--fingerprint`` prints a hash of every finding of the batch, to compare versions.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import pstats
import sys
import time
import timeit
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import check as check_bench

import otcoding
from otcoding.claim import Claim
from otcoding.errors import InvalidInputError
from otcoding.validators import Context

BATCH_TODAY = dt.date(2026, 12, 1)


def load_batch(path: str) -> list[Claim]:
    import otcoding.io

    out = []
    for item in otcoding.io.open_batch(path):
        if item.data is None or not item.complete:
            continue
        with contextlib.suppress(InvalidInputError):
            out.append(Claim.from_dict(item.data))
    return out


def batch_pairs(claims: list[Claim]) -> list[tuple[Any, Claim]]:
    sets = {p: otcoding.for_payer(p, today=BATCH_TODAY) for p in {c.payer for c in claims}}
    return [(sets[c.payer], c) for c in claims]


def time_batch(pairs: list[tuple[Any, Claim]], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for rs, c in pairs:
            rs.check(c)
        best = min(best, time.perf_counter() - start)
    return best


def fingerprint(pairs: list[tuple[Any, Claim]]) -> str:
    h = hashlib.sha256()
    for rs, c in pairs:
        for f in rs.check(c).findings:
            h.update(repr(f).encode())
    return h.hexdigest()[:16]


def per_rule(rs: Any, claim: Claim, number: int = 2000) -> list[tuple[float, str]]:
    out = []
    for r in rs.rules:

        def run(r: Any = r) -> None:
            list(r.check(claim, Context(claim, rs.settings)))

        base = min(timeit.repeat(lambda: Context(claim, rs.settings), number=number, repeat=5))
        t = min(timeit.repeat(run, number=number, repeat=5))
        out.append(((t - base) / number * 1e6, r.rule_id))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", default="/tmp/b20k.csv")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--rules", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--fingerprint", action="store_true")
    args = ap.parse_args()

    rs = otcoding.medicare(today=check_bench.TODAY)
    claim = Claim.from_dict(check_bench.CLAIM)
    assert not rs.check(claim).findings
    single = min(timeit.repeat(lambda: rs.check(claim), number=5000, repeat=args.repeat)) / 5000
    print(f"single: {single * 1e6:.1f} us/claim ({1 / single:,.0f} claims/s)")

    pairs = batch_pairs(load_batch(args.batch))
    total = time_batch(pairs, args.repeat)
    per = total / len(pairs) * 1e6
    print(f"batch: {total * 1e3:.0f} ms for {len(pairs)} claims ({per:.1f} us)")
    if args.fingerprint:
        print("fingerprint:", fingerprint(pairs))
    if args.rules:
        rows = per_rule(rs, claim)
        for us, rid in sorted(rows, reverse=True):
            print(f"  {rid:16} {us:6.2f} us")
        print(f"  sum {sum(u for u, _ in rows):.1f} us")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(3000):
            rs.check(claim)
        for r, c in pairs:
            r.check(c)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(45)


if __name__ == "__main__":
    main()


def steady_rules(rs: Any, claims: list[Claim], rounds: int = 1) -> dict[str, float]:
    """Microseconds per claim spent in each rule, in check order (shared work lands on
    the first rule that asks for it, as in a real check)."""
    clock = time.process_time_ns
    rules = rs.rules
    spent = dict.fromkeys((r.rule_id for r in rules), 0)
    empty = 0
    for _ in range(rounds):
        for claim in claims:
            ctx = Context(claim, rs.settings)
            for r in rules:
                t0 = clock()
                for _p in r.check(claim, ctx):
                    pass
                spent[r.rule_id] += clock() - t0
            t0 = clock()
            empty += clock() - t0
    n = len(claims) * rounds
    floor = empty / n
    return {k: (v / n - floor) / 1000 for k, v in spent.items()}
