"""otcoding.audit(workers=N): the same findings, in the same order, with the same summary."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib import resources
from typing import Any

import pytest
from claimfactory import clean_claim
from test_audit import csv_text, row

import otcoding
from otcoding.examples import batch_path
from otcoding.examples.generate import write_batch

TODAY = dt.date(2026, 12, 1)


def _both(make_source: Any, **options: Any) -> tuple[Any, Any]:
    results = []
    for workers in (1, 2):
        run = otcoding.audit(make_source(), today=TODAY, workers=workers, **options)
        results.append(([f.to_row() for f in run], run.summary.to_dict()))
    return results[0], results[1]


def test_example_batch_in_workers_is_identical() -> None:
    with resources.as_file(batch_path()) as path:
        serial, parallel = _both(lambda: path)
    assert serial == parallel
    assert serial[1]["findings"] > 40


def test_generated_batch_with_every_family_and_malformed_rows() -> None:
    out = io.StringIO()
    write_batch(out, lines=3000, seed=5, error_share=0.5, patients=60)
    text = (
        out.getvalue()
        + "C-9,medicare,short\n"
        + "\n"
        + csv_text([row(claim_id="C-7")])[len(",".join(otcoding.io.COLUMNS)) + 1 :]
    )
    serial, parallel = _both(lambda: io.StringIO(text))
    assert serial == parallel
    rules = set(serial[1]["by_rule"])
    assert {"OT-ROW-001", "OT-ROW-003", "OT-BATCH-001", "OT-UNITS-001"} <= rules
    assert serial[1]["rows"] == serial[1]["rows_checked"] + serial[1]["rows_not_checked"]


def test_jsonl_and_claim_iterables_in_workers() -> None:
    claims = [clean_claim(claim_id=f"C-{n}") for n in range(300)]
    claims[7]["lines"][0]["units"] = 9
    text = "\n".join(json.dumps(c) for c in claims) + "\n{broken\n"
    serial, parallel = _both(lambda: io.StringIO(text), input_format="jsonl")
    assert serial == parallel
    assert serial[1]["by_rule"]["OT-BATCH-001"] == 299 * 2  # same patient, same services
    serial, parallel = _both(lambda: iter(claims), double_billing=False)
    assert serial == parallel


def test_options_reach_the_workers() -> None:
    rows = [row(units=2, minutes=20), row(code="97535", units=1, minutes=20)]
    serial, parallel = _both(lambda: io.StringIO(csv_text(rows)), unit_method="cpt")
    assert serial == parallel
    assert [f["rule_id"] for f in parallel[0]] == ["OT-UNITS-001"]
    ruleset = otcoding.medicare(today=TODAY).without("OT-UNITS-001")
    run = otcoding.audit(io.StringIO(csv_text(rows)), ruleset=ruleset, unit_method="cpt", workers=2)
    assert list(run) == []


def test_an_unpicklable_rule_set_is_refused_up_front() -> None:
    ruleset = otcoding.medicare().plus(otcoding.only_when(lambda c, x: True, otcoding.medicare()))
    with pytest.raises(otcoding.InvalidInputError, match="workers=1"):
        otcoding.audit(io.StringIO(csv_text([row()])), ruleset=ruleset, workers=2)
    # In this process it is fine.
    run = otcoding.audit(io.StringIO(csv_text([row()])), ruleset=ruleset, today=TODAY)
    assert list(run) == []
    assert run.summary.claims_checked == 1


@pytest.mark.parametrize("workers", [-1, 1.5, "2", True])
def test_bad_workers_value(workers: Any) -> None:
    with pytest.raises(otcoding.InvalidInputError, match="workers"):
        otcoding.audit(io.StringIO(csv_text([row()])), workers=workers)


def test_stopping_early_leaves_no_worker_behind() -> None:
    out = io.StringIO()
    write_batch(out, lines=3000, seed=6, error_share=0.5)
    run = otcoding.audit(io.StringIO(out.getvalue()), today=TODAY, workers=2)
    first = next(iter(run))
    assert first.rule_id
    run.close()
    assert not run.summary.complete


def test_a_script_without_the_main_guard_gets_a_clear_error(tmp_path: Any) -> None:
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import otcoding\n"
        "from otcoding.examples import batch_path\n"
        "for _ in otcoding.audit(str(batch_path()), workers=2):\n"
        "    pass\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("otcoding.errors.InvalidInputError: workers:")
    assert "__main__" in last
    # The workers stop quietly: the only traceback is the parent's, with the advice.
    assert done.stderr.count("Traceback") == 1, done.stderr


def test_a_compressed_batch_in_workers_is_identical(tmp_path: Any) -> None:
    import gzip

    path = tmp_path / "batch.csv.gz"
    path.write_bytes(gzip.compress(batch_path().read_bytes()))
    serial, parallel = _both(lambda: str(path))
    with resources.as_file(batch_path()) as plain:
        assert serial == _both(lambda: plain)[0]
    assert serial == parallel
