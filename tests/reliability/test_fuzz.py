"""Fuzzing the edges: bad input raises only OTCodingError, and a parsed claim never
makes a rule set raise.

``Claim.from_dict`` promises that nothing but :class:`~otcoding.OTCodingError`
(in practice :class:`~otcoding.InvalidInputError`) escapes whatever it is given;
the rule sets promise that any claim that parses gets a :class:`~otcoding.Report`,
however odd its dates, codes and numbers. Hypothesis feeds both JSON-like junk and
valid claims with one or more values replaced by junk of every type.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    TODAY,
    anything,
    claim_dicts,
    delete_path,
    field_soup_claims,
    flawed_claim_dicts,
    set_path,
)

import otcoding
from otcoding import Claim, OTCodingError, Report

fuzz_settings = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- junk ----------------------------------------------------------------------

_HUGE = (10**18, -(10**18), 2**63, 10**400, -1, -(2**31), 1000, 1441, 10**10)
_FLOATS = (math.nan, math.inf, -math.inf, -0.0, 1e308, 2.0, 2.5, -1.0)
_TEXT = (
    "",
    " ",
    "NaN",
    "-Infinity",
    "1e400",
    "٣",  # Arabic-Indic three: a digit to str.isdigit, not to a claim
    "²",
    "९७११०",  # 97110 in Devanagari digits
    "97110\x00",
    "ＧＯ",  # full-width GO
    "9753\u0664",
    "2026-03-02\u200b",
    "\ud800",  # lone surrogate
    "😀" * 20,
    "0" * 5000,
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    "2026-13-01",
    "+2026-03-02",
)
_OBJECTS = (
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-0.00"),
    Decimal("1E+400"),
    Decimal("0.001"),
    dt.date.min,
    dt.date.max,
    dt.datetime(2026, 3, 2, 9, 30),
    b"97110",
    bytearray(b"GO"),
    frozenset({"GO"}),
    object(),
    complex(1, 1),
    range(3),
)
junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(_HUGE),
    st.integers(),
    st.sampled_from(_FLOATS),
    st.floats(),
    st.sampled_from(_TEXT),
    st.text(max_size=20),
    st.sampled_from(_OBJECTS),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates().map(dt.date.isoformat),
)
junk: st.SearchStrategy[Any] = st.recursive(
    junk_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.lists(st.none() | inner, min_size=1, max_size=3),  # None in lists
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
        st.dictionaries(st.integers() | st.none() | st.booleans(), inner, max_size=2),
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: str = "") -> list[str]:
    """Every path (``"lines[0].modifiers[1]"``) to a value inside a claim dict."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if not (isinstance(key, str) and key.isidentifier()):
                continue  # junk planted earlier: not a path set_path can follow
            path = f"{prefix}.{key}" if prefix else key
            out.append(path)
            out.extend(_paths(value, path))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            path = f"{prefix}[{i}]"
            out.append(path)
            out.extend(_paths(value, path))
    return out


_OBJECT_PATHS = (
    "",
    "patient",
    "provider",
    "plan_of_care",
    "authorization",
    "lines[0]",
)


@st.composite
def mutated_claims(draw: st.DrawFn) -> Any:
    """A valid claim with one to three values replaced by junk, keys added or
    removed: wrong types, unknown keys, bad dates, huge numbers, NaN, negative
    units, unicode, None inside lists."""
    claim: dict[str, Any] = draw(claim_dicts(full=draw(st.booleans())))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(("replace", "replace", "replace", "unknown", "delete")))
        paths = _paths(claim)
        try:
            if action == "unknown":
                where = draw(st.sampled_from(_OBJECT_PATHS))
                key = draw(st.text(min_size=1, max_size=8) | st.sampled_from(("Units", "units ")))
                if where and key.isidentifier():
                    claim = set_path(claim, f"{where}.{key}", draw(junk))
                else:
                    claim = dict(claim, **{key: draw(junk)})
            elif action == "delete":
                claim = delete_path(claim, draw(st.sampled_from(paths)))
            else:
                claim = set_path(claim, draw(st.sampled_from(paths)), draw(junk))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the way there
    return claim


def parse(data: Any) -> Claim | None:
    """The claim, or None when from_dict refused it with an OTCodingError.

    Anything else that escapes fails the test that called this.
    """
    refusal: OTCodingError | None = None
    try:
        claim = Claim.from_dict(data)
    except OTCodingError as exc:
        refusal = exc
    if refusal is not None:
        # A refusal is a usable message naming a field, not an accident.
        assert isinstance(refusal, otcoding.InvalidInputError), type(refusal)
        assert str(refusal).startswith(f"{refusal.field}: ")
        return None
    assert isinstance(claim, Claim)
    return claim


def check_everywhere(claim: Claim) -> None:
    """Every entry point that takes a parsed claim returns a Report."""
    reports = [
        otcoding.check(claim, today=TODAY),
        otcoding.check(claim.to_dict(), today=TODAY),
        otcoding.medicare().check(claim),
        otcoding.commercial().check(claim),
        otcoding.medicaid().check(claim),
        otcoding.medicare(today=TODAY).check(claim),
    ]
    for report in reports:
        assert isinstance(report, Report)
        assert report.claim_id == claim.claim_id
        out = report.to_dict()
        assert out["ok"] == report.ok
        for finding in out["findings"]:
            assert finding["line"] is None or 0 <= finding["line"] < len(claim.lines)
        str(report)
        report._repr_html_()
    # The same claim through the same rule set twice: the same answer.
    assert reports[0] == reports[1]


# --- from_dict on junk -----------------------------------------------------------


@fuzz_settings
@given(junk | anything())
def test_from_dict_on_junk_raises_only_otcoding_errors(data: Any) -> None:
    assert parse(data) is None or isinstance(data, dict)


@fuzz_settings
@given(mutated_claims())
def test_from_dict_on_mutated_claims_raises_only_otcoding_errors(data: Any) -> None:
    claim = parse(data)
    if claim is not None:
        check_everywhere(claim)


def test_mutated_claims_do_hit_the_error_paths() -> None:
    # A guard on the strategy: if most mutations parsed, the test above would be
    # fuzzing the rules, not the parser.
    refused = 0
    values: list[Any] = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(mutated_claims())
    def count(data: Any) -> None:
        nonlocal refused
        values.append(data)
        refused += parse(data) is None

    count()
    assert refused >= len(values) // 3, (refused, len(values))


@fuzz_settings
@given(field_soup_claims())
def test_field_soup_parses_or_raises_and_parsed_claims_check(data: Any) -> None:
    claim = parse(data)
    if claim is not None:
        check_everywhere(claim)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(
        ("units", "minutes", "assistant_minutes", "charge", "date_of_service", "code", "modifiers")
    ),
    st.sampled_from(_HUGE + _FLOATS) | st.sampled_from(_TEXT) | st.sampled_from(_OBJECTS),
)
def test_bad_line_values_name_their_field(field: str, value: Any) -> None:
    data = {
        "claim_id": "C-1",
        "payer": "medicare",
        "lines": [{"code": "97110", "units": 1, "date_of_service": "2026-03-02", field: value}],
    }
    try:
        claim = Claim.from_dict(data)
    except otcoding.InvalidInputError as exc:
        refusal = exc
    else:
        check_everywhere(claim)
        return
    assert refusal.field.startswith("lines[0]."), refusal.field
    assert str(refusal).startswith(f"{refusal.field}: ")


# --- rule sets on claims that parse ----------------------------------------------


@fuzz_settings
@given(flawed_claim_dicts(max_flaws=6))
def test_rule_sets_never_raise_on_flawed_claims(data: dict[str, Any]) -> None:
    claim = Claim.from_dict(data)
    check_everywhere(claim)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flawed_claim_dicts(max_flaws=2),
    st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(("97110", "97530", "97165", "97168", "97532", "G0283", "0552T", "99999")),
)
def test_rule_sets_never_raise_at_extreme_dates_and_units(
    data: dict[str, Any], day: dt.date, units: int, code: str
) -> None:
    # Dates far outside every table's editions, units at the parser's limit, codes
    # deleted, unknown or contractor-priced.
    data = set_path(data, "lines[0].date_of_service", day.isoformat())
    data = set_path(data, "lines[0].units", units)
    data = set_path(data, "lines[0].minutes", min(units * 15, 1440))
    data = set_path(data, "lines[0].code", code)
    data["lines"][0].pop("assistant_minutes", None)
    claim = Claim.from_dict(data)
    check_everywhere(claim)
