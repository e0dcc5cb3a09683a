"""NCCI procedure-to-procedure edits and Medically Unlikely Edits."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otcoding import codes
from otcoding.codes import MueTable, NcciTable, load_mue, load_ncci
from otcoding.errors import DataFileError, InvalidInputError

Q2_2024 = dt.date(2024, 5, 1)


# --- examples from code-tables.md §5a -----------------------------------------------


def test_97150_with_97530_indicator_1_active() -> None:
    edit = codes.ncci_pair("97530", "97150", on=Q2_2024)
    assert edit is not None
    assert (edit.column1, edit.column2, edit.modifier_indicator) == ("97150", "97530", 1)
    assert edit.effective_to is None


def test_97165_with_97168_indicator_0() -> None:
    edit = codes.ncci_pair("97168", "97165", on=Q2_2024)
    assert edit is not None
    assert (edit.column1, edit.column2, edit.modifier_indicator) == ("97165", "97168", 0)


def test_97140_97530_no_active_edit_in_2024_but_one_in_2019() -> None:
    assert codes.ncci_pair("97140", "97530", on=Q2_2024) is None
    old = codes.ncci_pair("97530", "97140", on=dt.date(2019, 6, 1))
    assert old is not None
    assert old.modifier_indicator == 1
    assert old.effective_to == dt.date(2019, 12, 31)


def test_deletion_date_is_the_last_day_the_edit_applies() -> None:
    assert codes.ncci_pair("97140", "97530", on=dt.date(2019, 12, 31)) is not None
    assert codes.ncci_pair("97140", "97530", on=dt.date(2020, 1, 1)) is None


def test_97530_97535_no_edit() -> None:
    assert codes.ncci_pair("97530", "97535", on=Q2_2024) is None
    assert codes.ncci_pair("97530", "97535", on=dt.date(2026, 3, 2)) is None


def test_withdrawn_january_2020_evaluation_edits_never_apply() -> None:
    for day in (dt.date(2020, 1, 1), dt.date(2020, 1, 15), dt.date(2019, 6, 1)):
        assert codes.ncci_pair("97165", "97140", on=day) is None
    rows = codes.ncci_table().history("97140", "97165")
    assert rows
    assert all(r.modifier_indicator == 9 for r in rows)


def test_more_examples_from_the_notes() -> None:
    expect = {
        ("97530", "97750"): ("97530", "97750", 1),
        ("97760", "97763"): ("97760", "97763", 0),
        ("97168", "95851"): ("97168", "95851", 0),
        ("97140", "97124"): ("97140", "97124", 0),
        ("98978", "98975"): ("98978", "98975", 0),
    }
    for (a, b), want in expect.items():
        edit = codes.ncci_pair(a, b, on=Q2_2024)
        assert edit is not None, (a, b)
        assert (edit.column1, edit.column2, edit.modifier_indicator) == want
    for a, b in [("97110", "97530"), ("97112", "97530"), ("97530", "97760"),
                 ("97535", "97760"), ("97129", "97530")]:  # fmt: skip
        assert codes.ncci_pair(a, b, on=Q2_2024) is None, (a, b)


def test_97535_97530_second_deletion() -> None:
    # Deleted 2019-12-31 and, in a second row, 2021-12-31 (code-tables §5a).
    assert codes.ncci_pair("97530", "97535", on=dt.date(2021, 6, 1)) is not None
    assert codes.ncci_pair("97530", "97535", on=dt.date(2022, 1, 1)) is None


@given(pair=st.sampled_from(sorted({(e.column1, e.column2) for e in codes.ncci_table()})))
def test_pair_lookup_is_order_agnostic(pair: tuple[str, str]) -> None:
    a, b = pair
    assert codes.ncci_pair(a, b, on=Q2_2024) == codes.ncci_pair(b, a, on=Q2_2024)
    assert codes.ncci_pair(a.lower(), f" {b} ", on=Q2_2024) == codes.ncci_pair(a, b, on=Q2_2024)


def test_ncci_pair_rejects_malformed_codes() -> None:
    with pytest.raises(InvalidInputError):
        codes.ncci_pair("9715", "97530", on=Q2_2024)


def test_ncci_table_is_immutable() -> None:
    table = codes.ncci_table()
    with pytest.raises(AttributeError):
        table._index = {}  # type: ignore[misc]
    assert table is codes.ncci_table()
    assert len(table) == sum(1 for _ in table) > 600


# --- MUE ----------------------------------------------------------------------------


def test_mue_examples() -> None:
    eval_mue = codes.mue("97165", on=Q2_2024)
    assert eval_mue is not None
    assert (eval_mue.units, eval_mue.mai) == (1, 2)
    assert eval_mue.edition == "2024-04-01"
    ther_ex = codes.mue("97110", on=Q2_2024)
    assert ther_ex is not None
    assert ther_ex.units == 6
    hospital = codes.mue("97110", on=Q2_2024, service_type="Outpatient Hospital")
    assert hospital is not None
    assert hospital.units == 8


def test_mue_service_types() -> None:
    orthosis = codes.mue("L3906", on=Q2_2024)
    assert orthosis is not None
    assert orthosis.units == 0
    dme = codes.mue("L3906", on=Q2_2024, service_type="dme supplier")
    assert dme is not None
    assert dme.units == 2
    assert codes.mue("97110", on=Q2_2024, service_type="DME Supplier") is None
    with pytest.raises(InvalidInputError):
        codes.mue("97110", on=Q2_2024, service_type="Hospital")


def test_mue_unknown_code_is_none() -> None:
    assert codes.mue("99213", on=Q2_2024) is None


# --- host-supplied editions ---------------------------------------------------------

NCCI_TEXT = """# newer quarter, supplied by the host
column1,column2,deletion_date,modifier_indicator,rationale
97150,97530,,1,Standards of medical/surgical practice
97140,97530,2026-06-30,1,Mutually exclusive procedures
97530,97535,20260101,9,deleted retroactively
"""


def test_load_ncci_from_file(tmp_path: Path) -> None:
    path = tmp_path / "ptp_2026q3.csv"
    path.write_text(NCCI_TEXT, encoding="utf-8")
    table = load_ncci(path, edition="2026Q3", effective_from=dt.date(2026, 1, 1))
    assert isinstance(table, NcciTable)
    assert (table.edition, len(table), table.source) == ("2026Q3", 3, str(path))
    day = dt.date(2026, 5, 1)
    edit = codes.ncci_pair("97530", "97140", on=day, table=table)
    assert edit is not None
    assert edit.edition == "2026Q3"
    assert codes.ncci_pair("97530", "97140", on=dt.date(2026, 7, 1), table=table) is None
    assert codes.ncci_pair("97530", "97140", on=dt.date(2025, 12, 31), table=table) is None
    assert codes.ncci_pair("97530", "97535", on=day, table=table) is None
    # the shipped edition is untouched
    assert codes.ncci_pair("97530", "97140", on=dt.date(2019, 6, 1)) is not None


def test_load_ncci_bad_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("col1,column2,deletion_date,modifier_indicator\n97150,97530,,1\n")
    with pytest.raises(DataFileError) as info:
        load_ncci(path, edition="x")
    assert info.value.path == str(path)
    assert "column1" in info.value.detail


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("97150,97530,,7", "modifier_indicator"),
        ("97150,9753,,1", "column2"),
        ("97150,97530,2026-13-01,1", "deletion_date"),
        ("ABCDE,97530,,1", "column1"),
    ],
)
def test_load_ncci_bad_value_names_line_and_column(row: str, column: str) -> None:
    text = f"column1,column2,deletion_date,modifier_indicator\n97150,97110,,1\n{row}\n"
    with pytest.raises(DataFileError) as info:
        load_ncci(io.StringIO(text), edition="x")
    assert f"line 3, column {column}" in str(info.value)


def test_load_ncci_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot open"):
        load_ncci(tmp_path / "nope.csv", edition="x")


def test_load_ncci_ragged_row() -> None:
    text = "column1,column2,deletion_date,modifier_indicator\n97150,97530,1\n"
    with pytest.raises(DataFileError, match="line 2: expected 4 cells"):
        load_ncci(io.StringIO(text), edition="x")


def test_load_mue_from_file(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_text(
        "hcpcs,service_type,mue_units,mai,rationale\n"
        "97110,Practitioner,8,3 Date of Service Edit: Clinical,Clinical: Data\n"
        "97165,Practitioner,1,2,CMS Policy\n",
        encoding="utf-8",
    )
    table = load_mue(path, edition="2026-07-01", effective_from=dt.date(2026, 7, 1))
    assert isinstance(table, MueTable)
    assert len(table) == 2
    edit = codes.mue("97110", on=dt.date(2026, 8, 1), table=table)
    assert edit is not None
    assert (edit.units, edit.mai, edit.edition) == (8, 3, "2026-07-01")
    assert codes.mue("97110", on=dt.date(2026, 6, 30), table=table) is None


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("97110,Practitioner,8,4", "mai"),
        ("97110,Clinic,8,3", "service_type"),
        ("97110,Practitioner,-1,3", "mue_units"),
    ],
)
def test_load_mue_bad_value(row: str, column: str) -> None:
    text = f"hcpcs,service_type,mue_units,mai\n{row}\n"
    with pytest.raises(DataFileError, match=f"line 2, column {column}"):
        load_mue(io.StringIO(text), edition="x")


def test_load_mue_missing_column() -> None:
    with pytest.raises(DataFileError, match="mai"):
        load_mue(io.StringIO("hcpcs,service_type,mue_units\n"), edition="x")
