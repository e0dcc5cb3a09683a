"""Properties every shipped table must keep, whatever the next regeneration brings."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources

import pytest

from otcoding import codes
from otcoding.codes import CodeKind

# CMS short descriptors from the 2025 RVU file (AMA text for CPT codes). None of our
# descriptions may equal or contain one of these.
CMS_SHORT_DESCRIPTORS = {
    "97535": "Self care mngment training",
    "97168": "Ot re-eval est plan care",
    "97165": "Ot eval low complex 30 min",
    "97110": "Therapeutic exercises",
    "97530": "Therapeutic activities",
    "97750": "Physical performance test",
    "98980": "Rem ther mntr 1st 20 min",
    "97039": "Unlisted modality",
    "97139": "Unlisted therapeutic px",
    "97545": "Work hardening",
    "0552T": "Low-level laser therapy",
    "29280": "Strapping of hand or finger",
    "95851": "Range of motion measurements",
    "96110": "Developmental screen w/score",
    "A9270": "Non-covered item or service",
    "G0283": "Elec stim other than wound",
}

# Codes in the NCCI extract that are not in our procedure table on purpose.
ALLOWED_EXTERNAL_NCCI_CODES = {"92507"}  # SLP treatment; edits against OT codes kept

DATA_FILES = (
    "procedures.csv",
    "modifiers.csv",
    "places_of_service.csv",
    "ncci_ptp.csv",
    "mue.csv",
    "rvu.csv",
    "editions.csv",
)


def _overlaps(spans: Iterable[tuple[dt.date | None, dt.date | None]]) -> bool:
    ordered = sorted((lo or dt.date.min, hi or dt.date.max) for lo, hi in spans)
    return any(prev[1] >= nxt[0] for prev, nxt in itertools.pairwise(ordered))


def test_no_overlapping_ranges_per_code() -> None:
    for rows in (list(codes.codes()), list(codes.places_of_service()), list(codes.modifiers())):
        spans: dict[str, list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
        for row in rows:
            assert (
                row.effective_to is None
                or row.effective_from is None
                or (row.effective_from <= row.effective_to)
            ), row
            spans[row.code].append((row.effective_from, row.effective_to))
        overlapping = [code for code, s in spans.items() if _overlaps(s)]
        assert overlapping == []


def test_timed_codes_have_15_minute_units() -> None:
    for code in codes.codes():
        if code.timed:
            assert code.unit_minutes == 15, code.code
            assert code.kind is CodeKind.TIMED, code.code


def test_untimed_codes_have_no_unit_minutes() -> None:
    for code in codes.codes():
        if code.kind is CodeKind.TIME_BASED:
            assert not code.timed, code.code
            assert code.unit_minutes, code.code
        elif not code.timed:
            assert code.unit_minutes is None, code.code


def test_every_row_has_a_source() -> None:
    rows: list[object] = [
        *codes.codes(),
        *codes.places_of_service(),
        *codes.modifiers(),
        *codes.ncci_table(),
        *codes.mue_table(),
    ]
    assert rows
    for row in rows:
        assert getattr(row, "source", None) or getattr(row, "edition", None), row
    for code in codes.codes():
        assert code.source.strip(), code.code


def test_every_data_row_has_a_source_column() -> None:
    for name in DATA_FILES:
        text = resources.files("otcoding.codes").joinpath("data").joinpath(name).read_text()
        lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
        rows = list(csv.DictReader(lines))
        assert rows, name
        assert all(row["source"].strip() for row in rows), name


def test_data_headers_state_sources_and_hashes() -> None:
    for name in DATA_FILES:
        text = resources.files("otcoding.codes").joinpath("data").joinpath(name).read_text()
        comments = [ln for ln in text.splitlines() if ln.startswith("#")]
        assert any("scripts/build_data.py" in c for c in comments), name
        if name != "editions.csv":
            assert any("sha256=" in c for c in comments), name
        assert any("American Medical Association" in c for c in comments), name


def test_no_description_contains_a_cms_short_descriptor() -> None:
    descriptors = [d.lower() for d in CMS_SHORT_DESCRIPTORS.values()]
    for code in codes.codes():
        text = code.description.lower()
        assert not any(d in text for d in descriptors), (code.code, code.description)
        assert text != CMS_SHORT_DESCRIPTORS.get(code.code, "").lower()


def test_descriptions_are_nonempty_and_unique_per_row() -> None:
    seen = set()
    for code in codes.codes():
        assert len(code.description) > 8
        key = (code.code, code.description)
        assert key not in seen
        seen.add(key)


def test_deleted_codes_name_a_replacement_that_exists() -> None:
    known = {c.code for c in codes.codes()}
    for code in codes.codes():
        for successor in code.replaced_by:
            assert successor in known, (code.code, successor)
        for primary in code.add_on_to:
            assert primary in known, (code.code, primary)


def test_unconfirmed_start_dates_are_marked() -> None:
    for code in codes.codes():
        first = codes.history(code.code)[0]
        if first.effective_from is None:
            assert "UNCONFIRMED" in first.note, code.code


def test_ncci_pairs_refer_to_known_codes() -> None:
    known = {c.code for c in codes.codes()} | ALLOWED_EXTERNAL_NCCI_CODES
    for edit in codes.ncci_table():
        assert edit.column1 in known, edit
        assert edit.column2 in known, edit
        assert edit.column1 != edit.column2


def test_ncci_indicators_and_dates() -> None:
    for edit in codes.ncci_table():
        assert edit.modifier_indicator in {0, 1, 9}
        assert edit.edition == "2024Q2 v30.1"
        if edit.modifier_indicator == 9:
            assert not edit.in_effect(dt.date(2024, 5, 1))


def test_mue_values() -> None:
    for edit in codes.mue_table():
        assert edit.mai in {1, 2, 3}
        assert edit.units >= 0
        assert edit.service_type in codes.SERVICE_TYPES


@pytest.mark.parametrize("code", ["97165", "97166", "97167", "97168"])
def test_ot_evaluations_take_go(code: str) -> None:
    row = codes.lookup(code, on=dt.date(2026, 1, 5))
    assert row.therapy == "always"
    assert "GO required" in row.note
