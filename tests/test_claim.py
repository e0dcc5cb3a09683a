"""Claim model: round trip, error paths, patient-data privacy, immutability."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from decimal import Decimal
from typing import Any

import attrs
import pytest

from otcoding.claim import Authorization, Claim, Patient, PlanOfCare, Provider, ServiceLine
from otcoding.errors import InvalidInputError

EXAMPLE: dict[str, Any] = {
    "claim_id": "C-1001",
    "payer": "medicare",
    "patient": {
        "id": "P-1",
        "birth_date": "1950-03-01",
        "member_id": "1EG4TE5MK73",
        "therapy_allowed_ytd": "1850.00",
    },
    "provider": {"npi": "1234567893"},
    "diagnoses": ["I69.351", "M19.90"],
    "place_of_service": "11",
    "submitted_on": "2026-03-10",
    "plan_of_care": {
        "certified_from": "2026-01-05",
        "certified_to": "2026-04-04",
        "last_progress_report": "2026-02-20",
        "visits_since_progress_report": 4,
    },
    "authorization": {
        "visits_authorized": 12,
        "visits_used": 11,
        "valid_from": "2026-01-05",
        "valid_to": "2026-04-04",
    },
    "lines": [
        {
            "code": "97530",
            "modifiers": ["GO"],
            "units": 2,
            "minutes": 30,
            "date_of_service": "2026-03-02",
            "diagnosis_pointers": [1],
            "charge": "120.00",
            "assistant_minutes": 0,
            "place_of_service": "11",
        }
    ],
}


def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def test_contract_example_round_trips_exactly() -> None:
    out = Claim.from_dict(example()).to_dict()
    assert out == EXAMPLE
    assert list(out) == list(EXAMPLE)
    assert list(out["lines"][0]) == list(EXAMPLE["lines"][0])


def test_bad_units_names_path_and_value() -> None:
    d = example()
    d["lines"][0]["units"] = 2.5
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(d)
    assert info.value.field == "lines[0].units"
    assert "2.5" in str(info.value)


def test_frozen() -> None:
    claim = Claim.from_dict(example())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        claim.claim_id = "x"  # type: ignore[misc]


def first_line(**changes: Any) -> dict[str, Any]:
    d = example()
    d["lines"][0].update(changes)
    return d


def error_for(data: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_dict(data)
    return info.value


# --- canonical form and normalisation -------------------------------------------


def test_minimal_claim_round_trips() -> None:
    d = {
        "claim_id": "C-1",
        "payer": "commercial",
        "lines": [{"code": "97110", "units": 1, "date_of_service": "2026-03-02"}],
    }
    claim = Claim.from_dict(d)
    assert claim.to_dict() == d
    assert claim.patient is None
    assert claim.diagnoses == ()
    assert claim.lines[0].modifiers == ()


def test_empty_nested_objects_round_trip() -> None:
    d = first_line()
    d["patient"] = {}
    d["provider"] = {}
    d["plan_of_care"] = {}
    d["authorization"] = {}
    assert Claim.from_dict(d).to_dict() == d


def test_values_are_normalised() -> None:
    d = first_line(code=" l3906 ", modifiers=["go", " 59"], units="2")
    d["payer"] = " Medicare "
    d["diagnoses"] = [" i69.351", "m19.90"]
    claim = Claim.from_dict(d)
    assert claim.payer == "medicare"
    assert claim.diagnoses == ("I69.351", "M19.90")
    line = claim.lines[0]
    assert (line.code, line.modifiers, line.units) == ("L3906", ("GO", "59"), 2)


def test_null_optional_values_mean_absent() -> None:
    d = first_line(minutes=None, modifiers=None, charge=None, diagnosis_pointers=None)
    d["patient"] = None
    d["diagnoses"] = None
    out = Claim.from_dict(d).to_dict()
    assert "patient" not in out
    assert "diagnoses" not in out
    assert list(out["lines"][0]) == [
        "code",
        "units",
        "date_of_service",
        "assistant_minutes",
        "place_of_service",
    ]


def test_duplicates_are_kept_in_order() -> None:
    # Pointers refer to diagnosis positions, and repeated modifiers or lines are
    # findings for the rules: the model must not silently merge them.
    d = first_line(modifiers=["GO", "GO"], diagnosis_pointers=[1, 1])
    d["diagnoses"] = ["M19.90", "M19.90"]
    d["lines"].append(copy.deepcopy(d["lines"][0]))
    claim = Claim.from_dict(d)
    assert claim.lines[0].modifiers == ("GO", "GO")
    assert claim.diagnoses == ("M19.90", "M19.90")
    assert claim.lines[0] == claim.lines[1]
    assert claim.to_dict() == d


# --- money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("120.00", "120.00"),
        ("120", "120"),
        ("120.5", "120.5"),
        ("0.00", "0.00"),
        (" 7.10 ", "7.10"),
        ("0007.10", "7.10"),
        (120, "120"),
        (0, "0"),
        (Decimal("12.30"), "12.30"),
        (Decimal("1E+2"), "100"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_money_keeps_its_scale(given: object, kept: str) -> None:
    line = Claim.from_dict(first_line(charge=given)).lines[0]
    assert isinstance(line.charge, Decimal)
    assert line.to_dict()["charge"] == kept


@pytest.mark.parametrize(
    "bad",
    [
        120.0,
        0.1,
        float("nan"),
        float("inf"),
        "12.345",
        "-1.00",
        "+1.00",
        "1,200.00",
        "$120.00",
        "1e3",
        "NaN",
        "Infinity",
        "",
        ".50",
        "10000000000",
        10**10,
        -1,
        True,
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("-Infinity"),
        Decimal("1.234"),
        Decimal("-0.00"),
        "١٢٠",
        ["120.00"],
    ],
)
def test_money_refuses(bad: object) -> None:
    err = error_for(first_line(charge=bad))
    assert err.field == "lines[0].charge"
    assert err.value is bad
    assert "amount of money" in err.reason


def test_float_money_says_why() -> None:
    assert "not a float" in str(error_for(first_line(charge=120.0)))


def test_therapy_allowed_ytd_is_money() -> None:
    d = example()
    d["patient"]["therapy_allowed_ytd"] = "1,850"
    err = error_for(d)
    assert err.field == "patient.therapy_allowed_ytd"
    assert "'1,850'" in str(err)


# --- whole numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("units", -1, "at least 0"),
        ("units", 1000, "at most 999"),
        ("units", 2.0, "not a float"),
        ("units", True, "whole number"),
        ("units", "two", "whole number"),
        ("units", "+-4", "whole number"),
        ("units", "9" * 5000, "whole number"),
        ("minutes", 1441, "at most 1440"),
        ("minutes", "30.5", "whole number"),
        ("assistant_minutes", -1, "at least 0"),
    ],
)
def test_whole_numbers(field: str, bad: object, reason: str) -> None:
    err = error_for(first_line(**{field: bad}))
    assert err.field == f"lines[0].{field}"
    assert err.value == bad
    assert reason in err.reason


def test_digit_strings_are_accepted_as_numbers() -> None:
    line = Claim.from_dict(first_line(units=" 3 ", minutes="45", diagnosis_pointers=["2"])).lines[0]
    assert (line.units, line.minutes, line.diagnosis_pointers) == (3, 45, (2,))


def test_assistant_minutes_cannot_exceed_minutes() -> None:
    err = error_for(first_line(minutes=30, assistant_minutes=31))
    assert err.field == "lines[0].assistant_minutes"
    assert "(30)" in str(err)
    assert "31" in str(err)
    assert Claim.from_dict(first_line(minutes=30, assistant_minutes=30)).lines[0].assistant_minutes
    # Without minutes there is nothing to compare against: the assistant rule decides.
    d = first_line(assistant_minutes=5)
    del d["lines"][0]["minutes"]
    assert Claim.from_dict(d).lines[0].assistant_minutes == 5


def test_diagnosis_pointers_start_at_one() -> None:
    err = error_for(first_line(diagnosis_pointers=[1, 0]))
    assert err.field == "lines[0].diagnosis_pointers[1]"
    assert "at least 1" in str(err)


# --- error paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "expected_field"),
    [
        ("code", "9711", "lines[0].code"),
        ("code", 97110, "lines[0].code"),
        ("modifiers", "GO", "lines[0].modifiers"),
        ("modifiers", ["GO", "G"], "lines[0].modifiers[1]"),
        ("date_of_service", "2026-02-30", "lines[0].date_of_service"),
        ("date_of_service", "03/02/2026", "lines[0].date_of_service"),
        ("date_of_service", dt.datetime(2026, 3, 2, 9, 0), "lines[0].date_of_service"),
        ("place_of_service", "1", "lines[0].place_of_service"),
        ("diagnosis_pointers", 1, "lines[0].diagnosis_pointers"),
    ],
)
def test_line_errors_name_path_and_value(path: str, value: object, expected_field: str) -> None:
    err = error_for(first_line(**{path: value}))
    assert err.field == expected_field
    assert str(err).startswith(f"{expected_field}: ")
    shown = value[1] if isinstance(value, list) else value
    assert repr(shown) in str(err)


def test_error_names_the_right_line() -> None:
    d = example()
    d["lines"] = [copy.deepcopy(d["lines"][0]) for _ in range(3)]
    d["lines"][2]["units"] = "x"
    assert error_for(d).field == "lines[2].units"


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("plan_of_care", "certified_to", "2026-13-01", "plan_of_care.certified_to"),
        (
            "plan_of_care",
            "visits_since_progress_report",
            -2,
            "plan_of_care.visits_since_progress_report",
        ),
        ("authorization", "valid_from", "2026-1-5", "authorization.valid_from"),
        ("authorization", "visits_used", 1.5, "authorization.visits_used"),
        ("provider", "npi", 1234567893, "provider.npi"),
        ("provider", "npi", "12345-7893", "provider.npi"),
        ("provider", "npi", "", "provider.npi"),
    ],
)
def test_nested_errors_name_path_and_value(
    section: str, key: str, value: object, expected: str
) -> None:
    d = example()
    d[section][key] = value
    err = error_for(d)
    assert err.field == expected
    assert repr(value) in str(err)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("claim_id", "", "claim_id"),
        ("claim_id", 1001, "claim_id"),
        ("payer", "medicair", "payer"),
        ("payer", "Medicare Advantage", "payer"),
        ("diagnoses", "I69.351", "diagnoses"),
        ("diagnoses", ["I69.351", 7], "diagnoses[1]"),
        ("place_of_service", 11, "place_of_service"),
        ("submitted_on", "2026-03-10T10:00:00", "submitted_on"),
        ("lines", [], "lines"),
        ("lines", {"code": "97110"}, "lines"),
        ("lines", [5], "lines[0]"),
        ("lines", ["97110"], "lines[0]"),
        ("provider", "1234567893", "provider"),
        ("plan_of_care", [], "plan_of_care"),
        ("authorization", 12, "authorization"),
    ],
)
def test_claim_level_errors(key: str, value: object, expected: str) -> None:
    d = example()
    d[key] = value
    err = error_for(d)
    assert err.field == expected


def test_unknown_keys_name_their_path() -> None:
    for path, data in [
        ("foo", {**example(), "foo": 1}),
        ("lines[0].foo", first_line(foo=1)),
        ("patient.first_name", {**example(), "patient": {"first_name": "Ada"}}),
        ("plan_of_care.signed", {**example(), "plan_of_care": {"signed": True}}),
    ]:
        err = error_for(data)
        assert err.field == path
        assert "unknown key" in err.reason
        assert "Ada" not in str(err)


def test_non_string_keys_are_unknown() -> None:
    assert error_for({**example(), 1: "x"}).field == "1"
    assert error_for({**example(), "first name": "x"}).field == "'first name'"
    assert error_for(first_line(**{"": 1})).field == "lines[0].''"


@pytest.mark.parametrize("key", ["claim_id", "payer", "lines"])
def test_missing_required_claim_keys(key: str) -> None:
    d = example()
    del d[key]
    err = error_for(d)
    assert err.field == key
    assert "required" in str(err)


@pytest.mark.parametrize("key", ["code", "units", "date_of_service"])
def test_missing_and_null_required_line_keys(key: str) -> None:
    d = example()
    del d["lines"][0][key]
    assert error_for(d).field == f"lines[0].{key}"
    assert "missing" in error_for(d).reason
    assert "null" in error_for(first_line(**{key: None})).reason


@pytest.mark.parametrize("data", [None, 5, "claim", [], ["C-1"], b"{}", object()])
def test_non_object_claims(data: object) -> None:
    err = error_for(data)
    assert err.field == "claim"


# --- patient data -------------------------------------------------------------------

MEMBER = "9QX7QX7QX79"
BIRTH = "1937-07-13"
PATIENT_ID = "PT-SENTINEL-4417"


def sentinel_claim() -> dict[str, Any]:
    d = example()
    d["patient"] = {"id": PATIENT_ID, "birth_date": BIRTH, "member_id": MEMBER}
    return d


def assert_no_patient_data(text: str) -> None:
    for secret in (MEMBER, BIRTH, PATIENT_ID, "1937", "7, 13"):
        assert secret not in text


def test_repr_withholds_patient_data() -> None:
    claim = Claim.from_dict(sentinel_claim())
    assert_no_patient_data(repr(claim))
    assert_no_patient_data(str(claim))
    assert_no_patient_data(claim._repr_html_())
    assert "Patient(id=<withheld>, birth_date=<withheld>, member_id=<withheld>" in repr(claim)
    assert claim.patient is not None
    assert claim.patient.member_id == MEMBER


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("member_id", 19377137),
        ("member_id", [MEMBER]),
        ("id", {"value": PATIENT_ID}),
        ("birth_date", "1937-07-32"),
        ("birth_date", BIRTH + "T00:00"),
        ("birth_date", dt.datetime(1937, 7, 13, 0, 0)),
    ],
)
def test_patient_errors_withhold_the_value(key: str, value: object) -> None:
    d = sentinel_claim()
    d["patient"][key] = value
    err = error_for(d)
    assert err.field == f"patient.{key}"
    assert err.value is None
    assert err.sensitive
    assert "withheld" in str(err)
    assert_no_patient_data(str(err))
    assert "19377137" not in str(err)


def test_patient_object_errors_withhold_the_value() -> None:
    err = error_for({**example(), "patient": f"{PATIENT_ID} {MEMBER}"})
    assert err.field == "patient"
    assert_no_patient_data(str(err))


def test_claim_level_errors_do_not_leak_patient_data() -> None:
    # A whole claim in the wrong container must not be echoed back.
    assert_no_patient_data(str(error_for([sentinel_claim()])))
    with pytest.raises(InvalidInputError) as info:
        Claim.from_json(json.dumps(sentinel_claim())[:-1])
    assert_no_patient_data(str(info.value))


# --- immutability and value semantics -------------------------------------------------


def test_every_class_is_frozen() -> None:
    claim = Claim.from_dict(example())
    assert claim.patient is not None
    assert claim.plan_of_care is not None
    assert claim.authorization is not None
    assert claim.provider is not None
    targets: list[tuple[object, str]] = [
        (claim, "claim_id"),
        (claim.lines[0], "units"),
        (claim.patient, "member_id"),
        (claim.provider, "npi"),
        (claim.plan_of_care, "certified_to"),
        (claim.authorization, "visits_used"),
    ]
    for obj, name in targets:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(obj, name, None)
    assert isinstance(claim.lines, tuple)
    assert isinstance(claim.diagnoses, tuple)
    assert isinstance(claim.lines[0].modifiers, tuple)
    assert isinstance(claim.lines[0].diagnosis_pointers, tuple)
    assert not hasattr(claim, "__dict__")  # slots


def test_equal_claims_hash_equal_and_pickle() -> None:
    a, b = Claim.from_dict(example()), Claim.from_dict(example())
    assert a == b
    assert hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a


def test_direct_construction_converts_and_checks() -> None:
    claim = Claim(
        claim_id="C-9",
        payer="MEDICAID",
        patient={"member_id": "X1"},
        lines=[
            ServiceLine(code="97110", units=1, date_of_service=dt.date(2026, 3, 2)),
            {"code": "97530", "units": 2, "date_of_service": "2026-03-03"},
        ],
    )
    assert claim.payer == "medicaid"
    assert isinstance(claim.patient, Patient)
    assert isinstance(claim.lines[1], ServiceLine)
    with pytest.raises(InvalidInputError, match=r"^lines\[1\]\.units"):
        Claim(claim_id="C", payer="medicare", lines=[claim.lines[0], {"code": "97110"}])
    with pytest.raises(InvalidInputError, match=r"^units"):
        attrs.evolve(claim.lines[0], units=-1)
    with pytest.raises(InvalidInputError, match=r"^assistant_minutes"):
        ServiceLine(
            code="97110", units=1, date_of_service="2026-03-02", minutes=5, assistant_minutes=6
        )


def test_standalone_from_dict_paths() -> None:
    with pytest.raises(InvalidInputError, match=r"^units"):
        ServiceLine.from_dict({"code": "97110", "units": "x", "date_of_service": "2026-03-02"})
    with pytest.raises(InvalidInputError, match=r"^line: expected an object"):
        ServiceLine.from_dict([])
    with pytest.raises(InvalidInputError, match=r"^npi"):
        Provider.from_dict({"npi": 5})
    with pytest.raises(InvalidInputError, match=r"^certified_from"):
        PlanOfCare.from_dict({"certified_from": "x"})
    with pytest.raises(InvalidInputError, match=r"^valid_to"):
        Authorization.from_dict({"valid_to": "x"})
    with pytest.raises(InvalidInputError, match=r"^birth_date"):
        Patient.from_dict({"birth_date": "x"})


# --- JSON text ---------------------------------------------------------------------------


def test_json_round_trip() -> None:
    claim = Claim.from_dict(example())
    assert Claim.from_json(claim.to_json()) == claim
    assert Claim.from_json(claim.to_json(indent=2).encode()) == claim
    assert json.loads(claim.to_json()) == EXAMPLE


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"claim_id": "a", "claim_id": "b", "payer": "medicare", "lines": []}', "claim_id"),
        (
            '{"claim_id": "a", "payer": "medicare", "lines": '
            '[{"code": "97110", "units": 1, "units": 2, "date_of_service": "2026-03-02"}]}',
            "lines[0].units",
        ),
        (
            '{"claim_id": "a", "payer": "medicare", "patient": {"id": "1", "id": "2"}, '
            '"lines": [{"code": "97110", "units": 1, "date_of_service": "2026-03-02"}]}',
            "patient.id",
        ),
    ],
)
def test_json_repeated_keys_are_errors(text: str, path: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_json(text)
    assert info.value.field == path
    assert "repeated" in info.value.reason


@pytest.mark.parametrize("text", ["", "{", "[1,", "nul", b"\xff\xfe", "[" * 100_000, 5, None])
def test_bad_json_text(text: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        Claim.from_json(text)
    assert info.value.field == "claim"


def test_json_float_money_is_refused() -> None:
    text = json.dumps(example()).replace('"120.00"', "120.00")
    with pytest.raises(InvalidInputError, match=r"lines\[0\]\.charge: .*not a float"):
        Claim.from_json(text)


# --- helpers ------------------------------------------------------------------------------


def test_effective_pos_and_dates_of_service() -> None:
    d = example()
    d["lines"] = [
        {"code": "97110", "units": 1, "date_of_service": "2026-03-04"},
        {"code": "97530", "units": 1, "date_of_service": "2026-03-02", "place_of_service": "02"},
        {"code": "97535", "units": 1, "date_of_service": "2026-03-04"},
    ]
    claim = Claim.from_dict(d)
    assert [claim.effective_pos(i) for i in range(3)] == ["11", "02", "11"]
    assert claim.effective_pos(claim.lines[1]) == "02"
    assert claim.dates_of_service == (dt.date(2026, 3, 2), dt.date(2026, 3, 4))
    del d["place_of_service"]
    assert Claim.from_dict(d).effective_pos(0) is None
