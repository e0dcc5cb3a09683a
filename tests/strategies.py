"""Hypothesis strategies for claims in the JSON format, shared by every test suite.

Import as ``from strategies import claim_dicts`` (pytest puts ``tests/`` on the path).

Valid data:

- :func:`claim_dicts` — realistic OT claims in canonical form
  (``Claim.from_dict(d).to_dict() == d``). They are meant to be *clean*: built to
  pass the rules of issue 5 as written (GO on every line, units that match the
  minutes under both the CMS and CPT methods, one evaluation at its typical time,
  no NCCI pair or MUE excess among the codes used, dates inside the plan of care
  and the authorization, a valid NPI and MBI, pointers in range, KX not yet
  needed, within 12 months of :data:`TODAY` and filed by then). Check them with
  ``today=TODAY`` pinned. If a rule flags one, the rule or this module is wrong:
  look at both.
- :func:`service_line_dicts`, :func:`patient_dicts`, :func:`npis`, :func:`mbis`.
- :func:`batch_rows` / :func:`claim_rows` — rows of the batch CSV format
  (``dict[str, str]``, list cells ``;``-separated), built from
  ``claim_dicts(csv_compatible=True)`` so they carry the same claims.

Invalid data:

- :func:`invalid_claim_dicts` — a clean claim with one defect, as
  :class:`Broken` (``data``, the error ``path`` ``from_dict`` must name, whether
  the value is ``sensitive`` patient data). :data:`DEFECTS` lists them.
- :func:`set_path` / :func:`delete_path` — edit a claim dict at
  ``"lines[0].units"``-style paths, to build your own variants.
- :func:`field_soup_claims` — dicts built from the format's field names with
  random values of random types (fuzzing: ``from_dict`` must parse or raise
  ``InvalidInputError``).

Sentinels: :data:`SENTINEL_MEMBER_ID`, :data:`SENTINEL_BIRTH_DATE`,
:data:`SENTINEL_PATIENT_ID` are patient data that must never show in a message or
repr; ``claim_dicts(sentinels=True)`` plants them.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import attrs
from hypothesis import strategies as st

__all__ = [
    "CSV_CLAIM_COLUMNS",
    "CSV_COLUMNS",
    "CSV_LINE_COLUMNS",
    "DEFECTS",
    "SENTINEL_BIRTH_DATE",
    "SENTINEL_MEMBER_ID",
    "SENTINEL_PATIENT_ID",
    "TODAY",
    "Broken",
    "anything",
    "batch_rows",
    "claim_dicts",
    "claim_rows",
    "claim_to_rows",
    "delete_path",
    "field_soup_claims",
    "invalid_claim_dicts",
    "mbis",
    "npi_check_digit",
    "npis",
    "patient_dicts",
    "service_line_dicts",
    "set_path",
]

Json = dict[str, Any]

#: The date rule tests pin as "today" (as tests/claimfactory.py does); generated
#: claims are clean as checked on it.
TODAY = dt.date(2026, 3, 10)

# Patient data planted by sentinels=True: distinctive enough that a substring
# search in a message cannot match by accident. The member ID is a well-formed MBI.
SENTINEL_MEMBER_ID = "9QX7QX7QX79"
SENTINEL_BIRTH_DATE = "1937-07-13"
SENTINEL_PATIENT_ID = "PT-SENTINEL-4417"

# --- OT vocabulary -------------------------------------------------------------

# Timed codes with no NCCI PTP pair among themselves (2024Q2 practitioner file) and
# a practitioner MUE of at least 4 units per day.
TIMED_CODES = ("97110", "97112", "97140", "97530", "97535")
# Evaluation code -> its typical minutes (CPT), so the complexity rule stays quiet.
EVALUATIONS = {"97165": 30, "97166": 45, "97167": 60}
DIAGNOSES = (
    "I69.351",  # hemiplegia following cerebral infarction, right dominant side
    "I69.354",
    "M19.90",  # osteoarthritis, unspecified site
    "M19.041",
    "G81.91",
    "S62.101A",
    "M25.631",
    "M62.81",  # muscle weakness (generalised)
    "R27.8",
    "G56.01",  # carpal tunnel syndrome, right
    "M65.4",
    "Z47.1",
)
PLACES_OF_SERVICE = ("11", "22", "12")  # office, outpatient hospital, home
PAYERS = ("medicare", "medicaid", "commercial")

# Batch CSV columns, in the contract's order.
CSV_CLAIM_COLUMNS = (
    "claim_id",
    "payer",
    "patient_id",
    "birth_date",
    "member_id",
    "therapy_allowed_ytd",
    "npi",
    "diagnoses",
    "place_of_service",
    "submitted_on",
)
CSV_LINE_COLUMNS = (
    "code",
    "modifiers",
    "units",
    "minutes",
    "date_of_service",
    "diagnosis_pointers",
    "charge",
    "assistant_minutes",
)
CSV_COLUMNS = CSV_CLAIM_COLUMNS + CSV_LINE_COLUMNS

# --- identifiers ---------------------------------------------------------------


def npi_check_digit(first9: str) -> str:
    """The Luhn check digit of an NPI, computed with the 80840 card prefix."""
    total = 0
    for i, ch in enumerate(reversed("80840" + first9)):
        d = int(ch)
        if i % 2 == 0:  # doubled: the check digit will sit to the right
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


@st.composite
def npis(draw: st.DrawFn) -> str:
    """Valid 10-digit NPIs (first digit 1 or 2, Luhn check digit)."""
    first9 = draw(st.sampled_from("12")) + draw(st.text("0123456789", min_size=8, max_size=8))
    return first9 + npi_check_digit(first9)


_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # A-Z without S, L, O, I, B, Z
_MBI_ALNUM = "0123456789" + _MBI_LETTERS


@st.composite
def mbis(draw: st.DrawFn) -> str:
    """Medicare Beneficiary Identifiers in the CMS 11-character format."""
    kinds = ("1-9", "L", "A", "N", "L", "A", "N", "L", "L", "N", "N")
    alphabet = {"1-9": "123456789", "L": _MBI_LETTERS, "A": _MBI_ALNUM, "N": "0123456789"}
    return "".join(draw(st.sampled_from(alphabet[k])) for k in kinds)


def _money(amount: int) -> str:
    """Whole cents as the format's canonical decimal string."""
    return f"{amount // 100}.{amount % 100:02d}"


# --- valid claims --------------------------------------------------------------


@st.composite
def service_line_dicts(
    draw: st.DrawFn,
    *,
    code: str | None = None,
    date_of_service: dt.date | None = None,
    diagnoses: int = 1,
    full: bool = False,
) -> Json:
    """One clean timed-treatment line (GO, units = minutes / 15), canonical form.

    ``full=True`` fills every optional key; otherwise each is kept or left out at
    random, except what the clean-claim rules need (modifiers, minutes, pointers).
    """
    code = code or draw(st.sampled_from(TIMED_CODES))
    day = date_of_service or draw(st.dates(TODAY - dt.timedelta(days=300), TODAY))
    units = draw(st.integers(1, 3))
    line: Json = {"code": code, "modifiers": ["GO"], "units": units, "minutes": 15 * units}
    line["date_of_service"] = day.isoformat()
    if diagnoses:
        line["diagnosis_pointers"] = sorted(
            draw(st.sets(st.integers(1, diagnoses), min_size=1, max_size=min(diagnoses, 4)))
        )
    if full or draw(st.booleans()):
        line["charge"] = _money(units * draw(st.integers(3000, 6500)))
    if full or draw(st.booleans()):
        line["assistant_minutes"] = 0
    if full or draw(st.booleans()):
        line["place_of_service"] = "11"
    return line


def _evaluation_line(code: str, day: dt.date, charge: bool) -> Json:
    line: Json = {
        "code": code,
        "modifiers": ["GO"],
        "units": 1,
        "minutes": EVALUATIONS[code],
        "date_of_service": day.isoformat(),
        "diagnosis_pointers": [1],
    }
    if charge:
        line["charge"] = "150.00"
    return line


@st.composite
def patient_dicts(
    draw: st.DrawFn, *, payer: str = "medicare", before: dt.date | None = None, full: bool = False
) -> Json:
    """A patient born before ``before``; a Medicare patient gets an MBI."""
    before = before or TODAY
    patient: Json = {}
    if full or draw(st.booleans()):
        patient["id"] = f"P-{draw(st.integers(1, 99999)):05d}"
    if full or draw(st.booleans()):
        oldest, youngest = (65, 100) if payer == "medicare" else (1, 95)
        age_days = draw(st.integers(365 * oldest + 30, 365 * youngest))
        patient["birth_date"] = (before - dt.timedelta(days=age_days)).isoformat()
    if full or draw(st.booleans()):
        if payer == "medicare":
            patient["member_id"] = draw(mbis())
        else:
            patient["member_id"] = draw(st.text(_MBI_ALNUM, min_size=6, max_size=14))
    if full or draw(st.booleans()):
        # Well under every year's KX threshold even after this claim's services.
        patient["therapy_allowed_ytd"] = _money(draw(st.integers(0, 80000)))
    return patient


@st.composite
def claim_dicts(
    draw: st.DrawFn,
    *,
    payer: str | None = None,
    today: dt.date = TODAY,
    max_visits: int = 3,
    full: bool = False,
    csv_compatible: bool = False,
    sentinels: bool = False,
) -> Json:
    """Realistic OT claims in canonical JSON form, clean as checked on ``today``.

    One to ``max_visits`` visits within two weeks, each with one to three distinct
    timed codes; the first visit may open with an evaluation. ``full=True`` fills
    every optional key; ``csv_compatible=True`` leaves out what the batch CSV
    cannot carry (plan of care, authorization, line place of service);
    ``sentinels=True`` plants the SENTINEL_* patient data.
    """
    payer = payer or draw(st.sampled_from(PAYERS))
    # Visits end at least a month before ``today`` and start within 300 days of it,
    # so the claim is neither in the future nor past Medicare's 12-month filing limit.
    start = draw(st.dates(today - dt.timedelta(days=300), today - dt.timedelta(days=45)))
    offsets = sorted(draw(st.sets(st.integers(0, 13), min_size=1, max_size=max_visits)))
    days = [start + dt.timedelta(days=o) for o in offsets]
    n_diagnoses = draw(st.integers(1, 4))
    diagnoses = draw(st.lists(st.sampled_from(DIAGNOSES), min_size=n_diagnoses, unique=True))
    with_charges = full or draw(st.booleans())

    lines: list[Json] = []
    evaluation = draw(st.sampled_from((None, *EVALUATIONS)))
    if evaluation:
        lines.append(_evaluation_line(evaluation, days[0], with_charges))
    for day in days:
        for code in draw(
            st.lists(st.sampled_from(TIMED_CODES), min_size=1, max_size=3, unique=True)
        ):
            line = draw(
                service_line_dicts(code=code, date_of_service=day, diagnoses=n_diagnoses, full=full)
            )
            if with_charges:
                line.setdefault("charge", _money(line["units"] * 4000))
            else:
                line.pop("charge", None)
            if csv_compatible:
                line.pop("place_of_service", None)
            lines.append({k: line[k] for k in _LINE_FIELDS if k in line})

    claim: Json = {"claim_id": f"C-{draw(st.integers(1, 10**7)):07d}", "payer": payer}
    if full or draw(st.booleans()):
        claim["patient"] = draw(patient_dicts(payer=payer, before=start, full=full))
    if sentinels:
        patient = claim.setdefault("patient", {})
        patient.update(
            id=SENTINEL_PATIENT_ID, birth_date=SENTINEL_BIRTH_DATE, member_id=SENTINEL_MEMBER_ID
        )
        claim["patient"] = {k: patient[k] for k in _PATIENT_ORDER if k in patient}
    if full or draw(st.booleans()):
        claim["provider"] = {"npi": draw(npis())}
    claim["diagnoses"] = diagnoses
    if full or draw(st.booleans()):
        claim["place_of_service"] = draw(st.sampled_from(PLACES_OF_SERVICE))
    if full or draw(st.booleans()):
        claim["submitted_on"] = (days[-1] + dt.timedelta(days=draw(st.integers(1, 30)))).isoformat()
    if not csv_compatible and (full or draw(st.booleans())):
        certified_from = start - dt.timedelta(days=draw(st.integers(0, 30)))
        claim["plan_of_care"] = {
            "certified_from": certified_from.isoformat(),
            "certified_to": (certified_from + dt.timedelta(days=89)).isoformat(),
            "last_progress_report": certified_from.isoformat(),
            "visits_since_progress_report": draw(st.integers(0, 5)),
        }
    if not csv_compatible and (full or draw(st.booleans())):
        authorized = draw(st.integers(12, 30))
        valid_from = start - dt.timedelta(days=draw(st.integers(0, 30)))
        claim["authorization"] = {
            "visits_authorized": authorized,
            "visits_used": draw(st.integers(0, authorized - max_visits - 1)),
            "valid_from": valid_from.isoformat(),
            "valid_to": (valid_from + dt.timedelta(days=120)).isoformat(),
        }
    claim["lines"] = lines
    return claim


_PATIENT_ORDER = ("id", "birth_date", "member_id", "therapy_allowed_ytd")

# --- batch CSV rows ------------------------------------------------------------


def claim_to_rows(claim: Json) -> list[dict[str, str]]:
    """The batch-CSV rows of a claim dict: one per line, every cell a string."""
    patient = claim.get("patient", {})
    head = {
        "claim_id": claim["claim_id"],
        "payer": claim["payer"],
        "patient_id": patient.get("id", ""),
        "birth_date": patient.get("birth_date", ""),
        "member_id": patient.get("member_id", ""),
        "therapy_allowed_ytd": patient.get("therapy_allowed_ytd", ""),
        "npi": claim.get("provider", {}).get("npi", ""),
        "diagnoses": ";".join(claim.get("diagnoses", ())),
        "place_of_service": claim.get("place_of_service", ""),
        "submitted_on": claim.get("submitted_on", ""),
    }
    rows = []
    for line in claim["lines"]:
        row = dict(head)
        for column in CSV_LINE_COLUMNS:
            value = line.get(column, "")
            row[column] = ";".join(map(str, value)) if isinstance(value, list) else str(value)
        rows.append(row)
    return rows


@st.composite
def claim_rows(draw: st.DrawFn, **claim_options: Any) -> list[dict[str, str]]:
    """The consecutive batch-CSV rows of one clean claim."""
    return claim_to_rows(draw(claim_dicts(csv_compatible=True, **claim_options)))


@st.composite
def batch_rows(
    draw: st.DrawFn, *, min_claims: int = 1, max_claims: int = 8
) -> list[dict[str, str]]:
    """A batch: the rows of several clean claims with distinct claim IDs, in order."""
    claims = draw(
        st.lists(claim_dicts(csv_compatible=True), min_size=min_claims, max_size=max_claims)
    )
    rows: list[dict[str, str]] = []
    for i, claim in enumerate(claims):
        claim["claim_id"] = f"{claim['claim_id']}-{i}"
        rows.extend(claim_to_rows(claim))
    return rows


# --- editing claim dicts by path -----------------------------------------------

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _STEP.findall(path)]


def set_path(data: Json, path: str, value: Any) -> Json:
    """A deep copy of ``data`` with ``path`` (``"lines[0].modifiers[1]"``) set to
    ``value``; missing objects on the way are created."""
    out = copy.deepcopy(data)
    *parents, last = _steps(path)
    node: Any = out
    for step in parents:
        if isinstance(step, str) and step not in node:
            node[step] = {}
        node = node[step]
    node[last] = value
    return out


def delete_path(data: Json, path: str) -> Json:
    """A deep copy of ``data`` without the key at ``path``."""
    out = copy.deepcopy(data)
    *parents, last = _steps(path)
    node: Any = out
    for step in parents:
        node = node[step]
    del node[last]
    return out


# --- one-defect claims ---------------------------------------------------------


@attrs.frozen
class Broken:
    """A claim dict with one defect: ``from_dict`` must raise ``InvalidInputError``
    whose ``field`` is ``path`` (and, when ``sensitive``, whose message withholds
    the value)."""

    data: Json
    path: str
    value: Any
    sensitive: bool = False
    description: str = ""


# (path template, bad values, sensitive). "{i}" is a line index, "{j}" an index in
# that line's list. The value None on a required key tests "required".
DEFECTS: tuple[tuple[str, tuple[Any, ...], bool], ...] = (
    ("claim_id", ("", "   ", 1001, None, ["C-1"]), False),
    ("payer", ("medicair", "", 3, None, "Medicare Advantage"), False),
    ("diagnoses", ("I69.351", {"I69.351": 1}, 7), False),
    ("diagnoses[{k}]", (69351, None, ["I69.351"]), False),
    ("place_of_service", ("1", "011", 11, "AB"), False),
    (
        "submitted_on",
        ("2026-02-30", "03/10/2026", "2026-3-10", 20260310, "2026-03-10T09:00"),
        False,
    ),
    ("patient", ("1EG4TE5MK73", ["P-1"], 5), True),
    ("patient.id", (17, ["P-1"], {"id": "P"}), True),
    ("patient.birth_date", ("1950-02-30", "03/01/1950", 1950, "1950-03"), True),
    ("patient.member_id", (12345678901, ["1EG4TE5MK73"], True), True),
    ("patient.therapy_allowed_ytd", (1850.0, "1,850.00", "-1.00", "18.505", "NaN", True), False),
    ("provider", ("1234567893", 5), False),
    ("provider.npi", (1234567893, "12345 67893", "123456789X", "", "١٢٣٤٥٦٧٨٩٣"), False),
    ("plan_of_care", ("2026-01-05", 4), False),
    ("plan_of_care.certified_from", ("2026-00-05", 5), False),
    ("plan_of_care.certified_to", ("2026-13-01", "tomorrow"), False),
    ("plan_of_care.last_progress_report", ("2026-02-29", ""), False),
    ("plan_of_care.visits_since_progress_report", (-1, 2.0, "four", True), False),
    ("authorization.visits_authorized", (-3, 12.5, "12 visits"), False),
    ("authorization.visits_used", (-1, "x"), False),
    ("authorization.valid_from", ("2026-1-5",), False),
    ("authorization.valid_to", ("20260404",), False),
    ("lines", ([], "97530", {"code": "97530"}, None, 3), False),
    ("lines[{i}]", ("97530", 5, None, ["97530", 2]), False),
    ("lines[{i}].code", ("9753", 97530, "97530-GO", "", None, "9753O"), False),
    ("lines[{i}].modifiers", ("GO", "GO;59", 59), False),
    ("lines[{i}].modifiers[{j}]", ("G", "GOO", 59, None), False),
    ("lines[{i}].units", (-1, 2.5, 2.0, "two", True, 1000, None), False),
    ("lines[{i}].minutes", (-5, 1441, 30.0, "half an hour"), False),
    ("lines[{i}].date_of_service", ("2026-02-30", "2026/03/02", "", None, 20260302), False),
    ("lines[{i}].diagnosis_pointers", (1, "1;2", {"1": 1}), False),
    ("lines[{i}].diagnosis_pointers[{j}]", (0, -1, 1.0, "A", None), False),
    (
        "lines[{i}].charge",
        (120.0, "120.005", "-120.00", "$120.00", "Infinity", "1e3", False),
        False,
    ),
    ("lines[{i}].assistant_minutes", (-1, 1441, 1.5), False),
    ("lines[{i}].place_of_service", ("2", 11, "XX"), False),
)

# Unknown keys, one per object; the value never matters.
UNKNOWN_KEYS = (
    "claim_notes",
    "patient.first_name",
    "patient.last_name",
    "provider.name",
    "plan_of_care.signed_by",
    "authorization.number",
    "lines[{i}].ndc",
    "lines[{i}].Units",
)


@st.composite
def invalid_claim_dicts(draw: st.DrawFn, **claim_options: Any) -> Broken:
    """A clean claim (``claim_dicts(full=True)``) with exactly one defect: a bad
    value, an unknown key, or a missing required key."""
    claim = draw(claim_dicts(full=True, **claim_options))
    i = draw(st.integers(0, len(claim["lines"]) - 1))
    line = claim["lines"][i]
    kind = draw(st.sampled_from(("value", "value", "value", "unknown", "missing")))
    if kind == "missing":
        path = draw(
            st.sampled_from(
                (
                    "claim_id",
                    "payer",
                    "lines",
                    f"lines[{i}].code",
                    f"lines[{i}].units",
                    f"lines[{i}].date_of_service",
                )
            )
        )
        return Broken(delete_path(claim, path), path, None, description="required key missing")
    if kind == "unknown":
        path = draw(st.sampled_from(UNKNOWN_KEYS)).format(i=i)
        value = draw(st.sampled_from(("Jane", 1, None, [])))
        return Broken(set_path(claim, path, value), path, value, description="unknown key")
    template, values, sensitive = draw(st.sampled_from(DEFECTS))
    inner = "modifiers" if "modifiers[" in template else "diagnosis_pointers"
    path = template.format(
        i=i,
        j=draw(st.integers(0, len(line[inner]) - 1)),
        k=draw(st.integers(0, len(claim["diagnoses"]) - 1)),
    )
    value = draw(st.sampled_from(values))
    return Broken(
        set_path(claim, path, value), path, value, sensitive=sensitive, description="bad value"
    )


# --- fuzzing -------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(("", " ", "NaN", "-0", "+-4", "1e5", "2026-02-30", "٣", "²", "0" * 5000)),
)


_ANYTHING: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def anything() -> st.SearchStrategy[Any]:
    """JSON-ish values of any type, nested a little (lists and str-keyed dicts)."""
    return _ANYTHING


_DATES = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)
# Valid values per field (fields not listed are dates).
_VALID: dict[str, st.SearchStrategy[Any]] = {
    "claim_id": st.sampled_from(("C-1", "claim 2", " x ")),
    "payer": st.sampled_from(("medicare", "MEDICAID", " commercial ")),
    "code": st.sampled_from(("97530", "97110", "g0283", " 97168", "0552T")),
    "modifiers": st.lists(st.sampled_from(("GO", "59", "kx", " co")), max_size=4),
    "diagnoses": st.lists(st.sampled_from(("I69.351", "m19.90", "", "X")), max_size=3),
    "diagnosis_pointers": st.lists(st.integers(1, 14), max_size=4),
    "units": st.integers(0, 999) | st.sampled_from(("2", " 3 ")),
    "minutes": st.integers(0, 1440),
    "assistant_minutes": st.integers(0, 1440),
    "charge": st.sampled_from(("120.00", "0", "1.5", "0.01", "9999999999.99")) | st.integers(0, 9),
    "therapy_allowed_ytd": st.sampled_from(("1850.00", "0.00", "3")),
    "npi": st.text("0123456789", min_size=1, max_size=11),
    "member_id": st.text(max_size=11),
    "id": st.text(max_size=6),
    "place_of_service": st.sampled_from(("11", "02", " 22")),
    "visits_authorized": st.integers(0, 40),
    "visits_used": st.integers(0, 40),
    "visits_since_progress_report": st.integers(0, 12),
}
# Near misses per field: the right type, the wrong value.
_NEAR: dict[str, st.SearchStrategy[Any]] = {
    "claim_id": st.sampled_from(("", "  ")),
    "payer": st.sampled_from(("other", "", "medicare advantage")),
    "code": st.sampled_from(("9753", "97530-GO", "", "ABCDE")),
    "modifiers": st.lists(st.sampled_from(("G", "GOO", "", 59)), min_size=1, max_size=2),
    "diagnoses": st.lists(st.sampled_from((None, 1, ["I69.351"])), min_size=1, max_size=2),
    "diagnosis_pointers": st.lists(st.integers(-2, 0), min_size=1, max_size=2),
    "units": st.sampled_from((-1, 1000, 2.0, "2.5", "+-4", True)),
    "minutes": st.sampled_from((-1, 1441, 30.0, "0" * 5000)),
    "assistant_minutes": st.sampled_from((-1, 1441, 1.5)),
    "charge": st.sampled_from(("1.555", "-1", "99999999999", "1e3", "NaN", 1.5, "١")),
    "therapy_allowed_ytd": st.sampled_from(("1e3", "-0.00", 10.0)),
    "npi": st.sampled_from(("", "12345a", "١٢٣", 1234567893)),
    "member_id": st.sampled_from((1, ["X"])),
    "id": st.sampled_from((1, None)),
    "place_of_service": st.sampled_from(("1", "ab", 11)),
    "visits_authorized": st.sampled_from((-1, 1.0)),
    "visits_used": st.sampled_from((-1, "many")),
    "visits_since_progress_report": st.sampled_from((-1, "²")),
}
_NEAR_DATES = st.sampled_from(
    ("2026-02-30", "2026-3-2", "20260302", "2026-W10-1", "2026-03-02T00:00", " ", "٢٠٢٦-٠٣-٠٢")
)


@st.composite
def _value_for(draw: st.DrawFn, field: str, junk: int) -> Any:
    # ``junk`` is the per-claim percentage of values that are not valid: drawn once
    # per claim so that some claims are wholly valid and parse, while others fail
    # at every depth of the format.
    if draw(st.integers(0, 99)) >= junk:
        return draw(_VALID.get(field, _DATES))
    if draw(st.booleans()):
        return draw(_NEAR.get(field, _NEAR_DATES))
    return draw(_ANYTHING)


_OBJECT_FIELDS: dict[str, tuple[str, ...]] = {
    "patient": _PATIENT_ORDER,
    "provider": ("npi",),
    "plan_of_care": (
        "certified_from",
        "certified_to",
        "last_progress_report",
        "visits_since_progress_report",
    ),
    "authorization": ("visits_authorized", "visits_used", "valid_from", "valid_to"),
}
_LINE_FIELDS = (
    "code",
    "modifiers",
    "units",
    "minutes",
    "date_of_service",
    "diagnosis_pointers",
    "charge",
    "assistant_minutes",
    "place_of_service",
)
_CLAIM_FIELDS = (
    "claim_id",
    "payer",
    "patient",
    "provider",
    "diagnoses",
    "place_of_service",
    "submitted_on",
    "plan_of_care",
    "authorization",
    "lines",
)


@st.composite
def _soup_object(
    draw: st.DrawFn, fields: tuple[str, ...], junk: int, required: tuple[str, ...] = ()
) -> Json:
    chosen = draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    # Required keys are there unless a junk draw drops them.
    chosen += [f for f in required if f not in chosen and draw(st.integers(0, 99)) >= junk]
    out: Json = {}
    for name in chosen:
        if name in _OBJECT_FIELDS and draw(st.integers(0, 99)) >= junk:
            out[name] = draw(_soup_object(_OBJECT_FIELDS[name], junk))
        elif name == "lines" and draw(st.integers(0, 99)) >= junk:
            line = _soup_object(_LINE_FIELDS, junk, ("code", "units", "date_of_service"))
            out[name] = draw(st.lists(line, min_size=1, max_size=4))
        else:
            out[name] = draw(_value_for(name, junk))
    if draw(st.integers(0, 99)) < junk // 3:
        out[draw(st.text(min_size=1, max_size=6))] = draw(_ANYTHING)
    return out


@st.composite
def field_soup_claims(draw: st.DrawFn) -> Any:
    """Dicts built from the format's field names with random values of random types,
    nested objects and lines included: some wholly valid (not canonical), most with
    a few bad values (near misses or anything at all), unknown keys or missing
    required keys; now and then not a dict at all."""
    if draw(st.integers(0, 49)) == 0:
        return draw(_ANYTHING)
    junk = draw(st.sampled_from((0, 0, 2, 5, 10, 25, 60)))
    return draw(_soup_object(_CLAIM_FIELDS, junk, ("claim_id", "payer", "lines")))


# --- claims that parse but break rules -------------------------------------------


def _flaw_day(claim: Json, i: int) -> str:
    return claim["lines"][i]["date_of_service"]


def _add_line(claim: Json, i: int, code: str, **extra: Any) -> None:
    # At most one line of ``code`` per date, so an added line never repeats a code.
    day = _flaw_day(claim, i)
    if any(ln["code"] == code and ln["date_of_service"] == day for ln in claim["lines"]):
        return
    line: Json = {"code": code, "modifiers": ["GO"], "units": 1, "minutes": 15}
    line.update(date_of_service=day, diagnosis_pointers=[1], **extra)
    claim["lines"].append(line)


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def _set_line(key: str, value: Any) -> Any:
    def flaw(claim: Json, i: int) -> None:
        claim["lines"][i][key] = value

    return flaw


def _drop_line_key(key: str) -> Any:
    def flaw(claim: Json, i: int) -> None:
        claim["lines"][i].pop(key, None)

    return flaw


def _units_over(claim: Json, i: int) -> None:
    claim["lines"][i]["units"] += 2


def _minutes_over(claim: Json, i: int) -> None:
    line = claim["lines"][i]
    line["minutes"] = min(line.get("minutes", 15) + 38, 1440)


def _mue_excess(claim: Json, i: int) -> None:
    claim["lines"][i].update(units=9, minutes=135)


def _add_kx(claim: Json, i: int) -> None:
    claim["lines"][i].setdefault("modifiers", []).append("KX")


def _assistant(claim: Json, i: int) -> None:
    line = claim["lines"][i]
    line["assistant_minutes"] = line.get("minutes") or 15
    line.setdefault("minutes", line["assistant_minutes"])


def _telehealth(claim: Json, i: int) -> None:
    claim["lines"][i]["place_of_service"] = "02"
    claim["lines"][i].setdefault("modifiers", []).append("95")


def _future(claim: Json, i: int) -> None:
    claim["lines"][i]["date_of_service"] = (TODAY + dt.timedelta(days=20)).isoformat()


def _stale(claim: Json, i: int) -> None:
    claim["lines"][i]["date_of_service"] = (TODAY - dt.timedelta(days=420)).isoformat()


def _submitted_early(claim: Json, i: int) -> None:
    claim["submitted_on"] = _shift(_flaw_day(claim, i), -1)


def _born_after(claim: Json, i: int) -> None:
    claim.setdefault("patient", {})["birth_date"] = _shift(_flaw_day(claim, i), 1)


def _patient_value(key: str, value: Any) -> Any:
    def flaw(claim: Json, i: int) -> None:
        claim.setdefault("patient", {})[key] = value

    return flaw


def _bad_npi(claim: Json, i: int) -> None:
    claim["provider"] = {"npi": "1234567890"}


def _icd9(claim: Json, i: int) -> None:
    claim["diagnoses"] = [*claim["diagnoses"], "715.90"]


def _no_diagnoses(claim: Json, i: int) -> None:
    claim["diagnoses"] = []


def _poc_expired(claim: Json, i: int) -> None:
    first = min(ln["date_of_service"] for ln in claim["lines"])
    claim["plan_of_care"] = {
        "certified_from": _shift(first, -120),
        "certified_to": _shift(first, -31),
        "last_progress_report": _shift(first, -120),
        "visits_since_progress_report": 11,
    }


def _auth_used_up(claim: Json, i: int) -> None:
    first = min(ln["date_of_service"] for ln in claim["lines"])
    claim["authorization"] = {
        "visits_authorized": 4,
        "visits_used": 4,
        "valid_from": _shift(first, -10),
        "valid_to": _shift(first, 5),
    }


def _ncci_pair(claim: Json, i: int) -> None:
    # 92507 (speech treatment) is column 1 to 97110, 97112 and 97530 (indicator 1).
    _add_line(claim, i, "92507")


def _second_evaluation(claim: Json, i: int) -> None:
    _add_line(claim, i, "97168", minutes=30)


def _duplicate(claim: Json, i: int) -> None:
    claim["lines"].append(copy.deepcopy(claim["lines"][i]))


def _same_code_again(claim: Json, i: int) -> None:
    line = copy.deepcopy(claim["lines"][i])
    line.update(units=1, minutes=15)
    line.pop("assistant_minutes", None)  # at most the line's minutes
    claim["lines"].append(line)


def _replace_code(code: str) -> Any:
    def flaw(claim: Json, i: int) -> None:
        # Not onto a date that already bills the code: that would be a duplicate.
        day = _flaw_day(claim, i)
        if all(ln["code"] != code or ln["date_of_service"] != day for ln in claim["lines"]):
            claim["lines"][i]["code"] = code

    return flaw


def _switch_payer(claim: Json, i: int) -> None:
    others = [p for p in PAYERS if p != claim["payer"]]
    claim["payer"] = others[i % len(others)]


#: Rule-level defects, by name: each edits a claim dict in place at line ``i`` and
#: leaves it parseable. Most trip a rule (missing GO, units against minutes, NCCI,
#: MUE, KX, telehealth, assistants, plan of care, authorization, clerical, filing).
FLAWS: dict[str, Any] = {
    "no_modifiers": _set_line("modifiers", []),
    "gp_not_go": _set_line("modifiers", ["GP"]),
    "units_over": _units_over,
    "minutes_over": _minutes_over,
    "no_minutes": _drop_line_key("minutes"),
    "deleted_code": _replace_code("97532"),
    "unknown_code": _replace_code("12345"),
    "mue_excess": _mue_excess,
    "kx_early": _add_kx,
    "kx_over": _patient_value("therapy_allowed_ytd", "9000.00"),
    "assistant": _assistant,
    "telehealth": _telehealth,
    "future": _future,
    "stale": _stale,
    "submitted_early": _submitted_early,
    "born_after": _born_after,
    "mbi_dashes": _patient_value("member_id", "1EG4-TE5-MK73"),
    "mbi_short": _patient_value("member_id", "123A"),
    "mbi_empty": _patient_value("member_id", " "),
    "bad_npi": _bad_npi,
    "icd9": _icd9,
    "pointer_past": _set_line("diagnosis_pointers", [9]),
    "no_pointer": _drop_line_key("diagnosis_pointers"),
    "five_pointers": _set_line("diagnosis_pointers", [1, 2, 3, 4, 5]),
    "no_diagnoses": _no_diagnoses,
    "poc_expired": _poc_expired,
    "auth_used_up": _auth_used_up,
    "ncci_pair": _ncci_pair,
    "second_evaluation": _second_evaluation,
    "charge_zero": _set_line("charge", "0.00"),
    "duplicate": _duplicate,
    "same_code_again": _same_code_again,
    "switch_payer": _switch_payer,
}

#: Flaws whose findings depend on the order of lines by design: rules that report
#: the *later* of two lines (duplicates, a timed code twice, a second evaluation) or
#: a running total within a date (KX-001 names the amount "with this line").
ORDER_SENSITIVE_FLAWS = frozenset(
    {"duplicate", "same_code_again", "second_evaluation", "future", "stale"}
)


def apply_flaws(claim: Json, flaws: Any) -> Json:
    """A deep copy of ``claim`` with each ``(name, line index)`` of ``flaws`` applied
    (indices wrap around the lines as they are when the flaw is applied)."""
    out = copy.deepcopy(claim)
    for name, i in flaws:
        FLAWS[name](out, i % len(out["lines"]))
    return out


@st.composite
def flawed_claim_dicts(
    draw: st.DrawFn, *, max_flaws: int = 4, order_independent: bool = False, **claim_options: Any
) -> Json:
    """A clean claim (:func:`claim_dicts`) with up to ``max_flaws`` rule-level defects
    from :data:`FLAWS`: it still parses, but rules fire. ``order_independent=True``
    leaves out :data:`ORDER_SENSITIVE_FLAWS` (and so keeps every code to one line per
    date of service and at most one evaluation a day)."""
    names = sorted(set(FLAWS) - ORDER_SENSITIVE_FLAWS) if order_independent else sorted(FLAWS)
    claim = draw(claim_dicts(**claim_options))
    flaws = draw(
        st.lists(st.tuples(st.sampled_from(names), st.integers(0, 20)), max_size=max_flaws)
    )
    return apply_flaws(claim, flaws)
