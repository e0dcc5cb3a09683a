"""The library batch audit, otcoding.audit: findings located by row, every row counted."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import re
from typing import Any

import attrs
import pytest
from claimfactory import clean_claim
from hypothesis import given, settings
from hypothesis import strategies as st

import otcoding
import otcoding.examples.generate
import otcoding.io
from otcoding.auditor import AuditFinding, Summary, audit
from otcoding.io import COLUMNS

TODAY = dt.date(2026, 3, 10)
HEADER = ",".join(COLUMNS)


def row(**cells: Any) -> dict[str, str]:
    """A clean Medicare batch row (one 97530 line) with some cells changed."""
    base = {
        "claim_id": "C-1",
        "payer": "medicare",
        "patient_id": "P-1",
        "birth_date": "1950-03-01",
        "member_id": "1EG4TE5MK73",
        "therapy_allowed_ytd": "850.00",
        "npi": "1234567893",
        "diagnoses": "I69.351;M19.90",
        "place_of_service": "11",
        "submitted_on": "2026-03-10",
        "code": "97530",
        "modifiers": "GO",
        "units": "2",
        "minutes": "30",
        "date_of_service": "2026-03-02",
        "diagnosis_pointers": "1",
        "charge": "120.00",
        "assistant_minutes": "0",
    }
    base.update({k: str(v) for k, v in cells.items()})
    return base


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_csv(rows: list[dict[str, str]], **options: Any) -> tuple[list[AuditFinding], Summary]:
    batch = audit(io.StringIO(csv_text(rows)), today=TODAY, **options)
    return list(batch), batch.summary


def ids(findings: list[AuditFinding]) -> list[tuple[str | None, int | None, str]]:
    return [(f.claim_id, f.row, f.rule_id) for f in findings]


# --- clean input ------------------------------------------------------------------


def test_clean_rows_give_no_finding_and_are_all_counted() -> None:
    rows = [row(), row(code="97535", units=1, minutes=15), row(claim_id="C-2", patient_id="P-2")]
    findings, summary = run_csv(rows)
    assert findings == []
    assert (summary.rows, summary.claims, summary.claims_checked, summary.lines) == (3, 2, 2, 3)
    assert summary.accounted
    assert summary.complete
    assert summary.rows_not_checked == summary.unreadable_rows == 0


def test_findings_are_located_at_the_row_of_their_line() -> None:
    rows = [row(), row(code="97535", units=3, minutes=15), row(claim_id="C-2", modifiers="GP")]
    findings, _ = run_csv(rows)
    assert ids(findings) == [("C-1", 3, "OT-UNITS-001"), ("C-2", 4, "OT-DISC-002")]
    assert [f.line for f in findings] == [1, 0]
    assert all(isinstance(f, otcoding.Finding) for f in findings)


def test_audit_finding_row_has_the_report_columns() -> None:
    (finding,), _ = run_csv([row(units=3)])
    assert list(finding.to_row()) == [
        "claim_id",
        "row",
        "line",
        "rule_id",
        "severity",
        "message",
        "fix",
        "source",
    ]
    assert finding.to_row()["severity"] == "error"
    assert finding.source.startswith("CMS Pub 100-04")


# --- rows that cannot be read -----------------------------------------------------


def test_bad_value_is_a_row_finding_and_the_rest_goes_on() -> None:
    rows = [row(), row(claim_id="C-2", units="two"), row(claim_id="C-3", modifiers="GP")]
    findings, summary = run_csv(rows)
    assert ids(findings) == [("C-2", 3, "OT-ROW-001"), ("C-3", 4, "OT-DISC-002")]
    assert findings[0].message.startswith("units: ")
    assert "'two'" in findings[0].message
    assert summary.unreadable_rows == 1
    assert (summary.claims, summary.claims_checked, summary.rows_not_checked) == (3, 2, 1)
    assert summary.accounted


def test_huge_digit_string_is_a_row_finding_not_a_crash() -> None:
    findings, summary = run_csv([row(units="9" * 5000), row(claim_id="C-2", patient_id="P-2")])
    assert ids(findings) == [("C-1", 2, "OT-ROW-001")]
    assert findings[0].message.startswith("units: ")
    assert summary.claims_checked == 1


def test_bad_value_on_a_later_line_names_that_row() -> None:
    rows = [row(), row(date_of_service="2026-02-30"), row()]
    findings, summary = run_csv(rows)
    assert ids(findings) == [("C-1", 3, "OT-ROW-001")]
    assert findings[0].line == 1
    assert findings[0].message.startswith("date_of_service: ")
    assert summary.rows_not_checked == 3
    assert summary.accounted


def test_patient_value_is_withheld_in_a_row_finding() -> None:
    findings, _ = run_csv([row(birth_date="1950-13-45")])
    (finding,) = findings
    assert finding.rule_id == "OT-ROW-001"
    assert "1950-13-45" not in finding.message
    assert "birth_date" in finding.message


def test_short_row_in_a_claim_stops_that_claim_only() -> None:
    text = csv_text([row(), row(claim_id="C-2")]) + "C-2,medicare,P-2\n"
    batch = audit(io.StringIO(text), today=TODAY)
    findings = list(batch)
    assert ids(findings) == [("C-2", 4, "OT-ROW-001")]
    s = batch.summary
    assert (s.rows, s.claims_checked, s.rows_not_checked, s.unreadable_rows) == (3, 1, 2, 1)


def test_jsonl_bad_line_is_a_finding_with_its_line_number() -> None:
    good = json.dumps(clean_claim())
    other = clean_claim(claim_id="C-2")
    other["patient"]["id"] = "P-2"
    text = "\n".join([good, "{not json", json.dumps(other)]) + "\n"
    batch = audit(io.StringIO(text), input_format="jsonl", today=TODAY)
    findings = list(batch)
    assert ids(findings) == [(None, 2, "OT-ROW-001")]
    assert "not valid JSON" in findings[0].message
    s = batch.summary
    assert (s.rows, s.claims_checked, s.rows_not_checked) == (3, 2, 1)


def test_empty_and_header_only_inputs() -> None:
    with pytest.raises(otcoding.DataFileError, match="empty"):
        audit(io.StringIO(""))
    batch = audit(io.StringIO(HEADER + "\n"))
    assert list(batch) == []
    assert batch.summary.rows == 0
    assert batch.summary.complete


def test_missing_required_column_is_unusable() -> None:
    with pytest.raises(otcoding.DataFileError, match="units"):
        audit(io.StringIO("claim_id,payer,code,date_of_service\n"))


# --- what only a batch shows -----------------------------------------------------


def test_rows_that_disagree_on_a_claim_column() -> None:
    findings, _ = run_csv([row(), row(code="97535", units=1, minutes=15, npi="1558598797")])
    assert ids(findings) == [("C-1", 3, "OT-ROW-002")]
    assert "npi" in findings[0].message


def test_claim_id_that_comes_back_is_not_merged() -> None:
    rows = [row(), row(claim_id="C-2", patient_id="P-2"), row(code="97535", units=1, minutes=15)]
    findings, summary = run_csv(rows)
    assert ids(findings) == [("C-1", 4, "OT-ROW-003")]
    assert "row 2" in findings[0].message
    assert summary.claims == summary.claims_checked == 3


def test_double_billing_across_claims_is_reported_on_the_second() -> None:
    rows = [row(), row(claim_id="C-2"), row(claim_id="C-3", patient_id="P-9")]
    findings, _ = run_csv(rows)
    assert ids(findings) == [("C-2", 3, "OT-BATCH-001")]
    assert "row 2" in findings[0].message
    findings, _ = run_csv(rows, double_billing=False)
    assert findings == []


def test_double_billing_needs_same_modifiers_and_date_and_a_patient_id() -> None:
    assert run_csv([row(), row(claim_id="C-2", modifiers="GO;59")])[0] == []
    assert run_csv([row(), row(claim_id="C-2", date_of_service="2026-03-03")])[0] == []
    assert run_csv([row(patient_id=""), row(claim_id="C-2", patient_id="")])[0] == []
    # modifier order does not matter
    rows = [row(modifiers="GO;XU"), row(claim_id="C-2", modifiers="XU;GO")]
    assert [f.rule_id for f in run_csv(rows)[0]] == ["OT-BATCH-001"]


def test_cross_claim_findings_come_last_in_input_order() -> None:
    rows = [
        row(),  # 2
        row(claim_id="C-2", units=3),  # 3: too many units, and bills row 2's service again
        row(claim_id="C-3", patient_id="P-3", units=3),  # 4: too many units
        row(claim_id="C-1", patient_id="P-4"),  # 5: C-1 again
    ]
    findings, summary = run_csv(rows)
    assert ids(findings) == [
        ("C-2", 3, "OT-UNITS-001"),
        ("C-3", 4, "OT-UNITS-001"),
        ("C-2", 3, "OT-BATCH-001"),
        ("C-1", 5, "OT-ROW-003"),
    ]
    assert summary.by_rule["OT-BATCH-001"] == summary.by_rule["OT-ROW-003"] == 1
    # Stopped before the end: the cross-claim findings are not known yet.
    batch = audit(io.StringIO(csv_text(rows)), today=TODAY)
    assert [f.rule_id for f in itertools.islice(batch, 2)] == ["OT-UNITS-001"] * 2
    batch.close()
    assert not batch.summary.complete


def _cross_claim_model(text: str) -> list[tuple[str | None, int, str, int]]:
    """What the two cross-claim rules find, worked out online with plain dicts."""
    ids_seen: dict[str, int] = {}
    services_seen: dict[str, int] = {}
    out: list[tuple[str | None, int, str, int]] = []
    for item in otcoding.io.open_batch(io.StringIO(text)):
        if not item.rows:
            continue
        claim = None
        if item.data is not None and item.complete:
            with contextlib.suppress(otcoding.InvalidInputError):
                claim = otcoding.Claim.from_dict(item.data.build())
        claim_id = item.claim_id  # a CSV reader knows it, even for a row it cannot read
        if claim_id is not None:
            first = ids_seen.setdefault(claim_id, item.row)
            if first != item.row:
                out.append((claim_id, item.row, "OT-ROW-003", first))
        if claim is None or claim.patient is None or not claim.patient.id:
            continue
        for i, line in enumerate(claim.lines):
            key = (claim.patient.id, line.code, line.date_of_service, sorted(line.modifiers))
            first = services_seen.setdefault(repr(key), item.row)
            if first != item.row:
                at = item.line_rows[i] if item.line_rows else item.row
                out.append((claim.claim_id, at, "OT-BATCH-001", first))
    return out


def test_a_batch_past_the_memory_buffers_matches_an_in_memory_model(tmp_path: Any) -> None:
    out = io.StringIO()
    # Few patients: many services come back; malformed rows and reused IDs too.
    otcoding.examples.generate.write_batch(out, lines=12_000, seed=4, error_share=0.4, patients=30)
    text = out.getvalue()
    batch = audit(io.StringIO(text), today=TODAY, temp_dir=tmp_path)
    findings = list(batch)
    cross = [f for f in findings if f.rule_id in {"OT-ROW-003", "OT-BATCH-001"}]
    assert findings[-len(cross) :] == cross  # after every claim's own findings
    got = [
        (f.claim_id, f.row, f.rule_id, int(re.findall(r"row (\d+)", f.message)[0])) for f in cross
    ]
    expected = _cross_claim_model(text)
    assert {rule for *_, rule, _ in expected} == {"OT-ROW-003", "OT-BATCH-001"}
    assert got == expected
    assert batch._spill.nbytes > 0  # the records did go to disk
    assert list(tmp_path.iterdir()) == []  # and left no file behind


def test_temp_dir_must_exist(tmp_path: Any) -> None:
    with pytest.raises(otcoding.DataFileError, match="temporary directory"):
        audit(io.StringIO(csv_text([row()])), temp_dir=tmp_path / "missing")


# --- sources and options ---------------------------------------------------------


def test_claims_and_rows_iterables() -> None:
    claims = [clean_claim(), clean_claim(claim_id="C-2", lines=[{**clean_claim()["lines"][0]}])]
    claims[1]["lines"][0]["units"] = 5
    claims[1]["patient"]["id"] = "P-2"
    batch = audit(claims, today=TODAY)
    got = ids(list(batch))
    assert ("C-2", 2, "OT-UNITS-001") in got
    assert batch.summary.claims_checked == 2
    parsed = audit([otcoding.Claim.from_dict(clean_claim())], today=TODAY)
    assert list(parsed) == []
    rows = audit([row(), row(claim_id="C-2", patient_id="P-2", units=4)], today=TODAY)
    assert ids(list(rows)) == [("C-2", 3, "OT-UNITS-001")]


def test_ruleset_override_and_unit_method() -> None:
    # 20 + 20 minutes: CMS pools to 3 units; the CPT method allows 1 + 1.
    rows = [row(units=2, minutes=20), row(code="97535", units=1, minutes=20)]
    assert run_csv(rows)[0] == []
    cpt = [f.rule_id for f in run_csv(rows, unit_method="cpt")[0]]
    assert cpt == ["OT-UNITS-001"]
    quiet = otcoding.medicare(today=TODAY).without("OT-UNITS-001")
    assert run_csv(rows, unit_method="cpt", ruleset=quiet)[0] == []


def test_path_source_and_single_iteration(tmp_path: Any) -> None:
    path = tmp_path / "batch.csv"
    path.write_text(csv_text([row(units=3)]), encoding="utf-8")
    batch = audit(path, today=TODAY)
    assert [f.rule_id for f in batch] == ["OT-UNITS-001"]
    with pytest.raises(RuntimeError, match="once"):
        list(batch)


def test_early_stop_leaves_summary_incomplete() -> None:
    batch = audit(io.StringIO(csv_text([row(units=3), row(claim_id="C-2")])), today=TODAY)
    next(iter(batch))
    assert not batch.summary.complete
    assert "incomplete" in str(batch.summary)


def test_summary_counts_the_findings_given_out_wherever_the_audit_stops() -> None:
    rows = [
        row(units=3),
        row(units=3, minutes=5),  # a second line with findings on the same claim
        row(claim_id="C-2", units="x"),  # unreadable
        row(claim_id="C-3", units=4),
        row(claim_id="C-1"),  # the claim ID again: found once the input is read
    ]
    total = len(list(audit(io.StringIO(csv_text(rows)), today=TODAY)))
    assert total >= 5
    for stop in range(total + 1):
        batch = audit(io.StringIO(csv_text(rows)), today=TODAY)
        given = list(itertools.islice(batch, stop))
        assert batch.summary.findings == len(given) == stop
        assert sum(batch.summary.by_rule.values()) == stop


def test_summary_text_and_dict_agree() -> None:
    _, summary = run_csv([row(units=3), row(claim_id="C-2", units="x")])
    d = summary.to_dict()
    assert d["by_severity"] == {"error": 2, "warning": 0, "info": 0}
    assert d["by_rule"] == {"OT-ROW-001": 1, "OT-UNITS-001": 1}
    assert d["findings"] == 2
    assert d["rows"] == 2
    assert "OT-UNITS-001: 1" in str(summary)
    assert json.loads(json.dumps(d)) == d


# --- every row is accounted for, whatever the rows hold ---------------------------

_MUTATIONS = st.sampled_from(
    [
        {},
        {"units": "two"},
        {"units": "3"},
        {"date_of_service": "2026-02-30"},
        {"modifiers": "GP"},
        {"code": "9753"},
        {"payer": "acme"},
        {"claim_id": ""},
        {"npi": "1558598797"},
        {"code": "97532"},
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), _MUTATIONS, st.sampled_from(["ok", "short", "long", "blank"])),
        max_size=12,
    )
)
def test_every_row_is_accounted_for(spec: list[tuple[int, dict[str, str], str]]) -> None:
    lines = [HEADER]
    data_rows = 0
    for claim_no, change, shape in spec:
        cells = row(**{"claim_id": f"C-{claim_no}", **change})
        text = ",".join(cells[c] for c in COLUMNS)
        if shape == "blank":
            lines.append("")
            continue
        if shape == "short":
            text = text.rsplit(",", 2)[0]
        elif shape == "long":
            text += ",extra"
        lines.append(text)
        data_rows += 1
    batch = audit(io.StringIO("\n".join(lines) + "\n"), today=TODAY)
    findings = list(batch)
    s = batch.summary
    assert s.rows == data_rows
    assert s.accounted
    assert s.findings == len(findings) == sum(s.by_rule.values())
    unreadable = [f for f in findings if f.rule_id == "OT-ROW-001"]
    assert len(unreadable) >= min(1, s.unreadable_rows)
    assert all(f.row is not None and 2 <= f.row <= len(lines) for f in findings)


def test_flat_memory_skips_both_cross_claim_checks_and_says_so() -> None:
    rows = [row(), row(claim_id="C-2", patient_id="P-2"), row(), row(claim_id="C-3")]
    findings, summary = run_csv(rows)
    assert {f.rule_id for f in findings} == {"OT-ROW-003", "OT-BATCH-001"}
    assert summary.skipped_rules == ()
    findings, summary = run_csv(rows, double_billing=False, duplicate_claim_ids=False)
    assert findings == []
    assert summary.skipped_rules == ("OT-ROW-003", "OT-BATCH-001")
    assert summary.to_dict()["skipped_rules"] == ["OT-ROW-003", "OT-BATCH-001"]
    assert "not run (asked for): OT-ROW-003, OT-BATCH-001" in str(summary)


def test_a_claim_checked_here_and_in_a_worker_leaves_the_same_fingerprints() -> None:
    # In one process a claim is fingerprinted in one pass (_billed); a worker's services
    # are hashed by the parent (_fingerprinted). Both must give the same records, or
    # -j N would find other repeats than one process.
    from otcoding.auditor import _billed, _fingerprinted, _services
    from otcoding.claim import Claim

    out = io.StringIO()
    otcoding.examples.generate.write_batch(out, lines=600, seed=3, error_share=0.0, patients=20)
    claims = [
        Claim.from_dict(item.data)
        for item in otcoding.io.open_batch(io.StringIO(out.getvalue()))
        if item.data is not None and item.complete
    ]
    assert len(claims) > 100
    orders = [["GO", "59"], ["59", "GO"], ["KX", "GO", "CQ"], [], ["GO"]]
    several = Claim.from_dict(
        {
            "claim_id": "C-M",
            "payer": "medicare",
            "patient": {"id": "P-1"},
            "lines": [
                {"code": "97530", "modifiers": m, "units": 1, "date_of_service": "2026-03-02"}
                for m in orders
            ],
        }
    )
    for claim in [*claims, several]:
        assert _billed(claim) == _fingerprinted(_services(claim))
    prints, billed, patient = _billed(several) or ([], [], 0)
    assert prints[0] == prints[1] != prints[4]  # the modifiers' order does not count
    assert billed[0] == ("97530", dt.date(2026, 3, 2).toordinal())
    assert patient == hash("P-1")  # what groups the services: equal ones share it
    anonymous = attrs.evolve(several, patient=None)
    assert _billed(anonymous) is None
    assert _fingerprinted(_services(anonymous)) is None


# --- a rule that refuses a claim the model accepted ----------------------------------


def refuses_claim_c2(claim: otcoding.Claim, context: Any) -> list[Any]:
    """A host validator with a gap: it refuses one claim's values (module level: picklable)."""
    if claim.claim_id == "C-2":
        raise otcoding.InvalidInputError("lines[0].units", 2, "this rule cannot count these")
    return []


def refuses_with_a_data_file_error(claim: otcoding.Claim, context: Any) -> list[Any]:
    raise otcoding.DataFileError("tables.json", "cannot be read")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_claim_a_rule_refuses_is_a_finding_and_the_batch_goes_on(workers: int) -> None:
    rows = [
        row(claim_id="C-1"),
        row(claim_id="C-2"),
        row(claim_id="C-2", code="97110", units="1", minutes="15"),
        row(claim_id="C-3", date_of_service="2026-03-03"),
    ]
    ruleset = otcoding.medicare(today=TODAY).plus(refuses_claim_c2)
    findings, summary = run_csv(rows, ruleset=ruleset, workers=workers)
    assert ids(findings) == [("C-2", 3, "OT-ROW-004")]
    message = findings[0].message
    assert "claim C-2" in message
    assert "this rule cannot count these" in message
    assert (summary.claims, summary.claims_checked) == (3, 2)
    assert (summary.rows_checked, summary.rows_not_checked, summary.unreadable_rows) == (2, 2, 0)
    assert summary.accounted
    assert summary.complete


def test_a_data_file_error_in_a_rule_still_stops_the_run() -> None:
    ruleset = otcoding.medicare(today=TODAY).plus(refuses_with_a_data_file_error)
    with pytest.raises(otcoding.DataFileError, match=r"tables\.json"):
        run_csv([row()], ruleset=ruleset)
