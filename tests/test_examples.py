"""The shipped example data: the batch finds every planted mistake and nothing else."""

from __future__ import annotations

import collections
import datetime as dt
import io
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import otcoding
from otcoding.auditor import audit
from otcoding.examples import batch_path, claim_names, load_claim
from otcoding.examples.generate import _EXAMPLE, FAMILIES, claims, main, write_batch
from otcoding.findings import Severity

TODAY = dt.date(2026, 12, 1)


def _findings_by_claim(
    path: Path, options: dict[str, Any]
) -> list[tuple[str, set[tuple[str, Severity]]]]:
    """Each claim ``claims(**options)`` makes, with the (rule, severity) pairs the audit
    of ``path`` (what ``write_batch(**options)`` wrote) gave its rows."""
    by_row: dict[int | None, list[tuple[str, Severity]]] = collections.defaultdict(list)
    for f in audit(path, today=TODAY):
        by_row[f.row].append((f.rule_id, f.severity))
    out = []
    row = 2  # the header is row 1
    for family, rows in claims(**options):
        got: set[tuple[str, Severity]] = set()
        for r in range(row, row + len(rows)):
            got.update(by_row.get(r, ()))
        out.append((family, got))
        row += len(rows)
    return out


def _assert_planted_found_and_clean_clean(
    results: list[tuple[str, set[tuple[str, Severity]]]],
) -> None:
    for family, got in results:
        rules = {rule_id for rule_id, _ in got}
        if family == "clean":
            assert got == set(), f"clean claim got {sorted(got)}"
        else:
            assert FAMILIES[family] in rules, f"{family}: expected {FAMILIES[family]}, got {rules}"


def test_shipped_batch_is_what_the_generator_writes() -> None:
    out = io.StringIO()
    write_batch(out, **_EXAMPLE)  # type: ignore[arg-type]
    assert batch_path().read_text(encoding="utf-8") == out.getvalue()


def test_shipped_batch_size_and_coverage() -> None:
    families = [family for family, _rows in claims(**_EXAMPLE)]  # type: ignore[arg-type]
    assert 50 <= len(families) <= 80
    assert set(FAMILIES) <= set(families), "every error family appears in the example"
    assert families.count("clean") >= len(families) // 3


def test_every_planted_mistake_is_found_and_clean_claims_are_clean() -> None:
    with resources.as_file(batch_path()) as path:
        _assert_planted_found_and_clean_clean(_findings_by_claim(path, _EXAMPLE))


def test_a_dense_patient_pool_keeps_clean_claims_clean(tmp_path: Path) -> None:
    # 300 lines a patient: each patient's visits go round the 280-day window several
    # times, so later claims come back to days already billed. They must still bill
    # no service twice, and every planted mistake must still be the one planted
    # (a reused claim ID straight after its claim would merely extend that claim).
    options: dict[str, Any] = {"lines": 6_000, "seed": 5, "error_share": 0.3, "patients": 20}
    path = tmp_path / "dense.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_batch(stream, **options)
    results = _findings_by_claim(path, options)
    families = collections.Counter(family for family, _ in results)
    assert families["clean"] > 500
    assert families["claim_id_reused"] > 10
    _assert_planted_found_and_clean_clean(results)


def test_generator_is_deterministic_and_sized() -> None:
    a, b = io.StringIO(), io.StringIO()
    written = write_batch(a, lines=500, seed=3)
    write_batch(b, lines=500, seed=3)
    assert a.getvalue() == b.getvalue()
    assert 500 <= written < 520
    assert len(a.getvalue().splitlines()) == written + 1
    c = io.StringIO()
    write_batch(c, lines=500, seed=4)
    assert c.getvalue() != a.getvalue()


def test_generator_cli_writes_a_file(tmp_path: pytest.TempPathFactory) -> None:
    out = tmp_path / "big.csv"  # type: ignore[operator]
    assert main(["--lines", "300", "--seed", "9", "-o", str(out)]) == 0
    run = audit(out, today=TODAY)
    list(run)
    assert run.summary.rows >= 300
    assert run.summary.accounted


def test_example_claims_load_and_parse() -> None:
    names = claim_names()
    assert {"units", "kx", "ncci", "telehealth"} <= set(names)
    for name in names:
        claim = otcoding.Claim.from_dict(load_claim(name))
        assert claim.claim_id.startswith("EX-")


def test_unknown_example_claim_names_the_choices() -> None:
    with pytest.raises(otcoding.InvalidInputError, match="units"):
        load_claim("nope")


def test_clean_example_claim_passes_every_rule_set() -> None:
    claim = load_claim("clean")
    for ruleset in (otcoding.medicare(), otcoding.commercial(), otcoding.medicaid()):
        report = ruleset.check(claim)
        assert report.findings == (), f"{ruleset.name}: {report}"


def test_each_family_example_has_findings() -> None:
    for name in claim_names():
        if name == "clean":
            continue
        report = otcoding.check(load_claim(name), today=dt.date(2026, 3, 10))
        assert report.findings, f"example {name!r} shows no finding"
