"""Threads: one rule set shared by many threads, and the first-call race on the tables.

``RuleSet`` is documented as an immutable value to build once and share between
threads (each ``check`` keeps its own state), and the code tables load lazily on
first use. Both promises are tested here under contention: 8 threads, 10,000
claims with many findings, and tables hit for the first time by 8 threads at once
in a fresh interpreter.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from claimfactory import TODAY, claim_with_lines, clean_claim, line
from strategies import FLAWS, apply_flaws

import otcoding
from otcoding import Claim

N_CLAIMS = 10_000
N_THREADS = 8

# Claims of every payer, one to five lines, some with several codes per day.
_BASES = (
    clean_claim(),
    clean_claim(payer="commercial"),
    clean_claim(payer="medicaid"),
    claim_with_lines(line("97110", 2, 30), line("97140", 1, 15), line("97530", 3, 45)),
    claim_with_lines(
        line("97165", 1, 30),
        line("97530", 2, 30),
        line("97535", 1, 15, date_of_service="2026-03-04"),
        line("97112", 1, 15, date_of_service="2026-03-04"),
        line("97110", 2, 30, date_of_service="2026-03-06"),
    ),
)


def _claims(n: int, seed: int = 20260310) -> list[Claim]:
    """``n`` claims, each a base claim with zero to four random flaws (seeded)."""
    rng = random.Random(seed)
    names = sorted(FLAWS)
    out = []
    for k in range(n):
        flaws = [(rng.choice(names), rng.randrange(6)) for _ in range(rng.randrange(5))]
        data = apply_flaws(rng.choice(_BASES), flaws)
        data["claim_id"] = f"C-{k:05d}"
        out.append(Claim.from_dict(data))
    return out


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return _claims(N_CLAIMS)


def test_shared_rule_set_gives_the_serial_findings_from_8_threads(claims: list[Claim]) -> None:
    ruleset = otcoding.medicare(today=TODAY)
    serial = [ruleset.check(c).to_dict() for c in claims]

    # The workload is worth the name: most claims have findings, of many rules.
    by_rule = Counter(f["rule_id"] for r in serial for f in r["findings"])
    assert sum(1 for r in serial if r["findings"]) > N_CLAIMS // 2
    assert len(by_rule) >= 25, by_rule
    assert sum(by_rule.values()) > N_CLAIMS

    # chunksize=1 hands claims out one by one, so threads interleave as much as
    # possible on the shared rule set, its caches and the lazily built tables.
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        threaded = [r.to_dict() for r in pool.map(ruleset.check, claims, chunksize=1)]
    assert len(threaded) == len(serial)
    mismatched = [s["claim_id"] for s, t in zip(serial, threaded, strict=True) if s != t]
    assert not mismatched, f"{len(mismatched)} claims differ, e.g. {mismatched[:5]}"


def test_threads_sharing_dicts_and_all_payers_agree_with_serial(claims: list[Claim]) -> None:
    # otcoding.check parses and picks the payer's rule set per call: every payer's
    # set (and the parser's code cache) is shared by the threads at once.
    dicts = [c.to_dict() for c in claims[:2000]]

    def run(d: dict[str, Any]) -> dict[str, Any]:
        return otcoding.check(d, today=TODAY).to_dict()

    serial = [run(d) for d in dicts]
    assert {d["payer"] for d in dicts} == {"medicare", "medicaid", "commercial"}
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        threaded = list(pool.map(run, dicts, chunksize=1))
    assert threaded == serial


# --- first-call race on the lazy tables, in a fresh interpreter --------------------

# tests/test_codes.py races ncci_table() and lookup(); this races every lazy table a
# public lookup reaches: procedures, NCCI, MUE, places of service and modifiers.
_RACE = textwrap.dedent(
    """
    import datetime as dt
    import sys
    import threading

    import otcoding
    from otcoding.codes import _tables

    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    assert not any(_tables.loaded().values()), _tables.loaded()

    N = 8
    ON = dt.date(2024, 5, 1)
    CALLS = [
        ("lookup", lambda: otcoding.lookup("97530", on=ON)),
        ("lookup_deleted", lambda: repr(_error(otcoding.lookup, "97532", on=ON))),
        ("ncci_pair", lambda: otcoding.ncci_pair("97165", "97168", on=ON)),
        ("ncci_none", lambda: otcoding.ncci_pair("97530", "97535", on=ON)),
        ("mue", lambda: otcoding.mue("97165", on=ON)),
        ("mue_hospital", lambda: otcoding.mue("97110", on=ON, service_type="outpatient hospital")),
        ("place_of_service", lambda: otcoding.place_of_service("11")),
        ("modifier", lambda: otcoding.modifier("GO")),
        ("ncci_table", lambda: id(otcoding.codes.ncci_table())),
        ("mue_table", lambda: id(otcoding.codes.mue_table())),
    ]

    def _error(fn, *args, **kwargs):
        try:
            fn(*args, **kwargs)
        except otcoding.OTCodingError as exc:
            return exc
        raise AssertionError("expected an error")

    barrier = threading.Barrier(N)
    results = [None] * N
    errors = []

    def work(k):
        # Each thread starts with a different table, so every table has threads
        # racing to load it first.
        order = CALLS[k % len(CALLS):] + CALLS[:k % len(CALLS)]
        try:
            barrier.wait()
            results[k] = {name: call() for name, call in order}
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    assert all(r is not None for r in results)
    first = results[0]
    for r in results[1:]:
        assert r == first, (r, first)
        # One table each: the very same row objects, not equal copies.
        for name in ("lookup", "ncci_pair", "mue", "place_of_service", "modifier"):
            assert r[name] is first[name], name
    assert first["ncci_pair"] is not None and first["ncci_pair"].modifier_indicator == 0
    assert first["ncci_none"] is None
    assert first["mue"].units == 1
    assert first["lookup"].code == "97530"
    assert first["modifier"].code == "GO"
    assert "deleted" in first["lookup_deleted"]
    loaded = _tables.loaded()
    for table in ("procedures", "ncci", "mue", "places", "modifiers"):
        assert loaded[table], loaded
    print("ok", sorted(k for k, v in loaded.items() if v))
    """
)


@pytest.mark.parametrize("attempt", range(3))
def test_lazy_tables_survive_a_first_call_race(attempt: int) -> None:
    # A fresh interpreter per attempt: the race is only on the first call.
    result = subprocess.run(
        [sys.executable, "-c", _RACE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok")
