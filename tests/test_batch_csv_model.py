"""The batch CSV reader fills the claim model from its cells (CsvClaimData.build).

What ``Claim.from_dict`` makes of ``build()`` must be what it makes of the claim dict
the Mapping shows: the same claim, or the same error for the same bad value.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import attrs
import pytest
from test_audit import row

import otcoding.io
from otcoding.claim import Claim, ServiceLine
from otcoding.errors import InvalidInputError
from otcoding.examples.generate import write_batch
from otcoding.io.batch_csv import COLUMNS, CsvClaimData


def _outcome(data: Any) -> Any:
    try:
        return Claim.from_dict(data)
    except InvalidInputError as exc:
        return ("error", exc.field, exc.value, exc.reason, str(exc))


def _items(text: str) -> list[CsvClaimData]:
    out = []
    for item in otcoding.io.open_batch(io.StringIO(text)):
        if isinstance(item.data, CsvClaimData):
            out.append(item.data)
    return out


def _same_everywhere(text: str) -> int:
    """Check build() against the plain dict for every claim of a CSV text."""
    checked = 0
    for data in _items(text):
        plain = {**data}
        plain["lines"] = [dict(line) for line in data["lines"]]
        assert _outcome(data.build()) == _outcome(plain)
        checked += 1
    return checked


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_generated_batches_read_the_same_through_the_model(seed: int) -> None:
    out = io.StringIO()
    # Half the claims carry a planted mistake, a malformed value among them.
    write_batch(out, lines=1500, seed=seed, error_share=0.5, patients=40)
    assert _same_everywhere(out.getvalue()) > 100


# The audit tests' clean row, with the values the assertions below read back.
ROW = row(therapy_allowed_ytd="1200.00", diagnoses="M62.81;R26.89", charge="90.00")


def _csv(*rows: dict[str, str], columns: tuple[str, ...] = COLUMNS) -> str:
    lines = [",".join(columns)]
    lines.extend(",".join(f'"{row.get(c, "")}"' for c in columns) for row in rows)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"units": "tw0"},
        {"units": ""},
        {"code": ""},
        {"code": "9753"},
        {"date_of_service": "2026-02-30"},
        {"date_of_service": " 2026-03-02 "},
        {"minutes": "1441"},
        {"minutes": ""},
        {"assistant_minutes": "31"},
        {"assistant_minutes": ""},
        {"modifiers": "go; 59"},
        {"modifiers": "G0"},
        {"modifiers": ""},
        {"diagnosis_pointers": "0"},
        {"diagnosis_pointers": "1;2"},
        {"diagnosis_pointers": ""},
        {"charge": "90.0001"},
        {"charge": ""},
        {"birth_date": "1950-13-01"},
        {"birth_date": ""},
        {"patient_id": "", "birth_date": "", "member_id": "", "therapy_allowed_ytd": ""},
        {"therapy_allowed_ytd": "12,00"},
        {"npi": "12345x"},
        {"npi": ""},
        {"payer": "medicair"},
        {"payer": "medicair", "units": "tw0"},
        {"payer": "medicair", "birth_date": "1950-13-01"},
        {"place_of_service": "1x"},
        {"submitted_on": "soon"},
        {"diagnoses": "m62.81"},
        # Cells padded with spaces: every column is stripped alike.
        {"patient_id": " P-1 ", "birth_date": " 1950-03-01 ", "member_id": " 1EG4TE5MK73 "},
        {"therapy_allowed_ytd": " 1200.00 ", "npi": " 1234567893 "},
        {"diagnoses": " M62.81 ; R26.89 ", "place_of_service": " 11 ", "submitted_on": " x "},
        {"code": " 97530 ", "units": " 2 ", "minutes": " 30 ", "charge": " 90.00 "},
        {"diagnosis_pointers": " 1 ; 2 ", "assistant_minutes": " 3 ", "modifiers": " GO "},
    ],
)
def test_a_changed_cell_reads_the_same_through_the_model(change: dict[str, str]) -> None:
    second = {**ROW, "code": "97110", "minutes": "16", "units": "1"}
    assert _same_everywhere(_csv({**ROW, **change}, second)) == 1
    assert _same_everywhere(_csv(second, {**ROW, **change})) == 1


def test_a_header_without_every_line_column_reads_the_same() -> None:
    columns = tuple(c for c in COLUMNS if c not in {"charge", "assistant_minutes", "npi"})
    assert _same_everywhere(_csv(ROW, {**ROW, "units": "3"}, columns=columns)) == 1
    assert _same_everywhere(_csv(ROW, {**ROW, "units": "x"}, columns=columns)) == 1


def test_repeated_line_cells_give_equal_lines() -> None:
    (data,) = _items(_csv(ROW, ROW, {**ROW, "units": "3"}))
    claim = Claim.from_dict(data.build())
    first, second, third = claim.lines
    assert first == second
    assert first is second  # one read serves the repeat
    assert third.units == 3
    assert all(type(line) is ServiceLine for line in claim.lines)
    # The Mapping still shows the claim dict of the JSON format.
    assert data["lines"][0] == {
        "code": "97530",
        "modifiers": ["GO"],
        "units": 2,
        "minutes": 30,
        "date_of_service": "2026-03-02",
        "diagnosis_pointers": [1],
        "charge": "90.00",
        "assistant_minutes": 0,
    }
    assert data["patient"] == {
        "id": "P-1",
        "birth_date": "1950-03-01",
        "member_id": "1EG4TE5MK73",
        "therapy_allowed_ytd": "1200.00",
    }


@pytest.mark.parametrize("on", ["2026-03-03", " 2026-03-04 ", "2026-02-30", "", "soon"])
def test_a_known_line_on_another_date_reads_the_same(on: str) -> None:
    # The second row repeats the first's line cells but the date: the reader takes the
    # first row's line and changes its date, which must read as a fresh read would.
    text = _csv(ROW, {**ROW, "date_of_service": on})
    assert _same_everywhere(text) == 1
    (data,) = _items(text)
    built = data.build()
    if on.strip() in {"2026-03-03", "2026-03-04"}:
        first, second = Claim.from_dict(built).lines
        assert second.date_of_service.isoformat() == on.strip()
        assert second == attrs.evolve(first, date_of_service=second.date_of_service)
        assert type(second) is ServiceLine


def test_cells_holding_the_cache_separator_are_read_alike() -> None:
    # "\x1f" joins a row's line cells into the reader's cache key, and str.strip()
    # takes it for white space: such cells read as the others, and no key is shared.
    rows = [
        {**ROW, "code": "97530\x1f", "modifiers": "GO"},
        {**ROW, "code": "97530", "modifiers": "\x1fGO"},
        {**ROW, "units": "2\x1f", "minutes": "\x1f30"},
        ROW,
    ]
    text = "\n".join(_csv(row).splitlines()[1] for row in rows)
    text = _csv().rstrip("\n") + "\n" + text + "\n"
    assert _same_everywhere(text) == 1
    (data,) = _items(text)
    first, *rest = Claim.from_dict(data.build()).lines
    assert all(line == first for line in rest)


def test_claims_of_one_provider_share_it() -> None:
    one, two = _items(_csv(ROW, {**ROW, "claim_id": "C-2"}))
    a, b = Claim.from_dict(one.build()), Claim.from_dict(two.build())
    assert a.provider == b.provider
    assert a.provider is not None
    assert a.provider.npi == "1234567893"


def test_diagnoses_that_cannot_be_hashed_are_still_explained() -> None:
    claim = {
        "claim_id": "C-1",
        "payer": "medicare",
        "diagnoses": ["M62.81", ["R26.89"]],
        "lines": [{"code": "97530", "units": 1, "date_of_service": "2026-03-02"}],
    }
    with pytest.raises(InvalidInputError, match=r"diagnoses\[1\]: expected an ICD-10-CM code"):
        Claim.from_dict(claim)
    claim["diagnoses"] = [" m62.81 "]
    assert Claim.from_dict(claim).diagnoses == ("M62.81",)
    assert Claim.from_dict(claim).diagnoses == ("M62.81",)  # a second time, from the cache


def test_claims_sent_to_a_worker_in_separate_chunks_share_the_line_cache() -> None:
    # An audit worker unpickles each chunk of claims on its own: the claims must still
    # come back with one layout, or its cache of read lines starts empty every chunk.
    one, two = _items(_csv(ROW, {**ROW, "claim_id": "C-2"}))
    again_one = pickle.loads(pickle.dumps([one]))[0]
    again_two = pickle.loads(pickle.dumps([two]))[0]
    assert again_one._layout is again_two._layout
    a, b = Claim.from_dict(again_one.build()), Claim.from_dict(again_two.build())
    assert a.lines[0] is b.lines[0]  # the second chunk's line came from the cache
    assert a == Claim.from_dict(one.build())
    # A different header is a different layout.
    columns = tuple(c for c in COLUMNS if c != "npi")
    (other,) = _items(_csv(ROW, columns=columns))
    assert pickle.loads(pickle.dumps(other))._layout is not again_one._layout


def _claims_of(chunk: list[Any]) -> list[Any]:
    return [None if data is None else _outcome(data.build()) for data in chunk]


@pytest.mark.parametrize("seed", [6, 7])
def test_a_chunk_for_a_worker_unpickles_as_the_claims_it_holds(seed: int) -> None:
    from otcoding.io.batch_csv import _ClaimChunk

    out = io.StringIO()
    write_batch(out, lines=600, seed=seed, error_share=0.5, patients=40)
    datas: list[Any] = _items(out.getvalue())
    datas[3:3] = [None, None]  # claims not to check travel as None
    chunk = _ClaimChunk(datas)
    packed = pickle.dumps(chunk)
    assert b"_unpack_chunk" in packed
    again = pickle.loads(packed)
    assert type(again) is list
    assert len(packed) < len(pickle.dumps(list(datas)))  # one string, not one per claim
    assert [None if d is None else d._claim_id for d in again] == [
        None if d is None else d._claim_id for d in datas
    ]
    assert _claims_of(again) == _claims_of(datas)
    assert pickle.loads(pickle.dumps(_ClaimChunk([]))) == []
    assert pickle.loads(pickle.dumps(_ClaimChunk([None]))) == [None]


@pytest.mark.parametrize("cell", ["97530\x1e", "\x1f97530", "97530\x1e\x1f"])
def test_a_chunk_whose_cells_hold_a_separator_goes_claim_by_claim(cell: str) -> None:
    from otcoding.io.batch_csv import _ClaimChunk

    datas: list[Any] = _items(_csv(ROW, {**ROW, "claim_id": "C-2", "code": cell}))
    assert [len(d._rows) for d in datas] == [1, 1]
    packed = pickle.dumps(_ClaimChunk(datas))
    assert b"_unpack_chunk" not in packed
    assert b"_unpack_chunk" in pickle.dumps(_ClaimChunk(datas[:1]))  # the clean claim alone
    again = pickle.loads(packed)
    assert [d._rows for d in again] == [d._rows for d in datas]
    assert _claims_of(again) == _claims_of(datas)


def test_a_chunk_of_other_items_is_a_plain_list() -> None:
    from otcoding.io.batch_csv import _ClaimChunk

    (data,) = _items(_csv(ROW))
    other = _items(_csv(ROW, columns=(*COLUMNS, "note")))[0]  # another reader's layout
    for items in ([data, {"claim_id": "C-9"}], [data, other], ["{}"]):
        packed = pickle.dumps(_ClaimChunk(items))
        assert b"_unpack_chunk" not in packed
        again = pickle.loads(packed)
        assert type(again) is list
        assert [type(item) for item in again] == [type(item) for item in items]
